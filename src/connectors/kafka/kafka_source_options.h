#pragma once
// The kafka source's options, read once into KafkaSourceOptions, and the checks CREATE SOURCE
// runs on them (docs/connectors.md, "kafka source").
//
// The source sets bootstrap.servers, group.id, enable.auto.commit = false (offsets are
// committed at checkpoint commits) and auto.offset.reset (from `start`) itself;
// `properties.<name>` options are passed through to librdkafka's consumer as <name>, after the
// source's defaults, except those the source's offsets rest on, which are refused.
//
// Thread: any (pure functions).

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "connectors/kafka/kafka_conf.h"
#include "connectors/kafka/message_encoder.h"
#include "sql/catalog.h"

namespace sluice::connectors::kafka {

// The consumer's queued.min.messages unless properties.queued.min.messages says otherwise
// (kafka_source_options.cc says why).
inline constexpr int64_t kQueuedMinMessages = 1'000'000;

struct KafkaSourceOptions {
  enum class Start { kEarliest, kLatest, kTimestamp };

  std::string bootstrap;
  std::vector<std::string> topics;
  MessageFormat format = MessageFormat::kJson;
  char delimiter = ',';
  // Where a partition starts when neither a checkpoint nor the group has an offset for it.
  Start start = Start::kEarliest;
  int64_t start_micros = 0;  // kTimestamp: the first message at or after this time
  std::string group_id;
  // The TIMESTAMP column filled from each message's timestamp, -1: none (every column comes
  // from the message's value).
  int timestamp_column = -1;
  int64_t idle_timeout_micros = 0;  // 0: a partition is never idle
  bool skip_bad = false;            // on.error = 'skip'
  std::chrono::milliseconds connect_timeout{10000};
  Properties properties;  // the consumer's, the source's and the user's
};

// The options of a validated CREATE SOURCE ... WITH (connector = 'kafka', ...) with columns
// `schema`, for the source named `source`.
Result<KafkaSourceOptions> kafka_source_options(const sql::OptionMap& options, const Schema& schema,
                                                const std::string& source);

// CREATE SOURCE's check: topics named, `start` a position or a timestamp, timestamp.column a
// TIMESTAMP column, properties librdkafka accepts for a consumer, none the source sets itself.
Status check_kafka_source(const sql::OptionMap& options, const Schema& schema);

}  // namespace sluice::connectors::kafka
