// The kafka source's consumer properties, without a broker.
#include "connectors/kafka/kafka_source_options.h"

#include <gtest/gtest.h>

namespace sluice::connectors::kafka {
namespace {

sql::OptionMap options() {
  return {{"bootstrap.servers", "127.0.0.1:9092"},
          {"topic", "in"},
          {"format", "json"},
          {"delimiter", ","},
          {"start", "earliest"},
          {"idle.timeout", "0"},
          {"connect.timeout", "10s"},
          {"on.error", "fail"}};
}

// What librdkafka ends with for `name`: the last of the list's settings (each is set in turn).
std::string property(const KafkaSourceOptions& k, const std::string& name) {
  std::string value;
  for (const auto& [key, v] : k.properties) {
    if (key == name) value = v;
  }
  return value;
}

// librdkafka 2.0.2 stops fetching at queued.min.messages queued and looks again up to a second
// later: the source queues ten times its default so that a backlog is read without those waits.
TEST(KafkaSourceOptions, QueuesAMillionMessagesUnlessTheStatementSaysOtherwise) {
  const Schema schema({{"id", DataType::kInt64, false}});
  Result<KafkaSourceOptions> k = kafka_source_options(options(), schema, "s");
  ASSERT_TRUE(k.ok()) << k.status().to_string();
  EXPECT_EQ(property(*k, "queued.min.messages"), "1000000");

  sql::OptionMap mine = options();
  mine["properties.queued.min.messages"] = "5000";
  k = kafka_source_options(mine, schema, "s");
  ASSERT_TRUE(k.ok()) << k.status().to_string();
  EXPECT_EQ(property(*k, "queued.min.messages"), "5000");
  EXPECT_TRUE(check_kafka_source(mine, schema).ok());
}

}  // namespace
}  // namespace sluice::connectors::kafka
