#pragma once
// The kafka sink's options as librdkafka properties, and the checks CREATE SINK runs on them.
//
// The sink sets bootstrap.servers (from its option), enable.idempotence = true and acks = all
// itself; `properties.<name>` options are passed through to librdkafka as <name>, after the
// sink's own defaults (so they may override those: log_level, linger.ms, ...), except the
// properties the sink's delivery guarantee rests on, which are refused.
//
// Thread: any (pure functions).

#include <string>
#include <vector>

#include "connectors/kafka/kafka_producer.h"
#include "connectors/kafka/message_encoder.h"
#include "sql/catalog.h"

namespace sluice::connectors::kafka {

inline constexpr const char* kPropertiesPrefix = "properties.";

struct KafkaSinkOptions {
  std::string bootstrap;
  std::string topic;
  MessageFormat format = MessageFormat::kJson;
  std::vector<std::string> key_columns;
  Properties properties;  // every librdkafka property, the sink's and the user's
  // Exactly-once: the producer's transactional.id (also the key of the sink's progress
  // records) and the topic those go to (progress_log.h).
  std::string transactional_id;
  std::string progress_topic;
};

// The credentials among librdkafka's properties, each an option of the sink's own (option,
// property): passwords are secret options, masked wherever options are shown, and any may be
// ${env:NAME} (which properties.* may not); refused as properties.<name>.
const std::vector<std::pair<std::string, std::string>>& credential_properties();
// Appends what the statement passes through to librdkafka: every `properties.<name>` option,
// then the credentials given as options of their own (the sink's and the source's alike).
void append_statement_properties(const sql::OptionMap& options,
                                 std::vector<std::pair<std::string, std::string>>& properties);

// The options of a validated CREATE SINK ... INTO kafka (...), for the sink named `sink`.
KafkaSinkOptions kafka_sink_options(const sql::OptionMap& options, const std::string& sink);

// CREATE SINK's check: properties librdkafka accepts, none the sink sets itself, key columns of
// the input, no dead letters.
Status check_kafka_sink(const sql::OptionMap& options, const Schema& input);

}  // namespace sluice::connectors::kafka
