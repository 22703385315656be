#pragma once
// Makes the connector a CREATE SINK names, from its validated options. Callback sinks look
// their function up in the application's registry.

#include <functional>
#include <memory>
#include <string>

#include "sink/builtin_sinks.h"
#include "sink/sink.h"
#include "sql/catalog.h"

namespace sluice::sink {

// Finds a registered callback by name; empty when there is none.
using CallbackLookup = std::function<BatchCallback(const std::string& name)>;

Result<std::unique_ptr<Sink>> make_sink(const sql::SinkDef& definition,
                                        const CallbackLookup& callbacks);

}  // namespace sluice::sink
