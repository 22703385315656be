// The connectors built into sluice: one line each, calling the registration function in the
// connector's own folder. Adding a connector is adding its folder and its line here (the order
// is the order error messages list names in).
#include "connectors/blackhole/blackhole_sink.h"
#include "connectors/callback/callback_sink.h"
#include "connectors/console/console_sink.h"
#include "connectors/file/file_connector.h"
#include "connectors/generator/generator_connectors.h"
#include "connectors/kafka/kafka_connector.h"
#include "connectors/postgres/postgres_connector.h"
#include "connectors/registry.h"
#include "connectors/websocket/websocket_sink.h"

namespace sluice::connectors {

void register_builtin_connectors(Registry& registry) {
  generator::register_connectors(registry);  // sources datagen, nexmark
  console::register_connector(registry);
  blackhole::register_connector(registry);
  callback::register_connector(registry);
  file::register_connector(registry);  // the file source and the file sink
  postgres::register_connector(registry);
  kafka::register_connector(registry);
  websocket::register_connector(registry);  // needs the application's server (sluice serve)
}

}  // namespace sluice::connectors
