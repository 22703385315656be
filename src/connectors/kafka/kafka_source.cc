#include "connectors/kafka/kafka_source.h"

#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <cstdio>
#include <set>
#include <string_view>
#include <vector>

#include "columnar/row_decoder.h"
#include "common/wait_signal.h"
#include "connectors/kafka/kafka_source_options.h"
#include "connectors/kafka/partition_watermarks.h"
#include "sluice/column_builder.h"

namespace sluice::connectors::kafka {
namespace {

constexpr int64_t kBatchRows = 8192;
constexpr int kLoggedErrors = 10;
constexpr int kIdlePollMs = 100;  // a poll's wait when nothing is pending; bounds stop's delay
constexpr size_t kPollMessages = 1024;  // the most messages one batch call returns
constexpr std::chrono::milliseconds kLagInterval{500};
constexpr int kLagEveryMessages = 4096;
constexpr std::chrono::milliseconds kLinger{5};
constexpr std::chrono::milliseconds kMetadataSlice{500};  // between stop checks at open
constexpr std::chrono::milliseconds kMetadataRetry{100};  // after a refused connection
// How many messages ahead of the one decoded its payload's first two cache lines are fetched
// (on_messages): a message's decoding takes about a memory access's time, so three ahead they
// have arrived when its turn comes.
constexpr size_t kPrefetchAhead = 3;

std::string split_name(std::string_view topic, int32_t partition) {
  std::string s(topic);
  s += '/';
  s += std::to_string(partition);
  return s;
}

// "topic/partition" back into its parts (Kafka topic names hold no '/').
bool parse_split(const std::string& split, std::string& topic, int32_t& partition) {
  const size_t slash = split.rfind('/');
  if (slash == std::string::npos || slash + 1 == split.size()) return false;
  topic = split.substr(0, slash);
  partition = 0;
  for (size_t i = slash + 1; i < split.size(); ++i) {
    if (split[i] < '0' || split[i] > '9') return false;
    partition = partition * 10 + (split[i] - '0');
  }
  return true;
}

int64_t steady_micros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             SteadyClock::now().time_since_epoch())
      .count();
}

}  // namespace

// The consumer and what the source knows per partition, on the connector's thread only
// (librdkafka serves the rebalance callback inside consumer_poll, on the same thread).
class KafkaSource::Reader {
 public:
  Reader(KafkaSource& owner, KafkaSourceOptions options)
      : owner_(owner),
        options_(std::move(options)),
        where_("source '" + owner.source().name() + "'"),
        watermarks_(owner.source().definition->watermark_delay, options_.idle_timeout_micros) {
    const sql::SourceDef& def = *owner.source().definition;
    if (def.connector_watermark) watermark_column_ = def.watermark_column;
    // The message's value holds every column but the one its timestamp fills.
    std::vector<Field> value_fields;
    for (int i = 0; i < def.schema->num_fields(); ++i) {
      if (i != options_.timestamp_column) value_fields.push_back(def.schema->field(i));
    }
    SchemaPtr value_schema = make_schema(std::move(value_fields));
    if (options_.format == MessageFormat::kCsv) {
      CsvOptions csv;
      csv.delimiter = options_.delimiter;
      decoder_ = make_csv_decoder(value_schema, csv);
    } else {
      decoder_ = make_json_lines_decoder(value_schema);
    }
    // A checkpoint's offsets: where each partition resumes when it is assigned.
    for (const auto& [split, offset] : owner.source().resume_splits())
      positions_[split].next = offset;
    on_error_ = [this](const Status& error) {
      if (!options_.skip_bad) return false;
      skip(locate(error, current_));
      return true;
    };
  }

  ~Reader() {
    if (rk_ == nullptr) return;
    if (queue_ != nullptr) rd_kafka_queue_destroy(queue_);
    closing_ = true;  // the revoke that leaving the group brings pushes nothing
    rd_kafka_consumer_close(rk_);
    rd_kafka_destroy(rk_);
  }

  // Makes the consumer, checks that the cluster answers and knows every topic, subscribes.
  Status open() {
    SLC_ASSIGN_OR_RETURN(rd_kafka_conf_t * conf,
                         make_conf(options_.properties, "option 'properties."));
    rd_kafka_conf_set_opaque(conf, this);
    rd_kafka_conf_set_rebalance_cb(conf, &Reader::on_rebalance);
    char why[512];
    rk_ = rd_kafka_new(RD_KAFKA_CONSUMER, conf, why, sizeof why);
    if (rk_ == nullptr) {
      rd_kafka_conf_destroy(conf);
      return Status(ErrorCode::kSqlInvalidOption, std::string("the Kafka properties: ") + why);
    }
    rd_kafka_poll_set_consumer(rk_);
    queue_ = rd_kafka_queue_get_consumer(rk_);
    for (const std::string& topic : options_.topics) SLC_RETURN_IF_ERROR(check_topic(topic));
    rd_kafka_topic_partition_list_t* topics =
        rd_kafka_topic_partition_list_new(static_cast<int>(options_.topics.size()));
    for (const std::string& topic : options_.topics)
      rd_kafka_topic_partition_list_add(topics, topic.c_str(), RD_KAFKA_PARTITION_UA);
    const rd_kafka_resp_err_t err = rd_kafka_subscribe(rk_, topics);
    rd_kafka_topic_partition_list_destroy(topics);
    if (err) {
      return Status(ErrorCode::kRejected,
                    "Kafka " + options_.bootstrap + ": subscribing: " + rd_kafka_err2str(err));
    }
    return Status::Ok();
  }

  // Reads until stopped, a fatal error (recorded), or a push fails (the database closed).
  // Messages come up to kPollMessages per rd_kafka_consume_batch_queue (one
  // rd_kafka_consumer_poll waits for the first when none is queued): per message,
  // rd_kafka_consumer_poll reads the clock up to four times (about 50 ns each on this VM) and
  // takes three locks, which the batch call does once per call (it still locks the queue per
  // message); kafka_source_bench measured the consumer's CPU per message halved. librdkafka
  // 2.0.2's batch call may serve a rebalance in the middle of a batch and still return messages
  // read before it; on_messages drops those (stale()).
  void run() {
    Deadline next_lag = SteadyClock::now();
    int wait_ms = kIdlePollMs;
    while (!owner_.stopping() && !failed_ && !done_) {
      commit_checkpointed();
      if (hold_for_alignment()) continue;
      const uint64_t rebalances_before = rebalances_;
      // What is queued, without waiting: a batch call that may wait returns only with a full
      // batch or at its timeout, so a trickle of messages would wait the whole wait_ms.
      ssize_t n = rd_kafka_consume_batch_queue(queue_, 0, messages_.data(), messages_.size());
      if (n <= 0 && wait_ms > 0) {
        // Nothing queued: wait for the first message alone.
        messages_[0] = rd_kafka_consumer_poll(rk_, wait_ms);
        n = messages_[0] != nullptr ? 1 : 0;
      }
      if (n <= 0) {
        // Caught up for now: what is decoded goes once it has waited long enough, and idle
        // partitions may move the watermark.
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(push_by_ - SteadyClock::now());
        if (decoder_->num_rows() > 0 && left.count() > 0) {
          wait_ms = static_cast<int>(left.count());
          continue;
        }
        if (!push_rows() || !advance_watermark()) break;
      } else if (!on_messages(static_cast<size_t>(n), rebalances_ != rebalances_before)) {
        break;
      }
      wait_ms = decoder_->num_rows() > 0 ? 0 : kIdlePollMs;
      // The clock is read at an empty poll or every kLagEveryMessages messages, not per message.
      if (n > 0) since_lag_check_ += static_cast<int>(n);
      const bool check = n <= 0 || since_lag_check_ >= kLagEveryMessages;
      if (check) since_lag_check_ = 0;
      if (check && SteadyClock::now() >= next_lag) {
        update_lag();
        next_lag = deadline_after(kLagInterval);
      }
    }
    if (skipped_logged_ > kLoggedErrors) {
      std::fprintf(stderr, "sluice: %s: %lld bad messages skipped in all\n", where_.c_str(),
                   static_cast<long long>(owner_.skipped_.load()));
    }
  }

 private:
  static void on_rebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                           rd_kafka_topic_partition_list_t* partitions, void* opaque) {
    Reader* self = static_cast<Reader*>(opaque);
    ++self->rebalances_;
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
      self->assign(partitions);
    } else {
      self->revoke(partitions);
      rd_kafka_assign(rk, nullptr);
    }
  }

  // Where each assigned partition starts: the larger of what the source knows (its checkpoint,
  // its pushes) and the group's committed offset; with neither, `start`.
  void assign(rd_kafka_topic_partition_list_t* partitions) {
    rd_kafka_topic_partition_list_t* committed = rd_kafka_topic_partition_list_copy(partitions);
    const rd_kafka_resp_err_t err =
        rd_kafka_committed(rk_, committed, static_cast<int>(options_.connect_timeout.count()));
    rd_kafka_topic_partition_list_t* by_time = rd_kafka_topic_partition_list_new(0);
    const int64_t now = steady_micros();
    for (int i = 0; i < partitions->cnt; ++i) {
      rd_kafka_topic_partition_t& p = partitions->elems[i];
      const std::string split = split_name(p.topic, p.partition);
      int64_t offset = -1;
      if (auto it = positions_.find(split); it != positions_.end()) offset = it->second.next;
      if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        const rd_kafka_topic_partition_t* c =
            rd_kafka_topic_partition_list_find(committed, p.topic, p.partition);
        if (c != nullptr && c->err == RD_KAFKA_RESP_ERR_NO_ERROR && c->offset >= 0)
          offset = std::max(offset, c->offset);
      }
      if (offset >= 0) {
        p.offset = offset;
        // Where the partition starts is what the source has read of it (stale(), the lag);
        // rows of it pending a push (none after a revoke's push) keep theirs.
        Position& position = positions_[split];
        if (!position.pending) position.next = offset;
      } else if (options_.start == KafkaSourceOptions::Start::kTimestamp) {
        rd_kafka_topic_partition_list_add(by_time, p.topic, p.partition)->offset =
            options_.start_micros / 1000;
      } else {
        p.offset = options_.start == KafkaSourceOptions::Start::kLatest ? RD_KAFKA_OFFSET_END
                                                                        : RD_KAFKA_OFFSET_BEGINNING;
      }
      assigned_.insert(split);
      watermarks_.assign(split, now);
    }
    rd_kafka_topic_partition_list_destroy(committed);
    if (by_time->cnt > 0) {
      // The first message at or after `start`; none (-1): the partition's end.
      const rd_kafka_resp_err_t terr = rd_kafka_offsets_for_times(
          rk_, by_time, static_cast<int>(options_.connect_timeout.count()));
      for (int i = 0; i < by_time->cnt; ++i) {
        const rd_kafka_topic_partition_t& t = by_time->elems[i];
        rd_kafka_topic_partition_t* p =
            rd_kafka_topic_partition_list_find(partitions, t.topic, t.partition);
        p->offset = terr == RD_KAFKA_RESP_ERR_NO_ERROR && t.err == RD_KAFKA_RESP_ERR_NO_ERROR &&
                            t.offset >= 0
                        ? t.offset
                        : RD_KAFKA_OFFSET_END;
      }
    }
    rd_kafka_topic_partition_list_destroy(by_time);
    rd_kafka_assign(rk_, partitions);
  }

  // The partitions go to another member: what was read of them is pushed first, so the
  // source's offsets for them are those of rows the pipeline has.
  void revoke(rd_kafka_topic_partition_list_t* partitions) {
    if (!closing_ && !failed_) push_rows();
    for (int i = 0; i < partitions->cnt; ++i) {
      const std::string split =
          split_name(partitions->elems[i].topic, partitions->elems[i].partition);
      assigned_.erase(split);
      watermarks_.revoke(split);
    }
    MutexLock lock(owner_.lag_mutex_);
    for (int i = 0; i < partitions->cnt; ++i)
      owner_.lag_.erase(split_name(partitions->elems[i].topic, partitions->elems[i].partition));
  }

  Status check_topic(const std::string& topic) {
    rd_kafka_topic_t* handle = rd_kafka_topic_new(rk_, topic.c_str(), nullptr);
    const Deadline deadline = deadline_after(options_.connect_timeout);
    const rd_kafka_metadata_t* metadata = nullptr;
    rd_kafka_resp_err_t err;
    // In slices, so that a stop request is seen while an address does not answer; a refused
    // connection is tried again until connect.timeout (a broker may be starting).
    for (;;) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now());
      const auto slice = std::clamp(left, std::chrono::milliseconds(1), kMetadataSlice);
      err = rd_kafka_metadata(rk_, 0, handle, &metadata, static_cast<int>(slice.count()));
      if (err == RD_KAFKA_RESP_ERR_NO_ERROR || SteadyClock::now() >= deadline) break;
      if (err != RD_KAFKA_RESP_ERR__TIMED_OUT &&
          !owner_.sleep_until(std::min(deadline, deadline_after(kMetadataRetry))))
        break;
      if (owner_.stopping()) break;
    }
    rd_kafka_topic_destroy(handle);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return Status(ErrorCode::kUnavailable, "Kafka " + options_.bootstrap +
                                                 " did not answer within " +
                                                 std::to_string(options_.connect_timeout.count()) +
                                                 " ms (connect.timeout): " + rd_kafka_err2str(err));
    }
    rd_kafka_resp_err_t topic_err = RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART;
    for (int i = 0; i < metadata->topic_cnt; ++i) {
      if (topic == metadata->topics[i].topic) topic_err = metadata->topics[i].err;
    }
    rd_kafka_metadata_destroy(metadata);
    if (topic_err == RD_KAFKA_RESP_ERR_NO_ERROR) return Status::Ok();
    return Status(topic_err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART
                      ? ErrorCode::kSqlInvalidOption
                      : ErrorCode::kRejected,
                  "Kafka topic '" + topic + "' on " + options_.bootstrap + ": " +
                      rd_kafka_err2str(topic_err));
  }

  // The first `n` of messages_, each destroyed here; `rebalanced`: a rebalance was served
  // during the call that read them. False when reading must stop.
  // The payloads lie in the fetch buffers the broker thread received them into, most likely in
  // the other core's cache or in memory: the decoder's first reads of each waited for them
  // (under load, when other processes evict the caches, most of all). They are fetched a few
  // messages ahead (kafka_source_bench --only source, 18 runs each, interleaved, load 4-6:
  // median 0.445 CPU us/row with, 0.535 without; the messages' headers are in the cache already,
  // the batch call read them).
  bool on_messages(size_t n, bool rebalanced) {
    bool go_on = true;
    for (size_t i = 0; i < n; ++i) {
      rd_kafka_message_t* const m = messages_[i];
      if (i + kPrefetchAhead < n) {
        const auto* const ahead = static_cast<const char*>(messages_[i + kPrefetchAhead]->payload);
        if (ahead != nullptr) {  // a tombstone has none
          __builtin_prefetch(ahead);
          __builtin_prefetch(ahead + 64);
        }
      }
      if (go_on && !(rebalanced && stale(m))) {
        // Rows wait for more at most kLinger after the first of them (when the fetched messages
        // run out before a full batch): fewer, fuller pushes, each a wake-up of the compute
        // thread.
        const bool first = decoder_->num_rows() == 0;
        go_on = m->err ? on_consumer_error(m) : on_message(m);
        if (go_on && first && decoder_->num_rows() > 0) push_by_ = deadline_after(kLinger);
        if (go_on && decoder_->num_rows() >= kBatchRows) go_on = push_rows();
      }
      rd_kafka_message_destroy(m);
    }
    return go_on;
  }

  // A message a batch call read before the rebalance it served: of a partition no longer
  // assigned here (its new owner reads it), or before where the partition's new assignment
  // starts (it is read again from there).
  bool stale(const rd_kafka_message_t* m) const {
    if (m->err || m->rkt == nullptr) return false;
    const std::string split = split_name(rd_kafka_topic_name(m->rkt), m->partition);
    if (!assigned_.count(split)) return true;
    const auto it = positions_.find(split);
    return it != positions_.end() && m->offset < it->second.next;
  }

  // One message: a row (or a bad message, skipped or fatal). False when reading must stop.
  bool on_message(rd_kafka_message_t* m) {
    if (m->rkt != last_topic_ || m->partition != last_partition_) {
      last_topic_ = m->rkt;
      last_partition_ = m->partition;
      last_ = &*positions_.try_emplace(split_name(rd_kafka_topic_name(m->rkt), m->partition)).first;
    }
    const std::string& split = last_->first;
    if (watermark_column_ >= 0) watermarks_.touch(split, steady_micros());
    if (m->payload == nullptr) {  // a tombstone (a compacted topic's delete): no row
      consumed(m->offset);
      return true;
    }
    const int64_t before = decoder_->num_rows();
    int64_t timestamp_micros = -1;
    if (options_.timestamp_column >= 0) {
      rd_kafka_timestamp_type_t type;
      const int64_t ms = rd_kafka_message_timestamp(m, &type);
      if (ms >= 0) timestamp_micros = ms * 1000;
    }
    current_ = m;
    decoder_->set_next_line(1);
    Result<size_t> decoded = decoder_->append(
        std::string_view(static_cast<const char*>(m->payload), m->len), true, on_error_);
    if (!decoded.ok()) {
      // on.error = 'fail': the rows before it go first, then the pipeline fails; the message's
      // partition stays at it.
      if (push_rows()) {
        owner_.ingest().fail_after_input(owner_.source(),
                                         locate(decoded.status(), m).with_location(where_));
      }
      failed_ = true;
      return false;
    }
    const int64_t rows = decoder_->num_rows() - before;
    for (int64_t r = 0; r < rows; ++r) {
      if (watermark_column_ >= 0) row_splits_.push_back(&split);
      if (options_.timestamp_column < 0) continue;
      if (timestamp_micros >= 0) {
        timestamps_.append_int64(timestamp_micros);
      } else {
        timestamps_.append_null();
      }
    }
    consumed(m->offset);
    return true;
  }

  // The message at `offset` of the last message's partition is read.
  void consumed(int64_t offset) {
    last_->second.next = offset + 1;
    if (!last_->second.pending) {
      last_->second.pending = true;
      pending_.push_back(last_);
    }
  }

  static Status locate(const Status& error, const rd_kafka_message_t* m) {
    return error.with_location("Kafka topic '" + std::string(rd_kafka_topic_name(m->rkt)) +
                               "' partition " + std::to_string(m->partition) + " offset " +
                               std::to_string(m->offset));
  }

  void skip(const Status& error) {
    owner_.skipped_.fetch_add(1);
    if (skipped_logged_++ < kLoggedErrors) {
      std::fprintf(stderr, "sluice: %s: skipped: %s\n", where_.c_str(), error.to_string().c_str());
    }
  }

  // A consumer error: fatal ones (an unknown topic, no authorization) fail the database; the
  // rest (a broker away) librdkafka retries by itself.
  bool on_consumer_error(rd_kafka_message_t* m) {
    const rd_kafka_resp_err_t err = m->err;
    const bool fatal = err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART ||
                       err == RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED ||
                       err == RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED ||
                       err == RD_KAFKA_RESP_ERR__FATAL;
    if (!fatal) return true;
    const std::string topic = m->rkt != nullptr ? rd_kafka_topic_name(m->rkt) : "";
    Status error(err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART ? ErrorCode::kSqlInvalidOption
                                                                : ErrorCode::kRejected,
                 "Kafka " +
                     (topic.empty() ? options_.bootstrap
                                    : "topic '" + topic + "' on " + options_.bootstrap) +
                     ": " + rd_kafka_message_errstr(m));
    if (push_rows()) owner_.ingest().fail_after_input(owner_.source(), error.with_location(where_));
    failed_ = true;
    return false;
  }

  // Pushes the decoded rows with each partition's offset after them (offsets alone when the
  // messages read since made no row), then the watermark they moved. False when the push failed
  // (the database closed or the source was dropped).
  bool push_rows() {
    // Without rows the offsets still go when messages were read (skipped, or tombstones).
    if (decoder_->num_rows() == 0 && pending_.empty()) return true;
    RecordBatch batch = decoder_->finish();
    if (options_.timestamp_column >= 0) {
      std::vector<Column> columns = batch.columns();
      columns.insert(columns.begin() + options_.timestamp_column, timestamps_.finish());
      Result<RecordBatch> whole = RecordBatch::make(owner_.source().schema(), std::move(columns));
      if (!whole.ok()) {
        owner_.ingest().fail(whole.status().with_location(where_));
        failed_ = true;
        return false;
      }
      batch = std::move(whole).value();
    }
    // A full batch: a backlog is being read, and the next batch is likely full too. Its columns
    // are made whole at once, not grown by doubling (3 % of the reader's time was their copies);
    // a trickle's small batches keep small columns.
    if (batch.num_rows() >= kBatchRows) {
      decoder_->reserve(kBatchRows);
      if (options_.timestamp_column >= 0) timestamps_.reserve(kBatchRows);
    }
    if (watermark_column_ >= 0) {
      const Column& time = batch.column(watermark_column_);
      for (int64_t r = 0; r < batch.num_rows(); ++r) {
        if (!time.is_null(r)) watermarks_.observe(*row_splits_[r], time.int64_value(r));
      }
    }
    row_splits_.clear();
    std::vector<runtime::SplitOffset> splits;
    splits.reserve(pending_.size());
    for (auto* position : pending_) {
      splits.push_back({position->first, position->second.next});
      position->second.pending = false;
    }
    pending_.clear();
    owner_.rows_read_.fetch_add(batch.num_rows());
    if (!owner_.ingest().push_splits(owner_.source(), std::move(batch), std::move(splits)).ok())
      return false;
    return advance_watermark();
  }

  bool advance_watermark() {
    if (watermark_column_ < 0) return true;
    const int64_t w = watermarks_.watermark(steady_micros());
    if (w == PartitionWatermarks::kNone || w <= pushed_watermark_) return true;
    pushed_watermark_ = w;
    return owner_.ingest().advance_watermark(owner_.source(), w).ok();
  }

  // Watermark alignment (runtime/watermark_alignment.h): while the source's watermark is more
  // than its max drift ahead of its group's lowest, its partitions are paused
  // (rd_kafka_pause_partitions: nothing more is fetched; librdkafka resumes each from the next
  // offset not yet returned) and the consumer still polls between waits of kIdlePollMs, so it
  // stays in its consumer group (one that does not poll within max.poll.interval.ms leaves it)
  // and serves rebalances. A wait ends at once when the group moves or the source is stopped.
  // True while it holds (this loop read nothing new), false when reading may go on.
  bool hold_for_alignment() {
    runtime::AlignmentMember* member = owner_.source().alignment.get();
    if (member == nullptr) return false;
    const bool ahead = member->ahead();
    if (!ahead && !paused_) return false;
    if (!paused_) {
      // What is decoded is read already: it goes now, not after the pause.
      if (!push_rows() || !advance_watermark()) {
        done_ = true;
        return true;
      }
    }
    if (ahead) pause_assignment(true);  // again each time: a rebalance may have assigned more
    const bool aligned = member->wait_aligned(
        [this] {
          return owner_.stopping() || owner_.source().dropped.load(std::memory_order_acquire);
        },
        deadline_after(std::chrono::milliseconds(kIdlePollMs)));
    if (aligned) {
      pause_assignment(false);
      // The pause is no quiet spell: no partition counts as idle for it (it would move the
      // watermark past rows the partition still holds).
      for (const std::string& split : assigned_) watermarks_.touch(split, steady_micros());
      return false;
    }
    if (owner_.stopping()) return true;
    const uint64_t rebalances_before = rebalances_;
    messages_[0] = rd_kafka_consumer_poll(rk_, 0);  // serves rebalances; an error comes here
    if (messages_[0] != nullptr && !on_messages(1, rebalances_ != rebalances_before)) done_ = true;
    return true;
  }

  void pause_assignment(bool pause) {
    rd_kafka_topic_partition_list_t* assignment = nullptr;
    if (rd_kafka_assignment(rk_, &assignment) == RD_KAFKA_RESP_ERR_NO_ERROR &&
        assignment != nullptr) {
      if (assignment->cnt > 0) {
        if (pause)
          rd_kafka_pause_partitions(rk_, assignment);
        else
          rd_kafka_resume_partitions(rk_, assignment);
      }
      rd_kafka_topic_partition_list_destroy(assignment);
    }
    paused_ = pause;
  }

  // After a checkpoint commit: its offsets go to the group, for the partitions still read here
  // (another member's progress on a partition that moved is not overwritten with an older one).
  void commit_checkpointed() {
    std::map<std::string, int64_t> splits;
    if (!owner_.source().committed_splits_since(commit_generation_, splits)) return;
    rd_kafka_topic_partition_list_t* offsets = rd_kafka_topic_partition_list_new(0);
    std::string topic;
    int32_t partition = 0;
    for (const auto& [split, offset] : splits) {
      if (!assigned_.count(split) || !parse_split(split, topic, partition)) continue;
      rd_kafka_topic_partition_list_add(offsets, topic.c_str(), partition)->offset = offset;
    }
    // Asynchronous: a commit that fails is followed by the next checkpoint's.
    if (offsets->cnt > 0) rd_kafka_commit(rk_, offsets, 1);
    rd_kafka_topic_partition_list_destroy(offsets);
  }

  // The lag of each assigned partition from librdkafka's cached high watermarks.
  void update_lag() {
    std::map<std::string, int64_t> lag;
    std::string topic;
    int32_t partition = 0;
    for (const std::string& split : assigned_) {
      if (!parse_split(split, topic, partition)) continue;
      int64_t low = 0, high = 0;
      if (rd_kafka_get_watermark_offsets(rk_, topic.c_str(), partition, &low, &high) !=
              RD_KAFKA_RESP_ERR_NO_ERROR ||
          high < 0)
        continue;
      auto it = positions_.find(split);
      const int64_t next = it != positions_.end() ? it->second.next : low;
      lag[split] = std::max<int64_t>(0, high - std::max(next, low));
    }
    MutexLock lock(owner_.lag_mutex_);
    owner_.lag_ = std::move(lag);
  }

  KafkaSource& owner_;
  const KafkaSourceOptions options_;
  const std::string where_;
  rd_kafka_t* rk_ = nullptr;
  rd_kafka_queue_t* queue_ = nullptr;  // the consumer's queue, read in batches
  std::vector<rd_kafka_message_t*> messages_ = std::vector<rd_kafka_message_t*>(kPollMessages);
  std::unique_ptr<RowDecoder> decoder_;
  ColumnBuilder timestamps_{DataType::kTimestamp};  // timestamp.column's, row by row
  struct Position {
    int64_t next = 0;      // the next offset to read
    bool pending = false;  // read since the last push (in pending_)
  };
  // Per partition ("topic/partition"): known from the checkpoint or read here (std::map: its
  // entries stay put, pending_, last_ and row_splits_ point at them).
  std::map<std::string, Position> positions_;
  std::vector<std::pair<const std::string, Position>*> pending_;
  std::vector<const std::string*> row_splits_;   // each decoded row's partition (watermarks)
  const rd_kafka_message_t* current_ = nullptr;  // the message being decoded, for on_error_
  DecodeErrorHandler on_error_;                  // made once: skip or fail a bad message
  std::set<std::string> assigned_;               // what the group gave this member
  PartitionWatermarks watermarks_;
  int watermark_column_ = -1;  // the watermark's column when the source makes it here
  int64_t pushed_watermark_ = PartitionWatermarks::kNone;
  uint64_t commit_generation_ = 0;
  // The last message's partition, so a run of messages from one finds its entry once.
  rd_kafka_topic_t* last_topic_ = nullptr;
  int32_t last_partition_ = -1;
  std::pair<const std::string, Position>* last_ = nullptr;
  int64_t skipped_logged_ = 0;
  int since_lag_check_ = 0;
  uint64_t rebalances_ = 0;                // rebalance callbacks served
  Deadline push_by_ = SteadyClock::now();  // the decoded rows' push is due (kLinger)
  bool closing_ = false;
  bool failed_ = false;
  bool done_ = false;    // a push failed while paused for alignment: the database closed
  bool paused_ = false;  // the assignment is paused for watermark alignment
};

void KafkaSource::run() {
  const std::string where = "source '" + source().name() + "'";
  Result<KafkaSourceOptions> options =
      kafka_source_options(source().definition->options, *source().schema(), source().name());
  if (!options.ok()) {
    ingest().fail(options.status().with_location(where));
    return;
  }
  Reader reader(*this, std::move(options).value());
  if (Status opened = reader.open(); !opened.ok()) {
    if (!stopping()) ingest().fail(opened.with_location(where));
    return;
  }
  reader.run();
}

}  // namespace sluice::connectors::kafka
