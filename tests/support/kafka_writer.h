#pragma once
// Writes messages into a Kafka topic for a test, with a plain librdkafka producer (not the
// sink's code), and returns once every one is acknowledged. Each message goes to the partition
// it names (-1: librdkafka's partitioner, by key), with the timestamp it names (0: now).
//
// Thread: any; each call makes and destroys its own producer.
#include <librdkafka/rdkafka.h>

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace sluice::testing {

struct OutgoingMessage {
  int32_t partition = -1;
  std::optional<std::string> value;  // nullopt: a tombstone
  std::optional<std::string> key;
  int64_t timestamp_ms = 0;
};

inline void write_topic(const std::string& bootstrap, const std::string& topic,
                        const std::vector<OutgoingMessage>& messages) {
  char why[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  auto set = [&](const char* key, const std::string& value) {
    if (rd_kafka_conf_set(conf, key, value.c_str(), why, sizeof why) != RD_KAFKA_CONF_OK)
      throw std::runtime_error(std::string("kafka writer: ") + why);
  };
  set("bootstrap.servers", bootstrap);
  set("log_level", "3");
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, why, sizeof why);
  if (rk == nullptr) throw std::runtime_error(std::string("kafka writer: ") + why);
  for (const OutgoingMessage& m : messages) {
    void* value = m.value ? const_cast<char*>(m.value->data()) : nullptr;
    const size_t value_len = m.value ? m.value->size() : 0;
    const void* key = m.key ? m.key->data() : nullptr;
    const size_t key_len = m.key ? m.key->size() : 0;
    for (;;) {
      const rd_kafka_resp_err_t err = rd_kafka_producev(
          rk, RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_PARTITION(m.partition),
          RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_VALUE(value, value_len),
          RD_KAFKA_V_KEY(key, key_len), RD_KAFKA_V_TIMESTAMP(m.timestamp_ms), RD_KAFKA_V_END);
      if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
        rd_kafka_poll(rk, 10);
        continue;
      }
      if (err) {
        rd_kafka_destroy(rk);
        throw std::runtime_error(std::string("kafka writer: ") + rd_kafka_err2str(err));
      }
      break;
    }
  }
  const rd_kafka_resp_err_t err = rd_kafka_flush(rk, 20000);
  const int left = rd_kafka_outq_len(rk);
  rd_kafka_destroy(rk);
  if (err || left > 0) throw std::runtime_error("kafka writer: messages not acknowledged in 20 s");
}

}  // namespace sluice::testing
