#include "connectors/kafka/progress_log.h"

#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <charconv>
#include <string_view>

#include "common/wait_signal.h"

namespace sluice::connectors::kafka {
namespace {

// Producer-only properties would only draw warnings from a consumer.
bool consumer_property(const std::string& name) {
  return name != "enable.idempotence" && name != "acks" && name != "transactional.id";
}

}  // namespace

Result<uint64_t> read_progress(const Properties& properties, const std::string& topic,
                               const std::string& key, const std::string& where,
                               std::chrono::milliseconds timeout) {
  char why[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  for (const auto& [name, value] : properties) {
    if (consumer_property(name))
      rd_kafka_conf_set(conf, name.c_str(), value.c_str(), why, sizeof why);
  }
  for (const auto& [name, value] : Properties{{"group.id", "sluice-progress-reader"},
                                              {"enable.auto.commit", "false"},
                                              {"isolation.level", "read_committed"},
                                              {"enable.partition.eof", "true"}}) {
    rd_kafka_conf_set(conf, name.c_str(), value.c_str(), why, sizeof why);
  }
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, why, sizeof why);
  if (rk == nullptr) {
    rd_kafka_conf_destroy(conf);
    return Status(ErrorCode::kInvalidArgument, "Kafka progress reader for " + where + ": " + why);
  }
  struct Destroy {
    rd_kafka_t* rk;
    ~Destroy() {
      rd_kafka_consumer_close(rk);
      rd_kafka_destroy(rk);
    }
  } destroy{rk};
  const Deadline deadline = deadline_after(timeout);
  auto failed = [&](const std::string& what) {
    return Status(ErrorCode::kUnavailable,
                  "Kafka " + where + ": reading progress topic '" + topic + "': " + what);
  };

  // An unknown topic holds no progress (it is made by the first epoch's record).
  rd_kafka_topic_t* handle = rd_kafka_topic_new(rk, topic.c_str(), nullptr);
  const rd_kafka_metadata_t* metadata = nullptr;
  rd_kafka_resp_err_t err =
      rd_kafka_metadata(rk, 0, handle, &metadata, static_cast<int>(timeout.count()));
  rd_kafka_topic_destroy(handle);
  if (err) return failed(rd_kafka_err2str(err));
  bool known = false;
  for (int i = 0; i < metadata->topic_cnt; ++i) {
    if (topic == metadata->topics[i].topic && metadata->topics[i].err == 0 &&
        metadata->topics[i].partition_cnt > 0)
      known = true;
  }
  rd_kafka_metadata_destroy(metadata);
  if (!known) return uint64_t{0};

  rd_kafka_topic_partition_list_t* assignment = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(assignment, topic.c_str(), kProgressPartition)->offset =
      RD_KAFKA_OFFSET_BEGINNING;
  err = rd_kafka_assign(rk, assignment);
  rd_kafka_topic_partition_list_destroy(assignment);
  if (err) return failed(rd_kafka_err2str(err));

  uint64_t newest = 0;
  for (;;) {
    if (SteadyClock::now() >= deadline) return failed("no end within write.timeout");
    rd_kafka_message_t* m = rd_kafka_consumer_poll(rk, 100);
    if (m == nullptr) continue;
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      rd_kafka_message_destroy(m);
      return newest;
    }
    if (m->err) {
      const std::string what = rd_kafka_message_errstr(m);
      rd_kafka_message_destroy(m);
      return failed(what);
    }
    if (m->key != nullptr &&
        std::string_view(static_cast<const char*>(m->key), m->key_len) == key &&
        m->payload != nullptr) {
      const char* text = static_cast<const char*>(m->payload);
      uint64_t epoch = 0;
      auto [end, ec] = std::from_chars(text, text + m->len, epoch);
      if (ec == std::errc() && end == text + m->len) newest = std::max(newest, epoch);
    }
    rd_kafka_message_destroy(m);
  }
}

}  // namespace sluice::connectors::kafka
