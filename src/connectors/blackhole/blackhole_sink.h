#pragma once
// The `blackhole` sink: takes rows and does nothing with them (benchmarks, tests).
//   INTO blackhole ()
//
// Thread: the sink task's.

#include <memory>

#include "sink/sink.h"

namespace sluice::connectors {
class Registry;
}

namespace sluice::connectors::blackhole {

std::unique_ptr<sink::Sink> make_blackhole_sink();

void register_connector(Registry& registry);

}  // namespace sluice::connectors::blackhole
