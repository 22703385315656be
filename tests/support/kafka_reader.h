#pragma once
// Reads a Kafka topic back for a test: every message of every partition, from the beginning to the
// partition's high watermark at the time of the call, with a plain librdkafka consumer (no group,
// no commits), so the checks do not share the code under test. `isolation` is librdkafka's
// isolation.level; note that the 2.0.2 mock cluster does not model read_committed (aborted
// transactional messages are returned too: tests/integration/README.md).
//
// Thread: any; each call makes and destroys its own consumer.
#include <librdkafka/rdkafka.h>

#include <chrono>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace sluice::testing {

struct KafkaMessage {
  int32_t partition = 0;
  int64_t offset = 0;
  std::optional<std::string> key;    // nullopt: no key
  std::optional<std::string> value;  // nullopt: a tombstone
};

// Messages in partition order, each partition in offset order. Throws when the topic cannot be
// read within `timeout`.
inline std::vector<KafkaMessage> read_topic(
    const std::string& bootstrap, const std::string& topic,
    const std::string& isolation = "read_uncommitted",
    std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
  char why[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  auto set = [&](const char* key, const std::string& value) {
    if (rd_kafka_conf_set(conf, key, value.c_str(), why, sizeof why) != RD_KAFKA_CONF_OK)
      throw std::runtime_error(std::string("kafka reader: ") + why);
  };
  set("bootstrap.servers", bootstrap);
  set("group.id", "sluice-test-reader");  // required by the consumer; nothing is committed
  set("enable.auto.commit", "false");
  set("isolation.level", isolation);
  // The end of a partition is its EOF event too: a transactional topic's high watermark counts
  // control records no consumer returns.
  set("enable.partition.eof", "true");
  set("log_level", "3");
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, why, sizeof why);
  if (rk == nullptr) throw std::runtime_error(std::string("kafka reader: ") + why);
  struct Destroy {
    rd_kafka_t* rk;
    ~Destroy() {
      rd_kafka_consumer_close(rk);
      rd_kafka_destroy(rk);
    }
  } destroy{rk};
  const int timeout_ms = static_cast<int>(timeout.count());

  rd_kafka_topic_t* handle = rd_kafka_topic_new(rk, topic.c_str(), nullptr);
  const rd_kafka_metadata_t* metadata = nullptr;
  rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 0, handle, &metadata, timeout_ms);
  rd_kafka_topic_destroy(handle);
  if (err)
    throw std::runtime_error("kafka reader: metadata: " + std::string(rd_kafka_err2str(err)));
  int partitions = 0;
  for (int i = 0; i < metadata->topic_cnt; ++i) {
    if (topic == metadata->topics[i].topic) partitions = metadata->topics[i].partition_cnt;
  }
  rd_kafka_metadata_destroy(metadata);
  if (partitions == 0) throw std::runtime_error("kafka reader: no topic '" + topic + "'");

  std::map<int32_t, int64_t> end;  // partition → its high watermark
  rd_kafka_topic_partition_list_t* assignment = rd_kafka_topic_partition_list_new(partitions);
  for (int32_t p = 0; p < partitions; ++p) {
    int64_t low = 0, high = 0;
    err = rd_kafka_query_watermark_offsets(rk, topic.c_str(), p, &low, &high, timeout_ms);
    if (err) {
      rd_kafka_topic_partition_list_destroy(assignment);
      throw std::runtime_error("kafka reader: watermarks: " + std::string(rd_kafka_err2str(err)));
    }
    if (high > low) end[p] = high;
    rd_kafka_topic_partition_list_add(assignment, topic.c_str(), p)->offset =
        RD_KAFKA_OFFSET_BEGINNING;
  }
  rd_kafka_assign(rk, assignment);
  rd_kafka_topic_partition_list_destroy(assignment);

  std::map<int32_t, std::vector<KafkaMessage>> by_partition;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!end.empty()) {
    if (std::chrono::steady_clock::now() > deadline)
      throw std::runtime_error("kafka reader: timed out reading '" + topic + "'");
    rd_kafka_message_t* m = rd_kafka_consumer_poll(rk, 100);
    if (m == nullptr) continue;
    if (m->err) {
      const bool eof = m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF;
      const std::string what = rd_kafka_message_errstr(m);
      const int32_t partition = m->partition;
      const int64_t at = m->offset;
      rd_kafka_message_destroy(m);
      if (eof) {
        if (auto it = end.find(partition); it != end.end() && at >= it->second) end.erase(it);
        continue;
      }
      throw std::runtime_error("kafka reader: " + what);
    }
    KafkaMessage msg;
    msg.partition = m->partition;
    msg.offset = m->offset;
    if (m->key != nullptr) msg.key.emplace(static_cast<const char*>(m->key), m->key_len);
    if (m->payload != nullptr) msg.value.emplace(static_cast<const char*>(m->payload), m->len);
    rd_kafka_message_destroy(m);
    auto it = end.find(msg.partition);
    if (it == end.end()) continue;
    const bool last = msg.offset + 1 >= it->second;
    by_partition[msg.partition].push_back(std::move(msg));
    if (last) end.erase(it);
  }
  std::vector<KafkaMessage> all;
  for (auto& [p, messages] : by_partition) {
    for (auto& m : messages) all.push_back(std::move(m));
  }
  return all;
}

}  // namespace sluice::testing
