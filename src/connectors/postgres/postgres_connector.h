#pragma once
// Registers the `postgres` sink connector (postgres_sink.h): its options, capabilities
// (exactly-once, upsert, changelog) and the checks CREATE SINK runs.

namespace sluice::connectors {
class Registry;
}

namespace sluice::connectors::postgres {

void register_connector(Registry& registry);

}  // namespace sluice::connectors::postgres
