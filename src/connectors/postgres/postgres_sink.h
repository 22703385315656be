#pragma once
// The `postgres` sink connector:
//   INTO postgres (dsn = 'postgresql://...' | host, port, dbname, user, password,
//                  table, schema, mode = append | upsert, primary.key, batch.size,
//                  flush.interval, auto.create, connect.timeout, statement.timeout,
//                  resend.memory, delivery)
// docs/sinks.md has the user's view; postgres_sink.cc has how each delivery mode works.
//
// Thread: the sink task's, from open() on (make_postgres_sink is called on the compute
// thread and only reads options).

#include <memory>

#include "sink/sink.h"
#include "sql/catalog.h"

namespace sluice::connectors::postgres {

Result<std::unique_ptr<sink::Sink>> make_postgres_sink(const sql::SinkDef& definition);

}  // namespace sluice::connectors::postgres
