#pragma once
// Registers the `file` connector: the source (file_source.h) and the sink (file_sink.h).

namespace sluice::connectors {
class Registry;
}

namespace sluice::connectors::file {

void register_connector(Registry& registry);

}  // namespace sluice::connectors::file
