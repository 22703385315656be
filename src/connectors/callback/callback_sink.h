#pragma once
// The `callback` sink: hands each batch to a function the application registered with
// Database::register_callback (no copy, no allocation per write: the plan's synchronous sink).
//   INTO callback (function = '<name>')
// An error the function returns (register_fallible_callback) fails the write, as any sink's.
//
// Thread: the sink task's; the function runs there.

#include <functional>
#include <memory>

#include "sink/sink.h"

namespace sluice::connectors {
class Registry;
}

namespace sluice::connectors::callback {

std::unique_ptr<sink::Sink> make_callback_sink(std::function<Status(const RecordBatch&)> callback);

void register_connector(Registry& registry);

}  // namespace sluice::connectors::callback
