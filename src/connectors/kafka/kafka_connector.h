#pragma once
// Registers the `kafka` sink connector (kafka_sink.h) and source connector (kafka_source.h):
// their options, capabilities and the checks CREATE SINK / CREATE SOURCE run (kafka_options.h,
// kafka_source_options.h).

namespace sluice::connectors {
class Registry;
}

namespace sluice::connectors::kafka {

void register_connector(Registry& registry);

}  // namespace sluice::connectors::kafka
