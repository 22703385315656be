#pragma once
// KafkaProducer: one librdkafka producer for one topic, as a sink needs it. Messages are copied
// into librdkafka when queued; its delivery reports are served on the caller's thread (poll,
// flush), and a message whose delivery failed is kept, key and value, so the sink can send it
// again: a failed delivery is never a silent loss. Transactions (exactly-once) are librdkafka's,
// with each error said in sluice's terms: retriable ones are SLC-3001, the rest SLC-3002.
//
// librdkafka's header stays in the .cc: this header shows sluice types only.
//
// Thread: the owning sink's thread; ProducerCounters are read from any thread.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/wait_signal.h"
#include "connectors/kafka/kafka_conf.h"
#include "connectors/kafka/message_encoder.h"
#include "sluice/status.h"

namespace sluice::connectors::kafka {

// Sets every property on a fresh librdkafka configuration and makes a producer of it that
// connects nowhere: the first property librdkafka refuses is an error (SLC-1006) naming it as
// `label` + its name (e.g. "option 'properties.") and saying why; so is a combination
// librdkafka refuses.
Status check_producer_properties(const Properties& properties, std::string_view label);

// Counters any thread may read (metrics); only the producer's thread writes them.
struct ProducerCounters {
  std::atomic<int64_t> delivered{0};        // messages acknowledged
  std::atomic<int64_t> delivered_bytes{0};  // their keys and values
  std::atomic<int64_t> delivery_errors{0};  // delivery reports with an error
  std::atomic<int64_t> in_flight{0};        // queued or sent, not yet acknowledged
  std::atomic<int64_t> transactions{0};     // committed
  std::atomic<int64_t> transaction_us{0};   // the last commit_transaction's duration
};

class KafkaProducer {
 public:
  // A message whose delivery failed, to be sent again.
  struct Failed {
    std::optional<std::string> key;
    std::optional<std::string> value;
  };

  // Makes the producer (no I/O yet). `where` names the cluster in messages; `counters` outlive
  // the producer (a sink replaces a producer after a fatal error, its metrics go on).
  // `progress_topic` (exactly-once): where produce_progress() writes.
  static Result<std::unique_ptr<KafkaProducer>> make(const Properties& properties,
                                                     std::string topic, std::string where,
                                                     std::shared_ptr<ProducerCounters> counters,
                                                     const std::string& progress_topic = "");
  ~KafkaProducer();
  KafkaProducer(const KafkaProducer&) = delete;
  KafkaProducer& operator=(const KafkaProducer&) = delete;

  // Asks the cluster for the topic's metadata: the brokers answer and the topic exists, within
  // `timeout`; else SLC-3001 (unreachable) or SLC-1006 (no such topic). Gives the topic's
  // partition count. `progress`: the progress topic's instead (exactly-once).
  Result<int32_t> check_topic(std::chrono::milliseconds timeout, bool progress = false);

  // Queues one message (copied; nullopt value: a tombstone). Waits for room in librdkafka's
  // queue, serving delivery reports, until `deadline`.
  Status produce(std::optional<std::string_view> key, std::optional<std::string_view> value,
                 Deadline deadline);
  // Queues messages [from, end) of `messages` in order, as one call to librdkafka per batch
  // (one lock and clock reading for all); waits for room as produce() does. On an error the
  // messages before the failed one are queued. `partition`: all of them to that partition, which
  // spares librdkafka its partitioner per message (for keyless messages, whose partition is the
  // caller's choice); nullopt: each message's by librdkafka's partitioner (its key's).
  Status produce_all(const EncodedMessages& messages, size_t from, Deadline deadline,
                     std::optional<int32_t> partition = std::nullopt);
  // Queues one message to partition `partition` of the progress topic.
  Status produce_progress(std::string_view key, std::string_view value, int32_t partition,
                          Deadline deadline);
  // Serves the delivery reports that arrived, without waiting.
  void poll();
  // Waits until every queued message is acknowledged or failed, until `deadline`: SLC-3001 when
  // some are still unacknowledged then (they stay queued).
  Status flush(Deadline deadline);
  // The messages whose delivery failed since the last call, and the first error among them.
  std::vector<Failed> take_failed();
  const Status& first_delivery_error() const { return delivery_error_; }
  void clear_delivery_error() { delivery_error_ = Status::Ok(); }
  // A fatal error (an idempotent producer's sequence broken, a fenced transactional producer):
  // this producer can send nothing more; the sink makes a new one.
  std::optional<Status> fatal_error() const;
  // Drops every queued and in-flight message; their delivery reports fail (`take_failed`).
  void purge();

  // ---- transactions (transactional.id set) ----
  Status init_transactions(std::chrono::milliseconds timeout);
  Status begin_transaction();
  // Flushes, then commits; after an error that needs it, the caller aborts.
  Status commit_transaction(std::chrono::milliseconds timeout);
  Status abort_transaction(std::chrono::milliseconds timeout);

  const std::string& where() const { return where_; }

 private:
  struct Handle;
  KafkaProducer(std::string topic, std::string where, std::shared_ptr<ProducerCounters> counters);
  static void on_delivery(void* rk, const void* message, void* opaque);
  Status produce_into(void* topic, int32_t partition, std::optional<std::string_view> key,
                      std::optional<std::string_view> value, Deadline deadline);
  // librdkafka did not queue a message for `topic` (an rd_kafka_topic_t): a full queue is
  // waited on for a moment (OK: try again) until `deadline`; anything else is the error.
  Status wait_for_room(int error, void* topic, Deadline deadline);

  std::string topic_;
  std::string where_;
  std::unique_ptr<Handle> handle_;
  std::shared_ptr<ProducerCounters> counters_;
  std::vector<Failed> failed_;
  Status delivery_error_;
  bool discarding_ = false;  // being destroyed: purged messages are no delivery errors
};

}  // namespace sluice::connectors::kafka
