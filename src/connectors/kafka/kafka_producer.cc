#include "connectors/kafka/kafka_producer.h"

#include <librdkafka/rdkafka.h>

#include <algorithm>

#include "connectors/kafka/kafka_conf.h"

namespace sluice::connectors::kafka {
namespace {

using std::chrono::milliseconds;

constexpr int kPollSliceMs = 10;  // between queue-full retries and deadline checks

// The counters have one writer, the sink's thread (delivery reports are served on it too), and
// readers anywhere: a plain load and store, no locked read-modify-write per message.
void add(std::atomic<int64_t>& counter, int64_t n) {
  counter.store(counter.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
}

int remaining_ms(Deadline deadline) {
  const auto left = std::chrono::duration_cast<milliseconds>(deadline - SteadyClock::now());
  return static_cast<int>(std::clamp<int64_t>(left.count(), 0, 1 << 30));
}

// An rd_kafka_error_t as a Status (and freed): retriable errors are SLC-3001.
Status status_of(rd_kafka_error_t* error, const std::string& what) {
  if (error == nullptr) return Status::Ok();
  const ErrorCode code =
      rd_kafka_error_is_retriable(error) ? ErrorCode::kUnavailable : ErrorCode::kRejected;
  Status s(code, what + ": " + rd_kafka_error_string(error));
  rd_kafka_error_destroy(error);
  return s;
}

}  // namespace

struct KafkaProducer::Handle {
  std::vector<rd_kafka_message_t> batch;  // produce_all's, reused
  rd_kafka_t* rk = nullptr;
  rd_kafka_topic_t* topic = nullptr;
  rd_kafka_topic_t* progress = nullptr;
  ~Handle() {
    if (topic != nullptr) rd_kafka_topic_destroy(topic);
    if (progress != nullptr) rd_kafka_topic_destroy(progress);
    if (rk != nullptr) rd_kafka_destroy(rk);
  }
};

Status check_producer_properties(const Properties& properties, std::string_view label) {
  // Each property alone, then how they go together (idempotence and max.in.flight, ...), which
  // librdkafka checks when a client is made: one without brokers, so it connects nowhere.
  SLC_ASSIGN_OR_RETURN(rd_kafka_conf_t * conf, make_conf(properties, label, "bootstrap.servers"));
  char why[512];
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, why, sizeof why);
  if (rk == nullptr) {
    rd_kafka_conf_destroy(conf);
    return Status(ErrorCode::kSqlInvalidOption, std::string("the Kafka properties: ") + why);
  }
  rd_kafka_destroy(rk);
  return Status::Ok();
}

KafkaProducer::KafkaProducer(std::string topic, std::string where,
                             std::shared_ptr<ProducerCounters> counters)
    : topic_(std::move(topic)), where_(std::move(where)), counters_(std::move(counters)) {}

KafkaProducer::~KafkaProducer() {
  // What is still queued is given up here (the sink flushed what it had to): the counters
  // must not keep counting it as in flight.
  if (handle_ && handle_->rk != nullptr) {
    discarding_ = true;
    rd_kafka_purge(handle_->rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    rd_kafka_poll(handle_->rk, 0);
  }
}

Result<std::unique_ptr<KafkaProducer>> KafkaProducer::make(
    const Properties& properties, std::string topic, std::string where,
    std::shared_ptr<ProducerCounters> counters, const std::string& progress_topic) {
  std::unique_ptr<KafkaProducer> p(
      new KafkaProducer(std::move(topic), std::move(where), std::move(counters)));
  SLC_ASSIGN_OR_RETURN(rd_kafka_conf_t * conf, make_conf(properties, "Kafka property '"));
  rd_kafka_conf_set_opaque(conf, p.get());
  rd_kafka_conf_set_dr_msg_cb(conf, [](rd_kafka_t* rk, const rd_kafka_message_t* m, void* opaque) {
    on_delivery(rk, m, opaque);
  });
  char why[512];
  p->handle_ = std::make_unique<Handle>();
  p->handle_->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, why, sizeof why);  // takes conf
  if (p->handle_->rk == nullptr) {
    rd_kafka_conf_destroy(conf);  // kept by librdkafka only when the client was made
    return Status(ErrorCode::kSqlInvalidOption, "Kafka producer for " + p->where_ + ": " + why);
  }
  p->handle_->topic = rd_kafka_topic_new(p->handle_->rk, p->topic_.c_str(), nullptr);
  if (p->handle_->topic == nullptr) {
    return Status(ErrorCode::kSqlInvalidOption,
                  "Kafka topic '" + p->topic_ + "': " + rd_kafka_err2str(rd_kafka_last_error()));
  }
  if (!progress_topic.empty()) {
    p->handle_->progress = rd_kafka_topic_new(p->handle_->rk, progress_topic.c_str(), nullptr);
    if (p->handle_->progress == nullptr) {
      return Status(ErrorCode::kSqlInvalidOption, "Kafka topic '" + progress_topic + "': " +
                                                      rd_kafka_err2str(rd_kafka_last_error()));
    }
  }
  return p;
}

void KafkaProducer::on_delivery(void* /*rk*/, const void* message, void* opaque) {
  auto* self = static_cast<KafkaProducer*>(opaque);
  const auto* m = static_cast<const rd_kafka_message_t*>(message);
  ProducerCounters& c = *self->counters_;
  add(c.in_flight, -1);
  if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    add(c.delivered, 1);
    add(c.delivered_bytes, static_cast<int64_t>(m->len + m->key_len));
    return;
  }
  if (self->discarding_) return;
  add(c.delivery_errors, 1);
  Failed f;
  if (m->key != nullptr) f.key.emplace(static_cast<const char*>(m->key), m->key_len);
  if (m->payload != nullptr) f.value.emplace(static_cast<const char*>(m->payload), m->len);
  self->failed_.push_back(std::move(f));
  if (self->delivery_error_.ok()) {
    // Retriable (a broker away, a timeout) or not (a message too large, no authorization).
    const bool retriable =
        m->err == RD_KAFKA_RESP_ERR__MSG_TIMED_OUT || m->err == RD_KAFKA_RESP_ERR__TRANSPORT ||
        m->err == RD_KAFKA_RESP_ERR__PURGE_QUEUE || m->err == RD_KAFKA_RESP_ERR__PURGE_INFLIGHT ||
        m->err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN;
    self->delivery_error_ =
        Status(retriable ? ErrorCode::kUnavailable : ErrorCode::kRejected,
               "Kafka " + self->where_ + " did not take a message for topic '" +
                   rd_kafka_topic_name(m->rkt) + "' [" + std::to_string(m->partition) +
                   "]: " + rd_kafka_err2str(m->err));
  }
}

Result<int32_t> KafkaProducer::check_topic(milliseconds timeout, bool progress) {
  rd_kafka_topic_t* handle = progress ? handle_->progress : handle_->topic;
  const std::string topic = rd_kafka_topic_name(handle);
  const rd_kafka_metadata_t* metadata = nullptr;
  const rd_kafka_resp_err_t err =
      rd_kafka_metadata(handle_->rk, 0, handle, &metadata, static_cast<int>(timeout.count()));
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Status(ErrorCode::kUnavailable, "Kafka " + where_ + " did not answer within " +
                                               std::to_string(timeout.count()) +
                                               " ms: " + rd_kafka_err2str(err));
  }
  rd_kafka_resp_err_t topic_err = RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART;
  int32_t partitions = 0;
  for (int i = 0; i < metadata->topic_cnt; ++i) {
    if (topic != metadata->topics[i].topic) continue;
    topic_err = metadata->topics[i].err;
    partitions = metadata->topics[i].partition_cnt;
  }
  rd_kafka_metadata_destroy(metadata);
  if (topic_err == RD_KAFKA_RESP_ERR_NO_ERROR) return partitions;
  return Status(topic_err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART ? ErrorCode::kSqlInvalidOption
                                                                     : ErrorCode::kRejected,
                "Kafka topic '" + topic + "' on " + where_ + ": " + rd_kafka_err2str(topic_err));
}

Status KafkaProducer::produce(std::optional<std::string_view> key,
                              std::optional<std::string_view> value, Deadline deadline) {
  return produce_into(handle_->topic, RD_KAFKA_PARTITION_UA, key, value, deadline);
}

Status KafkaProducer::produce_all(const EncodedMessages& messages, size_t from, Deadline deadline,
                                  std::optional<int32_t> partition) {
  std::vector<rd_kafka_message_t>& batch = handle_->batch;
  while (from < messages.size()) {
    batch.assign(messages.size() - from, rd_kafka_message_t{});
    for (size_t i = 0; i < batch.size(); ++i) {
      const auto key = messages.key(from + i);
      const auto value = messages.value(from + i);
      if (key) {
        batch[i].key = const_cast<char*>(key->data());
        batch[i].key_len = key->size();
      }
      if (value) {
        batch[i].payload = const_cast<char*>(value->data());
        batch[i].len = value->size();
      }
    }
    const int queued =
        rd_kafka_produce_batch(handle_->topic, partition.value_or(RD_KAFKA_PARTITION_UA),
                               RD_KAFKA_MSG_F_COPY, batch.data(), static_cast<int>(batch.size()));
    add(counters_->in_flight, queued);
    // librdkafka queues a prefix: after a full queue every later message fails too.
    size_t done = 0;
    while (done < batch.size() && batch[done].err == RD_KAFKA_RESP_ERR_NO_ERROR) ++done;
    from += done;
    if (done == batch.size()) break;
    SLC_RETURN_IF_ERROR(wait_for_room(batch[done].err, handle_->topic, deadline));
  }
  return Status::Ok();
}

Status KafkaProducer::produce_progress(std::string_view key, std::string_view value,
                                       int32_t partition, Deadline deadline) {
  return produce_into(handle_->progress, partition, key, value, deadline);
}

Status KafkaProducer::produce_into(void* topic, int32_t partition,
                                   std::optional<std::string_view> key,
                                   std::optional<std::string_view> value, Deadline deadline) {
  for (;;) {
    const int rc = rd_kafka_produce(
        static_cast<rd_kafka_topic_t*>(topic), partition, RD_KAFKA_MSG_F_COPY,
        value ? const_cast<char*>(value->data()) : nullptr, value ? value->size() : 0,
        key ? key->data() : nullptr, key ? key->size() : 0, nullptr);
    if (rc == 0) {
      add(counters_->in_flight, 1);
      return Status::Ok();
    }
    SLC_RETURN_IF_ERROR(wait_for_room(rd_kafka_last_error(), topic, deadline));
  }
}

Status KafkaProducer::wait_for_room(int error, void* topic, Deadline deadline) {
  const auto err = static_cast<rd_kafka_resp_err_t>(error);
  if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
    return Status(err == RD_KAFKA_RESP_ERR__FATAL ? ErrorCode::kUnavailable : ErrorCode::kRejected,
                  "Kafka " + where_ + " did not take a message for topic '" +
                      rd_kafka_topic_name(static_cast<rd_kafka_topic_t*>(topic)) +
                      "': " + rd_kafka_err2str(err));
  }
  // librdkafka's queue is full (queue.buffering.max.*): wait for acknowledgements.
  if (SteadyClock::now() >= deadline) {
    return Status(ErrorCode::kUnavailable, "Kafka " + where_ +
                                               ": the producer's queue stayed full (" +
                                               std::to_string(rd_kafka_outq_len(handle_->rk)) +
                                               " messages unacknowledged) until write.timeout");
  }
  rd_kafka_poll(handle_->rk, kPollSliceMs);
  return Status::Ok();
}

void KafkaProducer::poll() {
  rd_kafka_poll(handle_->rk, 0);
}

Status KafkaProducer::flush(Deadline deadline) {
  const rd_kafka_resp_err_t err = rd_kafka_flush(handle_->rk, remaining_ms(deadline));
  rd_kafka_poll(handle_->rk, 0);
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return Status::Ok();
  return Status(ErrorCode::kUnavailable, "Kafka " + where_ + ": " +
                                             std::to_string(rd_kafka_outq_len(handle_->rk)) +
                                             " messages not acknowledged within write.timeout");
}

std::vector<KafkaProducer::Failed> KafkaProducer::take_failed() {
  return std::exchange(failed_, {});
}

std::optional<Status> KafkaProducer::fatal_error() const {
  char why[512];
  const rd_kafka_resp_err_t err = rd_kafka_fatal_error(handle_->rk, why, sizeof why);
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return std::nullopt;
  return Status(ErrorCode::kUnavailable, "Kafka " + where_ + ": the producer failed: " + why);
}

void KafkaProducer::purge() {
  rd_kafka_purge(handle_->rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
  rd_kafka_poll(handle_->rk, 0);
}

Status KafkaProducer::init_transactions(milliseconds timeout) {
  return status_of(rd_kafka_init_transactions(handle_->rk, static_cast<int>(timeout.count())),
                   "Kafka " + where_ + ": init_transactions");
}

Status KafkaProducer::begin_transaction() {
  return status_of(rd_kafka_begin_transaction(handle_->rk),
                   "Kafka " + where_ + ": begin_transaction");
}

Status KafkaProducer::commit_transaction(milliseconds timeout) {
  const auto start = SteadyClock::now();
  Status s = status_of(rd_kafka_commit_transaction(handle_->rk, static_cast<int>(timeout.count())),
                       "Kafka " + where_ + ": commit_transaction");
  rd_kafka_poll(handle_->rk, 0);
  if (s.ok()) {
    add(counters_->transactions, 1);
    counters_->transaction_us.store(
        std::chrono::duration_cast<std::chrono::microseconds>(SteadyClock::now() - start).count(),
        std::memory_order_relaxed);
  }
  return s;
}

Status KafkaProducer::abort_transaction(milliseconds timeout) {
  Status s = status_of(rd_kafka_abort_transaction(handle_->rk, static_cast<int>(timeout.count())),
                       "Kafka " + where_ + ": abort_transaction");
  rd_kafka_poll(handle_->rk, 0);
  return s;
}

}  // namespace sluice::connectors::kafka
