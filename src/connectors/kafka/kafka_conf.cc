#include "connectors/kafka/kafka_conf.h"

#include <librdkafka/rdkafka.h>

namespace sluice::connectors::kafka {

Result<rd_kafka_conf_t*> make_conf(const Properties& properties, std::string_view label,
                                   std::string_view skip) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char why[512];
  for (const auto& [name, value] : properties) {
    if (name == skip) continue;
    if (rd_kafka_conf_set(conf, name.c_str(), value.c_str(), why, sizeof why) != RD_KAFKA_CONF_OK) {
      rd_kafka_conf_destroy(conf);
      // A secret's value is not shown (sasl.password, ssl.key.password, ...).
      const bool secret =
          name.find("password") != std::string::npos || name.find("secret") != std::string::npos;
      return Status(ErrorCode::kSqlInvalidOption,
                    std::string(label) + name + "' = '" + (secret ? "***" : value) + "': " + why);
    }
  }
  return conf;
}

}  // namespace sluice::connectors::kafka
