#pragma once
// Registers the `kafka` sink connector (kafka_sink.h): its options, capabilities and the checks
// CREATE SINK runs (kafka_options.h).

namespace sluice::connectors {
class Registry;
}

namespace sluice::connectors::kafka {

void register_connector(Registry& registry);

}  // namespace sluice::connectors::kafka
