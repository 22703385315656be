// The kafka sink. Every row is a message of one topic (message_encoder.h), sent by an
// idempotent producer with acks = all (kafka_producer.h), so librdkafka's own retries neither
// duplicate nor reorder a partition's messages.
//
// At-least-once. write() encodes the batch and queues its messages in librdkafka, which sends
// them in the background (linger.ms, batch.size: properties.*). flush() — periodic
// (flush.interval), at a checkpoint and at close — waits until every queued message is
// acknowledged, for up to write.timeout. A message whose delivery failed (a broker away past
// message.timeout.ms, a message the broker refused) is kept by the sink and sent again at the
// next flush, and that flush reports the delivery's error, so the task's retry.max and on.error
// apply: a failed delivery is sent again or fails the sink, never dropped. After a fatal
// producer error (an idempotent producer's broken sequence) the producer is replaced, and what
// it had not delivered is sent by the new one. Either way a message may arrive twice. A write
// whose messages do not fit librdkafka's queue within write.timeout fails; its retry sends the
// batch again from its first row.
//
// Exactly-once. One Kafka transaction per epoch (transactional.id: the option, by default
// sluice-<topic>-<sink>), begun at the epoch's first row. Each message also goes to the epoch's
// staged file in the data directory (epoch_stage.h). pre_commit(e) waits until every message of
// e is acknowledged inside the transaction and fsyncs the staged file (the manifest records its
// rows, size and CRC-32C); commit(e) adds the progress record "e" (progress_log.h) to the
// transaction and commits it, then deletes the staged file; rollback(e) aborts. Rows of e+1
// that arrive while e is pre-committed wait in memory (and in e+1's staged file) until commit(e):
// a producer has one transaction at a time.
//
// The hard case: killed after the manifest decided e, before e's commit reached Kafka. The
// transaction cannot be resumed: the next producer's init_transactions (at open) aborts it.
// Recovery reads the progress topic with read_committed: p, the newest epoch whose transaction
// committed (its record is in it). Staged epochs up to p are committed: deleted. Staged epochs in
// (p, c], c the manifest's epoch, were decided but aborted: sent again from their staged files,
// each in a transaction with its progress record, in order. The rest were never decided:
// deleted (the sources replay them). Epoch c's file is checked against the manifest's record
// first; missing or damaged, it is SLC-4003, never a silent loss. committed_epoch() is p.

#include "connectors/kafka/kafka_sink.h"

#include <filesystem>
#include <utility>

#include "common/crc32c.h"
#include "connectors/kafka/epoch_stage.h"
#include "connectors/kafka/kafka_options.h"
#include "connectors/kafka/kafka_producer.h"
#include "connectors/kafka/message_encoder.h"
#include "connectors/kafka/progress_log.h"

namespace sluice::connectors::kafka {
namespace {

using std::chrono::milliseconds;

// A directory name for the sink: its name when that is plain, else a checksum of it.
std::string directory_name(const std::string& sink) {
  for (char c : sink) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') {
      char name[32];
      std::snprintf(name, sizeof name, "sink-%08x", crc32c(sink));
      return name;
    }
  }
  return sink;
}

class KafkaSink final : public sink::Sink {
 public:
  KafkaSink(KafkaSinkOptions options, std::string data_dir)
      : options_(std::move(options)), data_dir_(std::move(data_dir)) {}

  sink::SinkCapabilities capabilities() const override {
    const bool upsert = !options_.key_columns.empty();
    return {.exactly_once = true, .upsert = upsert, .changelog = upsert, .idempotent = false};
  }

  Status open(const sink::SinkContext& context) override {
    name_ = context.name;
    write_timeout_ = context.write_timeout;
    exactly_once_ = context.exactly_once;
    SLC_ASSIGN_OR_RETURN(
        encoder_, MessageEncoder::make(*context.schema, options_.format, options_.key_columns));
    if (exactly_once_) {
      if (data_dir_.empty()) {
        return Status(ErrorCode::kUnsupported,
                      "delivery = 'exactly-once' needs the database's data_dir (staged epochs)");
      }
      stage_ = std::make_unique<EpochStage>(
          (std::filesystem::path(data_dir_) / "kafka" / directory_name(name_)).string());
      SLC_RETURN_IF_ERROR(stage_->create_directory());
      options_.properties.emplace_back("transactional.id", options_.transactional_id);
    }
    SLC_RETURN_IF_ERROR(make_producer());
    // The brokers answer and the topic is there: a wrong address or topic fails CREATE SINK.
    SLC_ASSIGN_OR_RETURN(partitions_, producer_->check_topic(write_timeout_));
    if (exactly_once_) SLC_RETURN_IF_ERROR(producer_->check_topic(write_timeout_, true).status());
    // Aborts whatever a previous run of this transactional.id left open: recover() sends its
    // decided epochs again.
    if (exactly_once_) SLC_RETURN_IF_ERROR(producer_->init_transactions(write_timeout_));
    return Status::Ok();
  }

  Status write(const RecordBatch& batch) override {
    if (exactly_once_) return write_epoch(batch);
    SLC_RETURN_IF_ERROR(replace_failed_producer());
    messages_.clear();
    encoder_->encode(batch, messages_);
    SLC_RETURN_IF_ERROR(
        producer_->produce_all(messages_, 0, deadline_after(write_timeout_), next_partition()));
    producer_->poll();
    return Status::Ok();
  }

  // Exactly-once: nothing becomes visible before commit; delivery reports are served, and a
  // failed one dooms the epoch (its pre-commit fails).
  Status flush() override {
    if (!exactly_once_) return deliver();
    producer_->poll();
    note_delivery_errors();
    return txn_error_;
  }

  // ---- exactly-once ------------------------------------------------------------------------
  Status begin_epoch(uint64_t epoch) override {
    if (exactly_once_ && txn_epoch_ != 0 && prepared_ == 0) {
      // Left by an epoch whose pre-commit failed: it is rolled back, and replayed.
      abort_transaction().ignore();
      stage_->abandon();
    }
    if (prepared_ == 0) txn_error_ = Status::Ok();
    epoch_ = epoch;
    return Status::Ok();
  }

  Status pre_commit(uint64_t epoch) override {
    if (!exactly_once_) return deliver();
    if (prepared_ != 0) {
      return Status(ErrorCode::kInternal, "epoch " + std::to_string(epoch) +
                                              " pre-committed while epoch " +
                                              std::to_string(prepared_) + " is still open");
    }
    SLC_RETURN_IF_ERROR(txn_error_);
    staged_.reset();
    if (txn_epoch_ == 0) return Status::Ok();  // no rows: nothing to commit
    Status s = producer_->flush(deadline_after(write_timeout_));
    note_delivery_errors();
    if (s.ok()) s = txn_error_;
    if (s.ok()) {
      auto staged = stage_->finish();
      s = staged.status();
      if (s.ok()) staged_ = *staged;
    }
    if (!s.ok()) return fail_epoch(s);
    prepared_ = epoch;
    return Status::Ok();
  }

  std::optional<sink::StagedEpoch> staged_epoch(uint64_t epoch) const override {
    if (!exactly_once_ || prepared_ != epoch) return std::nullopt;
    return staged_;
  }

  Status commit(uint64_t epoch) override {
    if (!exactly_once_ || prepared_ != epoch) return Status::Ok();  // nothing was prepared
    SLC_RETURN_IF_ERROR(commit_with_progress(epoch));
    prepared_ = 0;
    staged_.reset();
    SLC_RETURN_IF_ERROR(stage_->remove(epoch));
    // Rows of the next epoch waited for this transaction to end.
    return send_pending();
  }

  Status rollback(uint64_t epoch) override {
    if (!exactly_once_) return Status::Ok();
    if (txn_epoch_ == epoch) SLC_RETURN_IF_ERROR(abort_transaction());
    if (prepared_ == epoch) {
      prepared_ = 0;
      staged_.reset();
    }
    if (epoch_ == epoch) {
      stage_->abandon();
      pending_.clear();
      txn_error_ = Status::Ok();
    }
    SLC_RETURN_IF_ERROR(stage_->remove(epoch));
    return send_pending();
  }

  Result<uint64_t> committed_epoch() override {
    if (!exactly_once_) return uint64_t{0};
    return read_progress(options_.properties, options_.progress_topic, options_.transactional_id,
                         options_.bootstrap, write_timeout_);
  }

  Status recover(uint64_t committed, const std::optional<sink::StagedEpoch>& staged) override {
    if (!exactly_once_) return Status::Ok();
    // What a previous run left open was aborted at open; its decided epochs are sent again here.
    SLC_ASSIGN_OR_RETURN(const uint64_t progress, committed_epoch());
    SLC_ASSIGN_OR_RETURN(const std::vector<uint64_t> epochs, stage_->epochs());
    const sink::StagedEpoch* decided =
        staged && staged->location == stage_->path(committed) ? &*staged : nullptr;
    const bool decided_on_disk = std::find(epochs.begin(), epochs.end(), committed) != epochs.end();
    if (decided != nullptr && progress < committed && !decided_on_disk) {
      // The manifest's epoch is neither in Kafka nor staged: read() says so (SLC-4003).
      SLC_RETURN_IF_ERROR(
          stage_->read(committed, decided, [](auto, auto) { return Status::Ok(); }));
    }
    for (uint64_t e : epochs) {
      if (e > progress && e <= committed) {
        SLC_RETURN_IF_ERROR(resend(e, e == committed ? decided : nullptr));
      }
      SLC_RETURN_IF_ERROR(stage_->remove(e));
    }
    return Status::Ok();
  }

  Status close() override {
    if (!exactly_once_) {
      Status s = producer_ ? deliver() : Status::Ok();
      producer_.reset();
      return s;
    }
    // Rows of an epoch not pre-committed are not ours to publish: the sources replay them. A
    // pre-committed epoch stays open (and staged) for recovery to decide.
    if (producer_ && txn_epoch_ != 0 && prepared_ == 0) abort_transaction().ignore();
    if (stage_) stage_->abandon();
    pending_.clear();
    producer_.reset();
    return Status::Ok();
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
    SLC_ASSIGN_OR_RETURN(
        producer_, KafkaProducer::make(options_.properties, options_.topic, options_.bootstrap,
                                       counters_, exactly_once_ ? options_.progress_topic : ""));
    return Status::Ok();
  }

  // Where the next written batch goes. Keyed messages: each to its key's partition, by
  // librdkafka's partitioner (nullopt). Keyless ones have no partition of their own: a batch goes
  // whole to one partition, the next batch to the next (as Kafka's sticky partitioner sends a
  // batch to one partition), which spares librdkafka a partitioner call, two clock readings and
  // two locks per message. The partitions are those the topic had at open (Kafka adds
  // partitions, never removes them; new ones get keyless messages after a restart).
  std::optional<int32_t> next_partition() {
    if (!options_.key_columns.empty() || partitions_ <= 0) return std::nullopt;
    const int32_t p = rotation_;
    rotation_ = (rotation_ + 1) % partitions_;
    return p;
  }

  // ---- at-least-once ----
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
    for (; sent < resend_.size(); ++sent) {
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

  // ---- exactly-once ----
  // The batch's messages are staged and wait in pending_; they go into the epoch's transaction
  // at once unless an epoch is pre-committed (then at its commit).
  Status write_epoch(const RecordBatch& batch) {
    SLC_RETURN_IF_ERROR(txn_error_);
    if (!stage_->active()) {
      if (Status s = stage_->begin(epoch_); !s.ok()) return fail_epoch(s);
    }
    const size_t first = pending_.size();
    encoder_->encode(batch, pending_);
    for (size_t i = first; i < pending_.size(); ++i)
      stage_->add(pending_.key(i), pending_.value(i));
    if (prepared_ != 0) return Status::Ok();
    return send_pending();
  }

  Status send_pending() {
    if (pending_.size() == 0 || prepared_ != 0) return Status::Ok();
    Status s;
    if (txn_epoch_ == 0) {
      s = producer_->begin_transaction();
      if (s.ok()) txn_epoch_ = epoch_;
    }
    if (s.ok()) {
      s = producer_->produce_all(pending_, 0, deadline_after(write_timeout_), next_partition());
    }
    pending_.clear();
    producer_->poll();
    // Some messages may be in the transaction: the epoch cannot commit.
    return s.ok() ? s : fail_epoch(s);
  }

  void note_delivery_errors() {
    if (producer_->first_delivery_error().ok()) return;
    if (txn_error_.ok()) fail_epoch(producer_->first_delivery_error()).ignore();
    producer_->take_failed();  // not sent again: the epoch is replayed
    producer_->clear_delivery_error();
  }

  Status fail_epoch(const Status& error) {
    txn_error_ = error.with_location("epoch " + std::to_string(epoch_));
    return txn_error_;
  }

  // Ends the open transaction without committing it. A producer that cannot (a fatal error)
  // is replaced, which aborts it all the same (init_transactions).
  Status abort_transaction() {
    txn_epoch_ = 0;
    Status s = producer_->abort_transaction(write_timeout_);
    if (s.ok()) return s;
    producer_.reset();
    SLC_RETURN_IF_ERROR(make_producer());
    return producer_->init_transactions(write_timeout_);
  }

  // The progress record, then the commit: both or neither are in Kafka.
  Status commit_with_progress(uint64_t epoch) {
    const std::string value = std::to_string(epoch);
    Status s = producer_->produce_progress(options_.transactional_id, value, kProgressPartition,
                                           deadline_after(write_timeout_));
    if (s.ok()) s = producer_->commit_transaction(write_timeout_);
    if (!s.ok()) {
      // Aborted now, or by the next run's init_transactions: recovery sends the epoch again
      // from its staged file if the manifest decided it.
      abort_transaction().ignore();
      return s.with_location("commit of epoch " + std::to_string(epoch));
    }
    txn_epoch_ = 0;
    return Status::Ok();
  }

  // A decided epoch whose transaction was aborted, sent again from its staged file.
  Status resend(uint64_t epoch, const sink::StagedEpoch* expected) {
    SLC_RETURN_IF_ERROR(producer_->begin_transaction());
    txn_epoch_ = epoch;
    const Deadline deadline = deadline_after(write_timeout_);
    Status s = stage_->read(epoch, expected, [&](auto key, auto value) {
      return producer_->produce(key, value, deadline);
    });
    if (s.ok()) s = commit_with_progress(epoch);
    if (!s.ok()) {
      if (txn_epoch_ != 0) abort_transaction().ignore();
      return s.with_location("sending again decided epoch " + std::to_string(epoch));
    }
    return Status::Ok();
  }

  KafkaSinkOptions options_;
  std::string data_dir_;
  std::string name_;
  milliseconds write_timeout_{30000};
  bool exactly_once_ = false;
  std::optional<MessageEncoder> encoder_;
  std::shared_ptr<ProducerCounters> counters_ = std::make_shared<ProducerCounters>();
  std::unique_ptr<KafkaProducer> producer_;
  int32_t partitions_ = 0;  // the topic's, at open
  int32_t rotation_ = 0;    // next_partition()'s next keyless partition
  // at-least-once
  EncodedMessages messages_;                   // the batch being written; reused
  std::vector<KafkaProducer::Failed> resend_;  // failed deliveries, sent again at the next flush
  // exactly-once
  std::unique_ptr<EpochStage> stage_;
  EncodedMessages pending_;  // staged, not yet in a transaction (an epoch is pre-committed)
  uint64_t epoch_ = 0;       // the epoch being written
  uint64_t txn_epoch_ = 0;   // the epoch whose transaction is open (0: none)
  uint64_t prepared_ = 0;    // the pre-committed epoch, awaiting commit or rollback (0: none)
  std::optional<sink::StagedEpoch> staged_;  // what pre_commit(prepared_) staged
  Status txn_error_;                         // the open epoch cannot commit: why
};

}  // namespace

Result<std::unique_ptr<sink::Sink>> make_kafka_sink(const sql::SinkDef& def,
                                                    const SinkFactoryContext& context) {
  return std::unique_ptr<sink::Sink>(
      std::make_unique<KafkaSink>(kafka_sink_options(def.options, def.name), context.data_dir));
}

}  // namespace sluice::connectors::kafka
