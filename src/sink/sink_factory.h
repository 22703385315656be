#pragma once
// Makes the connector a CREATE SINK names, from its validated options. Callback sinks look
// their function up in the application's registry; connectors of higher layers are looked up
// by name.

#include <functional>
#include <memory>
#include <string>

#include "sink/builtin_sinks.h"
#include "sink/sink.h"
#include "sql/catalog.h"

namespace sluice::sink {

// Finds a registered callback by name; empty when there is none.
using CallbackLookup = std::function<BatchCallback(const std::string& name)>;

// Makes a connector implemented above this layer (connectors/postgres), which the database
// registers with the runtime; `connector_makers` finds one by connector name (empty: none).
using SinkMaker = std::function<Result<std::unique_ptr<Sink>>(const sql::SinkDef& definition)>;
using SinkMakerLookup = std::function<SinkMaker(const std::string& connector)>;

Result<std::unique_ptr<Sink>> make_sink(const sql::SinkDef& definition,
                                        const CallbackLookup& callbacks,
                                        const SinkMakerLookup& connector_makers);

}  // namespace sluice::sink
