#include "sink/sink_task.h"

#include <random>

namespace sluice::sink {

namespace {
constexpr std::chrono::milliseconds kMaxBackoff{30000};
}

SinkTask::SinkTask(std::string name, std::unique_ptr<Sink> sink, SinkOptions options)
    : name_(std::move(name)),
      sink_(std::move(sink)),
      options_(options),
      flush_interval_(options.flush_interval.value_or(sink_->default_flush_interval())),
      queue_(options.queue_capacity) {}

SinkTask::~SinkTask() {
  close().ignore();
}

std::shared_ptr<Completion<Status>> SinkTask::start(Opening opening, FailureHandler on_failure,
                                                    DeadLetterHandler dead_letter) {
  on_failure_ = std::move(on_failure);
  dead_letter_ = std::move(dead_letter);
  auto opened = make_completion<Status>();
  thread_ = std::thread([this, opening = std::move(opening), opened] {
    Status s = open_connector(opening);
    if (s.ok()) state_.store(State::kRunning);
    opened->set(s);
    s.ok() ? run() : refuse(s);
  });
  return opened;
}

Status SinkTask::open_connector(const Opening& opening) {
  Status s = sink_->open(
      SinkContext{name_, opening.schema, options_.write_timeout, options_.exactly_once});
  if (!s.ok()) return s.with_location("sink '" + name_ + "'");
  if (!opening.resume) return s;
  const Resume& resume = *opening.resume;
  if (options_.exactly_once) {
    // Resuming from an older checkpoint than the connector has committed would write the
    // epochs between them again.
    Result<uint64_t> committed = sink_->committed_epoch();
    s = committed.status();
    if (s.ok() && *committed > resume.epoch && resume.committed_past)
      s = resume.committed_past(*committed);
  }
  if (s.ok()) s = sink_->recover(resume.epoch, resume.staged);
  if (!s.ok()) {
    sink_->close().ignore();
    return s.with_location("sink '" + name_ + "', recovering");
  }
  return s;
}

std::optional<StagedEpoch> SinkTask::staged_epoch(uint64_t epoch) const {
  MutexLock lock(staged_mutex_);
  if (staged_for_ != epoch) return std::nullopt;
  return staged_;
}

void SinkTask::refuse(const Status& error) {
  {
    MutexLock lock(error_mutex_);
    last_error_ = error.to_string();
  }
  state_.store(State::kFailed);
  for (;;) {
    Command c;
    if (queue_.pop(c) != QueueStatus::kOk) return;
    if (c.kind == Kind::kWrite)
      failed_rows_.fetch_add(c.batch.num_rows(), std::memory_order_relaxed);
    if (c.ack != nullptr) c.ack->set(c.kind == Kind::kClose ? Status::Ok() : error);
    if (c.kind == Kind::kClose) return;
  }
}

Status SinkTask::submit(const RecordBatch& batch, const std::atomic<bool>& abandon) {
  Command c;
  c.batch = batch;
  QueueStatus s = queue_.try_push(c);
  if (s == QueueStatus::kOk || s == QueueStatus::kClosed) return Status::Ok();
  // Full.
  backpressure_.fetch_add(1, std::memory_order_relaxed);
  switch (options_.queue_full) {
    case QueueFull::kDrop:
      dropped_rows_.fetch_add(batch.num_rows(), std::memory_order_relaxed);
      return Status::Ok();
    case QueueFull::kFail:
      failed_rows_.fetch_add(batch.num_rows(), std::memory_order_relaxed);
      return Status(ErrorCode::kResourceExhausted,
                    "the queue of " + std::to_string(options_.queue_capacity) +
                        " batches is full (queue.full = 'fail'): the sink cannot keep up",
                    "sink '" + name_ + "'");
    case QueueFull::kBlock:
      break;
  }
  for (;;) {
    s = queue_.push(c, deadline_after(std::chrono::milliseconds(100)));
    if (s == QueueStatus::kOk || s == QueueStatus::kClosed) return Status::Ok();
    if (abandon.load(std::memory_order_acquire)) {
      dropped_rows_.fetch_add(batch.num_rows(), std::memory_order_relaxed);
      return Status::Ok();
    }
  }
}

Status SinkTask::submit_blocking(const RecordBatch& batch) {
  Command c;
  c.batch = batch;
  return queue_.push(c) == QueueStatus::kOk
             ? Status::Ok()
             : Status(ErrorCode::kClosed, "sink '" + name_ + "' is closed");
}

std::shared_ptr<Completion<Status>> SinkTask::post(Kind kind, uint64_t epoch, bool want_ack) {
  auto done = want_ack ? make_completion<Status>() : nullptr;
  Command c;
  c.kind = kind;
  c.epoch = epoch;
  c.ack = done;
  if (queue_.push(c) != QueueStatus::kOk && done) {
    done->set(Status(ErrorCode::kClosed, "sink '" + name_ + "' is closed"));
  }
  return done;
}

Status SinkTask::call(Kind kind, uint64_t epoch) {
  return post(kind, epoch, true)->wait();
}

std::shared_ptr<Completion<Status>> SinkTask::post_pre_commit(uint64_t epoch) {
  return post(Kind::kPreCommit, epoch, true);
}

void SinkTask::post_begin_epoch(uint64_t epoch) {
  post(Kind::kBegin, epoch, false);
}

Status SinkTask::flush() {
  return call(Kind::kFlush, 0);
}
Status SinkTask::begin_epoch(uint64_t e) {
  return call(Kind::kBegin, e);
}
Status SinkTask::pre_commit(uint64_t e) {
  return call(Kind::kPreCommit, e);
}
Status SinkTask::commit(uint64_t e) {
  return call(Kind::kCommit, e);
}
Status SinkTask::rollback(uint64_t e) {
  return call(Kind::kRollback, e);
}

Status SinkTask::close() {
  if (closed_.exchange(true)) return Status::Ok();
  if (!thread_.joinable()) return Status::Ok();  // never started, so never opened
  closing_.store(true, std::memory_order_release);
  closing_signal_.notify_all();  // a paused sink stops retrying
  Status result = call(Kind::kClose, 0);
  queue_.close();
  thread_.join();
  return result;
}

void SinkTask::back_off(int attempt) {
  static thread_local std::mt19937_64 rng(std::random_device{}());
  auto delay = options_.retry_backoff * (int64_t{1} << std::min(attempt, 20));
  if (delay > kMaxBackoff) delay = kMaxBackoff;
  // Full jitter between half and the whole delay: retries of many sinks do not line up.
  std::uniform_real_distribution<double> jitter(0.5, 1.0);
  const auto wait = std::chrono::duration_cast<std::chrono::nanoseconds>(delay * jitter(rng));
  closing_signal_.wait_until([&] { return closing_.load(std::memory_order_acquire); },
                             deadline_after(wait));
}

void SinkTask::write(const RecordBatch& batch) {
  for (int attempt = 0;; ++attempt) {
    const auto start = SteadyClock::now();
    Status s = sink_->write(batch);
    const auto took = SteadyClock::now() - start;
    write_latency_.record(
        static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(took).count()));
    if (took > options_.write_timeout) {
      // The connector did not hold to write.timeout: visible, not silent.
      slow_writes_.fetch_add(1, std::memory_order_relaxed);
      MutexLock lock(error_mutex_);
      last_error_ =
          "sink '" + name_ + "': a write took " +
          std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(took).count()) +
          " ms, longer than write.timeout (" + std::to_string(options_.write_timeout.count()) +
          " ms)";
    }
    if (s.ok()) {
      rows_.fetch_add(batch.num_rows(), std::memory_order_relaxed);
      batches_.fetch_add(1, std::memory_order_relaxed);
      bytes_.store(sink_->bytes_written(), std::memory_order_relaxed);
      dirty_.store(true, std::memory_order_relaxed);
      // A buffered write says nothing of a flush that keeps failing: that trouble stays shown.
      if (failed_flushes_ == 0) recovered();
      return;
    }
    write_errors_.fetch_add(1, std::memory_order_relaxed);
    const Status located = s.with_location("sink '" + name_ + "'");
    {
      MutexLock lock(error_mutex_);
      last_error_ = located.to_string();
    }
    const bool closing = closing_.load(std::memory_order_acquire);
    if (attempt < options_.retry_max && !closing) {
      state_.store(State::kRetrying);
      retries_.fetch_add(1, std::memory_order_relaxed);
      back_off(attempt);
      continue;
    }
    if (options_.on_error == OnError::kPause && !closing) {
      state_.store(State::kPaused);  // keep retrying; the queue fills and pressure builds
      retries_.fetch_add(1, std::memory_order_relaxed);
      back_off(attempt);
      continue;
    }
    if (options_.on_error == OnError::kDeadLetter && dead_letter_) {
      if (Status d = dead_letter_(batch); d.ok()) {
        dead_lettered_rows_.fetch_add(batch.num_rows(), std::memory_order_relaxed);
        return;
      }
    }
    failed_rows_.fetch_add(batch.num_rows(), std::memory_order_relaxed);
    give_up(located);
    return;
  }
}

Status SinkTask::flush_now() {
  if (state_.load() == State::kFailed) return Status::Ok();
  Status s = sink_->flush();
  if (s.ok()) {
    dirty_.store(false, std::memory_order_relaxed);
    bytes_.store(sink_->bytes_written(), std::memory_order_relaxed);
    failed_flushes_ = 0;
    recovered();
  } else {
    MutexLock lock(error_mutex_);
    last_error_ = s.to_string();
  }
  return s;
}

void SinkTask::periodic_flush() {
  Status s = flush_now();
  if (s.ok()) return;
  if (state_.load() == State::kFailed) return;
  write_errors_.fetch_add(1, std::memory_order_relaxed);
  const Status located = s.with_location("sink '" + name_ + "', periodic flush");
  {
    MutexLock lock(error_mutex_);
    last_error_ = located.to_string();
  }
  // The rows stay with the connector: the next interval tries again, up to retry.max times.
  if (++failed_flushes_ <= options_.retry_max || closing_.load(std::memory_order_acquire)) {
    state_.store(State::kRetrying);
    retries_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  if (options_.on_error == OnError::kPause) {
    state_.store(State::kPaused);
    retries_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  // fail, and dead_letter too: there is no batch to hand on, the rows are the connector's.
  give_up(located);
}

void SinkTask::give_up(const Status& error) {
  if (state_.exchange(State::kFailed) == State::kFailed) return;
  gave_up_ = error;
  if (on_failure_) on_failure_(error);
}

void SinkTask::recovered() {
  const State now = state_.load();
  if (now == State::kPaused || now == State::kRetrying) state_.store(State::kRunning);
}

void SinkTask::run() {
  Deadline next_flush = deadline_after(flush_interval_);
  for (;;) {
    Command c;
    const QueueStatus got = queue_.pop(c, next_flush);
    if (got == QueueStatus::kTimeout || SteadyClock::now() >= next_flush) {
      if (dirty_.load(std::memory_order_relaxed)) periodic_flush();
      next_flush = deadline_after(flush_interval_);
      if (got == QueueStatus::kTimeout) continue;
    }
    if (got == QueueStatus::kClosed) return;
    Status result;
    switch (c.kind) {
      case Kind::kWrite:
        if (state_.load() == State::kFailed) {
          failed_rows_.fetch_add(c.batch.num_rows(), std::memory_order_relaxed);
        } else {
          write(c.batch);
        }
        break;
      case Kind::kFlush:
        result = flush_now();
        break;
      case Kind::kBegin:
        result = sink_->begin_epoch(c.epoch);
        break;
      case Kind::kPreCommit:
        // A sink that gave up on a write has lost rows of this epoch: it must not commit. The
        // error is the one it gave up on, located once (it names the sink already).
        result = state_.load() == State::kFailed
                     ? Status(gave_up_.code(),
                              "the sink gave up earlier: " + std::string(gave_up_.message()),
                              std::string(gave_up_.location()))
                     : sink_->pre_commit(c.epoch);
        if (result.ok()) {
          dirty_.store(false, std::memory_order_relaxed);
          MutexLock lock(staged_mutex_);  // before the ack: the coordinator reads it next
          staged_for_ = c.epoch;
          staged_ = sink_->staged_epoch(c.epoch);
        }
        break;
      case Kind::kCommit:
        result = sink_->commit(c.epoch);
        if (result.ok()) last_committed_.store(static_cast<int64_t>(c.epoch));
        break;
      case Kind::kRollback:
        result = sink_->rollback(c.epoch);
        break;
      case Kind::kClose: {
        result = flush_now();
        Status closed = sink_->close();
        if (result.ok()) result = closed;
        if (state_.load() != State::kFailed) state_.store(State::kClosed);
        c.ack->set(result);
        return;
      }
    }
    if (c.ack != nullptr) c.ack->set(result);
  }
}

std::string SinkTask::last_error() const {
  MutexLock lock(error_mutex_);
  return last_error_;
}

SinkMetrics SinkTask::metrics() const {
  SinkMetrics m;
  m.name = name_;
  switch (state_.load()) {
    case State::kOpening:
      m.state = "opening";
      break;
    case State::kRunning:
      m.state = "running";
      break;
    case State::kRetrying:
      m.state = "retrying";
      break;
    case State::kPaused:
      m.state = "paused";
      break;
    case State::kFailed:
      m.state = "failed";
      break;
    case State::kClosed:
      m.state = "closed";
      break;
  }
  m.rows = rows_.load();
  m.batches = batches_.load();
  m.bytes = bytes_.load();
  m.write_errors = write_errors_.load();
  m.retries = retries_.load();
  m.queue_depth = static_cast<int64_t>(queue_.size());
  m.backpressure_events = backpressure_.load();
  m.dropped_rows = dropped_rows_.load();
  m.failed_rows = failed_rows_.load();
  m.dead_lettered_rows = dead_lettered_rows_.load();
  m.slow_writes = slow_writes_.load();
  m.last_committed_epoch = last_committed_.load();
  const HistogramSummary h = write_latency_.summary();
  m.write_p50_ns = h.p50;
  m.write_p99_ns = h.p99;
  m.write_p999_ns = h.p999;
  m.write_max_ns = h.max;
  m.connector = sink_->connector_metrics();
  for (size_t i = 0; i < kWriteLatencyBoundsNs.size(); ++i)
    m.write_latency_buckets[i] = write_latency_.count_at_most(kWriteLatencyBoundsNs[i]);
  m.write_latency_count = write_latency_.count();
  m.write_latency_sum_ns = write_latency_.sum();
  MutexLock lock(error_mutex_);
  m.last_error = last_error_;
  return m;
}

}  // namespace sluice::sink
