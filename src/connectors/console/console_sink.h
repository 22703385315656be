#pragma once
// The `console` sink: rows to standard output as an aligned table or JSON lines.
//   INTO console (format = table | jsonl)
//
// Thread: the sink task's.

#include <cstdio>
#include <memory>

#include "sink/sink.h"

namespace sluice::connectors {
class Registry;
}

namespace sluice::connectors::console {

// `out` defaults to stdout; `jsonl` picks JSON lines over a table.
std::unique_ptr<sink::Sink> make_console_sink(bool jsonl, std::FILE* out = stdout);

void register_connector(Registry& registry);

}  // namespace sluice::connectors::console
