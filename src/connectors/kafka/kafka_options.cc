#include "connectors/kafka/kafka_options.h"

#include <array>
#include <string_view>

#include "sql/options.h"

namespace sluice::connectors::kafka {
namespace {

// Set by the sink: its delivery guarantee rests on them.
constexpr std::array<std::string_view, 6> kReserved = {
    "bootstrap.servers",     "metadata.broker.list", "enable.idempotence", "acks",
    "request.required.acks", "transactional.id"};

}  // namespace

const std::vector<std::pair<std::string, std::string>>& credential_properties() {
  // option → librdkafka property. Options of their own, not properties.*: a secret option is
  // masked wherever options are shown and may be ${env:NAME} (docs/connectors.md, Secrets).
  static const std::vector<std::pair<std::string, std::string>> secrets = {
      {"sasl.username", "sasl.username"},
      {"sasl.password", "sasl.password"},
      {"ssl.key.password", "ssl.key.password"},
      {"sasl.oauthbearer.client.secret", "sasl.oauthbearer.client.secret"}};
  return secrets;
}

KafkaSinkOptions kafka_sink_options(const sql::OptionMap& options, const std::string& sink) {
  KafkaSinkOptions k;
  k.bootstrap = options.at("bootstrap.servers");
  k.topic = options.at("topic");
  k.format = options.at("format") == "csv" ? MessageFormat::kCsv : MessageFormat::kJson;
  if (auto it = options.find("key"); it != options.end())
    k.key_columns = sql::split_column_list(it->second);
  auto id = options.find("transactional.id");
  k.transactional_id =
      id != options.end() && !id->second.empty() ? id->second : "sluice-" + k.topic + "-" + sink;
  k.progress_topic = options.at("progress.topic");
  k.properties = {{"bootstrap.servers", k.bootstrap},
                  {"client.id", "sluice-" + sink},
                  {"enable.idempotence", "true"},
                  {"acks", "all"},
                  // Errors reach the sink as delivery reports and statuses, not as log lines on
                  // the process's stderr (properties.log_level brings them back).
                  {"log_level", "0"}};
  append_statement_properties(options, k.properties);
  return k;
}

void append_statement_properties(const sql::OptionMap& options,
                                 std::vector<std::pair<std::string, std::string>>& properties) {
  const std::string_view prefix = kPropertiesPrefix;
  for (const auto& [key, value] : options) {
    if (key.rfind(prefix, 0) == 0) properties.emplace_back(key.substr(prefix.size()), value);
  }
  for (const auto& [option, property] : credential_properties()) {
    if (auto it = options.find(option); it != options.end())
      properties.emplace_back(property, it->second);
  }
}

Status check_kafka_sink(const sql::OptionMap& options, const Schema& input) {
  if (auto it = options.find("on.error"); it != options.end() && it->second == "dead_letter") {
    return Status(ErrorCode::kSqlInvalidOption,
                  "on.error = 'dead_letter' is not supported: a failed delivery holds messages of "
                  "many batches; use 'fail' or 'pause'");
  }
  const std::string_view prefix = kPropertiesPrefix;
  for (const auto& [key, value] : options) {
    if (key.rfind(prefix, 0) != 0) continue;
    const std::string name = key.substr(prefix.size());
    for (const auto& [option, property] : credential_properties()) {
      if (name == property) {
        return Status(ErrorCode::kSqlInvalidOption,
                      "option '" + key + "' is a credential: use the sink's option '" + option +
                          "' (passwords are masked wherever options are shown; any of them may "
                          "be ${env:NAME})");
      }
    }
    for (std::string_view reserved : kReserved) {
      if (name == reserved) {
        return Status(ErrorCode::kSqlInvalidOption,
                      "option '" + key + "': the kafka sink sets '" + name +
                          "' itself (bootstrap.servers is an option of its own; idempotence, "
                          "acks = all and transactions follow from delivery)");
      }
    }
  }
  const KafkaSinkOptions k = kafka_sink_options(options, "check");
  SLC_RETURN_IF_ERROR(check_producer_properties(k.properties, "option 'properties."));
  if (auto it = options.find("key"); it != options.end() && k.key_columns.empty()) {
    return Status(ErrorCode::kSqlInvalidOption, "option 'key' names no column");
  }
  return MessageEncoder::make(input, k.format, k.key_columns).status();
}

}  // namespace sluice::connectors::kafka
