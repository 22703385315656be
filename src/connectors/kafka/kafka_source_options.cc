#include "connectors/kafka/kafka_source_options.h"

#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <array>
#include <string_view>

#include "columnar/timestamp.h"
#include "connectors/kafka/kafka_options.h"
#include "sql/options.h"

namespace sluice::connectors::kafka {
namespace {

// Set by the source: where it reads from and which offsets count rest on them.
constexpr std::array<std::string_view, 6> kReserved = {
    "bootstrap.servers",  "metadata.broker.list",     "group.id",
    "enable.auto.commit", "enable.auto.offset.store", "auto.offset.reset"};

}  // namespace

Result<KafkaSourceOptions> kafka_source_options(const sql::OptionMap& options, const Schema& schema,
                                                const std::string& source) {
  KafkaSourceOptions k;
  k.bootstrap = options.at("bootstrap.servers");
  k.topics = sql::split_column_list(options.at("topic"));
  if (k.topics.empty())
    return Status(ErrorCode::kSqlInvalidOption, "option 'topic' names no topic");
  k.format = options.at("format") == "csv" ? MessageFormat::kCsv : MessageFormat::kJson;
  k.delimiter = options.at("delimiter")[0];
  const std::string& start = options.at("start");
  if (start == "earliest") {
    k.start = KafkaSourceOptions::Start::kEarliest;
  } else if (start == "latest") {
    k.start = KafkaSourceOptions::Start::kLatest;
  } else {
    Result<int64_t> at = parse_timestamp(start);
    if (!at.ok()) {
      return Status(ErrorCode::kSqlInvalidOption,
                    "option 'start' = '" + start + "': not 'earliest', 'latest' or a timestamp: " +
                        std::string(at.status().message()));
    }
    k.start = KafkaSourceOptions::Start::kTimestamp;
    k.start_micros = *at;
  }
  auto group = options.find("group.id");
  k.group_id =
      group != options.end() && !group->second.empty() ? group->second : "sluice-" + source;
  if (auto it = options.find("timestamp.column"); it != options.end() && !it->second.empty()) {
    k.timestamp_column = schema.find(it->second);
    if (k.timestamp_column < 0) {
      return Status(
          ErrorCode::kSqlUnknownName,
          "option 'timestamp.column' names no column of the source: '" + it->second + "'");
    }
    if (schema.field(k.timestamp_column).type != DataType::kTimestamp) {
      return Status(ErrorCode::kSqlTypeMismatch,
                    "option 'timestamp.column': column '" + it->second +
                        "' is not a TIMESTAMP (it takes the message's timestamp)");
    }
  }
  SLC_ASSIGN_OR_RETURN(k.idle_timeout_micros, sql::parse_duration(options.at("idle.timeout")));
  SLC_ASSIGN_OR_RETURN(const int64_t connect, sql::parse_duration(options.at("connect.timeout")));
  k.connect_timeout = std::chrono::milliseconds(std::max<int64_t>(connect / 1000, 1));
  k.skip_bad = options.at("on.error") == "skip";
  k.properties = {
      {"bootstrap.servers", k.bootstrap},
      {"client.id", "sluice-" + source},
      {"group.id", k.group_id},
      {"enable.auto.commit", "false"},
      {"enable.auto.offset.store", "false"},
      {"auto.offset.reset", k.start == KafkaSourceOptions::Start::kLatest ? "latest" : "earliest"},
      // Errors reach the source as events and statuses, not as log lines on the
      // process's stderr (properties.log_level brings them back).
      {"log_level", "0"},
      // librdkafka 2.0.2 stops fetching once its queue holds queued.min.messages (100,000 by
      // default, every partition's messages together: their queues feed the consumer's) and
      // looks again only at its broker thread's next tick, up to a second later (librdkafka
      // issue #2879; 2.1's fetch.queue.backoff.ms makes that wait tunable). A source reading a
      // backlog empties 100,000 messages in a fraction of that second, then waits out the rest:
      // kafka_source_bench read ~315 K rows/s so, ~570 K with this. Ten times as many keep it
      // reading through the tick; what the queue holds stays bounded by
      // queued.max.messages.kbytes (64 MB), and properties.queued.min.messages overrides it.
      {"queued.min.messages", std::to_string(kQueuedMinMessages)}};
  append_statement_properties(options, k.properties);
  return k;
}

Status check_kafka_source(const sql::OptionMap& options, const Schema& schema) {
  const std::string_view prefix = kPropertiesPrefix;
  for (const auto& [key, value] : options) {
    if (key.rfind(prefix, 0) != 0) continue;
    const std::string name = key.substr(prefix.size());
    for (const auto& [option, property] : credential_properties()) {
      if (name == property) {
        return Status(ErrorCode::kSqlInvalidOption,
                      "option '" + key + "' is a credential: use the source's option '" + option +
                          "' (passwords are masked wherever options are shown)");
      }
    }
    for (std::string_view reserved : kReserved) {
      if (name == reserved) {
        return Status(ErrorCode::kSqlInvalidOption,
                      "option '" + key + "': the kafka source sets '" + name +
                          "' itself (bootstrap.servers, group.id and start are options of their "
                          "own; offsets are committed at checkpoint commits)");
      }
    }
  }
  SLC_ASSIGN_OR_RETURN(const KafkaSourceOptions k, kafka_source_options(options, schema, "check"));
  if (k.timestamp_column >= 0 && schema.num_fields() == 1) {
    return Status(ErrorCode::kSqlInvalidOption,
                  "option 'timestamp.column': the source needs a column from the message's value "
                  "besides it");
  }
  // Each property alone, then together: librdkafka checks a consumer made of them (it connects
  // nowhere without bootstrap servers).
  SLC_ASSIGN_OR_RETURN(rd_kafka_conf_t * conf,
                       make_conf(k.properties, "option 'properties.", "bootstrap.servers"));
  char why[512];
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, why, sizeof why);
  if (rk == nullptr) {
    rd_kafka_conf_destroy(conf);
    return Status(ErrorCode::kSqlInvalidOption, std::string("the Kafka properties: ") + why);
  }
  rd_kafka_destroy(rk);
  return Status::Ok();
}

}  // namespace sluice::connectors::kafka
