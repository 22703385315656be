// The kafka sink, at-least-once: every row is a message of one topic (message_encoder.h), sent
// by an idempotent producer with acks = all (kafka_producer.h), so librdkafka's own retries
// neither duplicate nor reorder a partition's messages.
//
// write() encodes the batch and queues its messages in librdkafka, which sends them in the
// background (linger.ms, batch.size: properties.*). flush() — periodic (flush.interval), at a
// checkpoint and at close — waits until every queued message is acknowledged, for up to
// write.timeout. A message whose delivery failed (a broker away past message.timeout.ms, a
// message the broker refused) is kept by the sink and sent again at the next flush, and that
// flush reports the delivery's error, so the task's retry.max and on.error apply: a failed
// delivery is sent again or fails the sink, never dropped. After a fatal producer error (an
// idempotent producer's broken sequence) the producer is replaced, and what it had not
// delivered is sent by the new one. Either way a message may arrive twice: at-least-once.
// A write whose messages do not fit librdkafka's queue within write.timeout fails; its retry
// sends the batch again from its first row.

#include "connectors/kafka/kafka_sink.h"

#include <utility>

#include "connectors/kafka/kafka_options.h"
#include "connectors/kafka/kafka_producer.h"
#include "connectors/kafka/message_encoder.h"

namespace sluice::connectors::kafka {
namespace {

using std::chrono::milliseconds;

class KafkaSink final : public sink::Sink {
 public:
  explicit KafkaSink(KafkaSinkOptions options) : options_(std::move(options)) {}

  sink::SinkCapabilities capabilities() const override {
    const bool upsert = !options_.key_columns.empty();
    return {.exactly_once = false, .upsert = upsert, .changelog = upsert, .idempotent = false};
  }

  Status open(const sink::SinkContext& context) override {
    name_ = context.name;
    write_timeout_ = context.write_timeout;
    SLC_ASSIGN_OR_RETURN(
        encoder_, MessageEncoder::make(*context.schema, options_.format, options_.key_columns));
    SLC_RETURN_IF_ERROR(make_producer());
    // The brokers answer and the topic is there: a wrong address or topic fails CREATE SINK.
    return producer_->check_topic(write_timeout_);
  }

  Status write(const RecordBatch& batch) override {
    SLC_RETURN_IF_ERROR(replace_failed_producer());
    messages_.clear();
    encoder_->encode(batch, messages_);
    const Deadline deadline = deadline_after(write_timeout_);
    for (size_t i = 0; i < messages_.size(); ++i) {
      SLC_RETURN_IF_ERROR(producer_->produce(messages_.key(i), messages_.value(i), deadline));
    }
    producer_->poll();
    return Status::Ok();
  }

  Status flush() override { return deliver(); }

  Status close() override {
    Status s = producer_ ? deliver() : Status::Ok();
    producer_.reset();
    return s;
  }

  int64_t bytes_written() const override {
    return counters_->delivered_bytes.load(std::memory_order_relaxed);
  }
  std::vector<std::pair<std::string, int64_t>> connector_metrics() const override {
    const ProducerCounters& c = *counters_;
    return {{"delivered", c.delivered.load(std::memory_order_relaxed)},
            {"delivery_errors", c.delivery_errors.load(std::memory_order_relaxed)},
            {"in_flight", c.in_flight.load(std::memory_order_relaxed)},
            {"transactions", c.transactions.load(std::memory_order_relaxed)},
            {"last_transaction_us", c.transaction_us.load(std::memory_order_relaxed)}};
  }

 private:
  Status make_producer() {
    SLC_ASSIGN_OR_RETURN(producer_, KafkaProducer::make(options_.properties, options_.topic,
                                                        options_.bootstrap, counters_));
    return Status::Ok();
  }

  // After a fatal error the producer sends nothing more: its undelivered messages are taken
  // back, and a new producer sends them.
  Status replace_failed_producer() {
    if (!producer_->fatal_error()) return Status::Ok();
    producer_->purge();
    keep_failed();
    return make_producer();
  }

  void keep_failed() {
    for (auto& f : producer_->take_failed()) resend_.push_back(std::move(f));
  }

  // Sends again what failed, then waits for every acknowledgement (up to write.timeout).
  Status deliver() {
    SLC_RETURN_IF_ERROR(replace_failed_producer());
    const Deadline deadline = deadline_after(write_timeout_);
    producer_->poll();
    keep_failed();
    producer_->clear_delivery_error();
    size_t sent = 0;
    Status s;
    for (; sent < resend_.size() && s.ok(); ++sent) {
      const auto& f = resend_[sent];
      s = producer_->produce(f.key, f.value, deadline);
      if (!s.ok()) break;
    }
    resend_.erase(resend_.begin(), resend_.begin() + static_cast<std::ptrdiff_t>(sent));
    if (s.ok()) s = producer_->flush(deadline);
    keep_failed();
    if (s.ok() && !producer_->first_delivery_error().ok()) s = producer_->first_delivery_error();
    return s;
  }

  KafkaSinkOptions options_;
  std::string name_;
  milliseconds write_timeout_{30000};
  std::optional<MessageEncoder> encoder_;
  std::shared_ptr<ProducerCounters> counters_ = std::make_shared<ProducerCounters>();
  std::unique_ptr<KafkaProducer> producer_;
  EncodedMessages messages_;                   // the batch being written; reused
  std::vector<KafkaProducer::Failed> resend_;  // failed deliveries, sent again at the next flush
};

}  // namespace

Result<std::unique_ptr<sink::Sink>> make_kafka_sink(const sql::SinkDef& def,
                                                    const SinkFactoryContext&) {
  return std::unique_ptr<sink::Sink>(
      std::make_unique<KafkaSink>(kafka_sink_options(def.options, def.name)));
}

}  // namespace sluice::connectors::kafka
