// The test helpers themselves: the kafka_mock tool (a mock cluster in its own process, over TCP),
// its commands, and the reader the Kafka tests check topics with. A plain librdkafka producer
// writes; nothing of sluice is involved.
#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>

#include <set>
#include <string>

#include "support/kafka_mock.h"
#include "support/kafka_reader.h"

namespace sluice {
namespace {

using testing::KafkaMock;
using testing::read_topic;

// Produces `count` messages "<prefix>i" keyed "k<i>" and waits for every delivery report;
// returns how many failed.
int produce(const std::string& bootstrap, const std::string& topic, int count,
            const std::string& prefix, int message_timeout_ms = 10000) {
  char why[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap.c_str(), why, sizeof why);
  rd_kafka_conf_set(conf, "message.timeout.ms", std::to_string(message_timeout_ms).c_str(), why,
                    sizeof why);
  rd_kafka_conf_set(conf, "log_level", "0", why, sizeof why);
  static int failed;
  failed = 0;
  rd_kafka_conf_set_dr_msg_cb(conf, [](rd_kafka_t*, const rd_kafka_message_t* m, void*) {
    if (m->err) ++failed;
  });
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, why, sizeof why);
  EXPECT_NE(rk, nullptr) << why;
  for (int i = 0; i < count; ++i) {
    const std::string key = "k" + std::to_string(i), value = prefix + std::to_string(i);
    EXPECT_EQ(rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic.c_str()),
                                RD_KAFKA_V_KEY(key.data(), key.size()),
                                RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
                                RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END),
              RD_KAFKA_RESP_ERR_NO_ERROR);
  }
  rd_kafka_flush(rk, message_timeout_ms + 5000);
  rd_kafka_destroy(rk);
  return failed;
}

TEST(KafkaMockTool, ServesTopicsOverTcpAndTheReaderReadsThemBack) {
  KafkaMock mock(3, {"events:4"});
  EXPECT_EQ(mock.bootstrap().rfind("127.0.0.1:", 0), 0u) << mock.bootstrap();
  ASSERT_EQ(produce(mock.bootstrap(), "events", 40, "v"), 0);
  const auto messages = read_topic(mock.bootstrap(), "events");
  ASSERT_EQ(messages.size(), 40u);
  std::set<int32_t> partitions;
  std::set<std::string> values;
  for (const auto& m : messages) {
    partitions.insert(m.partition);
    values.insert(*m.value);
    ASSERT_TRUE(m.key.has_value());
    EXPECT_EQ(m.key->substr(1), m.value->substr(1));  // the key went with its value
  }
  EXPECT_EQ(values.size(), 40u);
  EXPECT_GT(partitions.size(), 1u);  // keys spread over the 4 partitions
  for (int32_t p : partitions) EXPECT_LT(p, 4);
}

TEST(KafkaMockTool, CreatesTopicsOnCommandAndRefusesBadOnes) {
  KafkaMock mock;
  mock.create_topic("later", 2);
  ASSERT_EQ(produce(mock.bootstrap(), "later", 5, "x"), 0);
  EXPECT_EQ(read_topic(mock.bootstrap(), "later").size(), 5u);
  EXPECT_THROW(mock.command("topic broken 0"), std::runtime_error);
  EXPECT_THROW(mock.command("launch"), std::runtime_error);
}

// The mock creates a topic a client asks about (the README's limits: an unknown topic is shown
// only by injecting UNKNOWN_TOPIC_OR_PART, `topic_error NAME 3`).
TEST(KafkaMockTool, AutoCreatesTopicsUnlessAnErrorIsSet) {
  KafkaMock mock;
  ASSERT_EQ(produce(mock.bootstrap(), "never_created", 2, "a"), 0);
  EXPECT_EQ(read_topic(mock.bootstrap(), "never_created").size(), 2u);
  mock.command("topic_error missing 3");
  EXPECT_EQ(produce(mock.bootstrap(), "missing", 1, "b", 1000), 1);
}

TEST(KafkaMockTool, ABrokerDownFailsDeliveriesUntilItIsUpAgain) {
  KafkaMock mock(1, {"t:1"});
  ASSERT_EQ(produce(mock.bootstrap(), "t", 1, "before"), 0);
  mock.command("down 1");
  EXPECT_EQ(produce(mock.bootstrap(), "t", 3, "lost", 1000), 3);
  mock.command("up 1");
  ASSERT_EQ(produce(mock.bootstrap(), "t", 2, "after"), 0);
  const auto messages = read_topic(mock.bootstrap(), "t");
  ASSERT_EQ(messages.size(), 3u);
  EXPECT_EQ(*messages[0].value, "before0");
  EXPECT_EQ(*messages[2].value, "after1");
}

TEST(KafkaMockTool, InjectedRequestErrorsFailDeliveries) {
  KafkaMock mock(1, {"t:1"});
  // Produce (API key 0) answered with TOPIC_AUTHORIZATION_FAILED (29), not retriable.
  mock.command("error 0 29 1");
  EXPECT_EQ(produce(mock.bootstrap(), "t", 1, "denied"), 1);
  ASSERT_EQ(produce(mock.bootstrap(), "t", 1, "fine"), 0);
  const auto messages = read_topic(mock.bootstrap(), "t");
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(*messages[0].value, "fine0");
}

}  // namespace
}  // namespace sluice
