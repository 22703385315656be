#pragma once
// The `kafka` sink (kafka_sink.cc): rows of a stream as messages of one Kafka topic.

#include <memory>

#include "connectors/registry.h"
#include "sink/sink.h"
#include "sql/catalog.h"

namespace sluice::connectors::kafka {

// From a validated definition; reads options only (no I/O: Sink::open connects).
Result<std::unique_ptr<sink::Sink>> make_kafka_sink(const sql::SinkDef& def,
                                                    const SinkFactoryContext& context);

}  // namespace sluice::connectors::kafka
