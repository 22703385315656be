#pragma once
// The type of a sink factory: a CREATE SINK definition (validated options) → its connector.
// The sink layer knows no connector: the database builds the factory from its connector
// registry (src/connectors/registry.h) and gives it to the runtime.

#include <functional>
#include <memory>

#include "sink/sink.h"
#include "sql/catalog.h"

namespace sluice::sink {

using SinkFactory = std::function<Result<std::unique_ptr<Sink>>(const sql::SinkDef& definition)>;

}  // namespace sluice::sink
