#include "checkpoint/coordinator.h"

#include "common/fault_point.h"

namespace sluice::checkpoint {

Coordinator::Coordinator(DataDir& dir, std::chrono::milliseconds interval, SyncLogs sync_logs,
                         AfterCommit after_commit)
    : dir_(dir),
      interval_(interval),
      sync_logs_(std::move(sync_logs)),
      after_commit_(std::move(after_commit)),
      cuts_(64) {}

Coordinator::~Coordinator() {
  stop();
}

void Coordinator::submit(runtime::EpochCut cut) {
  last_pause_ns_.store(cut.pause_ns, std::memory_order_relaxed);
  if (cut.pause_ns > max_pause_ns_.load(std::memory_order_relaxed))
    max_pause_ns_.store(cut.pause_ns, std::memory_order_relaxed);  // one writer: this thread
  if (cuts_.push(cut) == QueueStatus::kOk) return;
  if (cut.done) cut.done->set(Status(ErrorCode::kClosed, "the checkpoint thread has stopped"));
  if (auto runtime = runtime_.lock()) runtime->epoch_resolved(cut.epoch);
}

void Coordinator::start(std::shared_ptr<runtime::EpochControl> runtime) {
  runtime_ = runtime;
  thread_ = std::thread([this] { run(); });
}

void Coordinator::stop() {
  cuts_.close();  // what was submitted still comes out, then the thread ends
  if (thread_.joinable()) thread_.join();
}

CheckpointMetrics Coordinator::stats() const {
  CheckpointMetrics s;
  s.enabled = true;
  s.completed = completed_.load();
  s.failed = failures_.load();
  s.last_epoch = last_epoch_.load();
  s.last_pause_ns = last_pause_ns_.load();
  s.max_pause_ns = max_pause_ns_.load();
  s.last_duration_ns = last_duration_ns_.load();
  for (size_t i = 0; i < kCheckpointDurationBoundsNs.size(); ++i)
    s.duration_buckets[i] = duration_.count_at_most(kCheckpointDurationBoundsNs[i]);
  s.duration_count = duration_.count();
  s.duration_sum_ns = duration_.sum();
  s.last_state_bytes = last_state_bytes_.load();
  s.state_bytes_total = state_bytes_total_.load();
  return s;
}

void Coordinator::run() {
  Deadline next_tick = deadline_after(interval_);
  for (;;) {
    runtime::EpochCut cut;
    const QueueStatus got = cuts_.pop(cut, next_tick);
    if (got == QueueStatus::kClosed) return;
    if (got == QueueStatus::kTimeout) {
      // Ask without waiting: the cut comes back through submit(). A full command queue means
      // the engine is busy; the next tick asks again.
      if (auto runtime = runtime_.lock()) runtime->request_checkpoint(false, true);
      next_tick = deadline_after(interval_);
      continue;
    }
    process(cut);
  }
}

void Coordinator::process(runtime::EpochCut& cut) {
  resolve(cut);
  // Whatever the outcome, the engine may cut the next epoch now.
  if (auto runtime = runtime_.lock()) runtime->epoch_resolved(cut.epoch);
}

void Coordinator::resolve(runtime::EpochCut& cut) {
  const std::string what = "checkpoint of epoch " + std::to_string(cut.epoch);
  Status s;
  if (failed_) s = Status(ErrorCode::kClosed, what + ": an earlier checkpoint failed");
  // 0. The state file's bytes, from the image the compute thread captured; written here while
  // the sinks pre-commit. Dropping the image afterwards frees what the live state copied on
  // write since.
  std::string state;
  {
    dataflow::StateWriter writer;
    cut.state.write(writer);
    state = writer.take();
    cut.state = dataflow::GraphImage();
  }
  fault_point("after_state_image");
  // 1. Every sink has made the epoch durable (or failed to).
  for (const auto& marker : cut.sinks) {
    Status acked = marker.pre_committed->wait();
    if (!acked.ok() && s.ok()) s = acked.with_location(what + ", pre-commit");
  }
  fault_point("after_pre_commit");
  // 2. Rows of durable push sources up to the cut are in their logs for good.
  if (s.ok() && sync_logs_) s = sync_logs_(cut.source_offsets);
  // 3. The manifest: the epoch is decided once it is durable.
  Manifest manifest;
  manifest.epoch = cut.epoch;
  manifest.source_offsets = cut.source_offsets;
  manifest.catalog_statements = cut.catalog_statements;
  // What each sink staged: recovery checks the staged output against it before publishing.
  for (const auto& marker : cut.sinks) {
    if (auto staged = marker.task->staged_epoch(cut.epoch))
      manifest.sinks[marker.task->name()] = std::move(*staged);
  }
  if (s.ok()) {
    Status written = dir_.write_checkpoint(manifest, state);
    if (!written.ok()) s = written.with_location(what);
  }
  auto runtime = runtime_.lock();
  if (!s.ok()) {
    for (const auto& marker : cut.sinks) marker.task->rollback(cut.epoch).ignore();
    if (!failed_ && runtime) runtime->fail(s);
    failed_ = true;
    failures_.fetch_add(1);
    if (cut.done) cut.done->set(s);
    return;
  }
  fault_point("after_manifest");
  // 4. Publish. A failure here leaves the epoch for recovery to commit.
  Status committed;
  for (const auto& marker : cut.sinks) {
    fault_point("before_commit");
    Status c = marker.task->commit(cut.epoch);
    if (!c.ok() && c.code() != ErrorCode::kClosed && committed.ok())
      committed = c.with_location(what + ", commit");  // a closed (dropped) sink: recovery
  }
  fault_point("after_commit");
  if (!committed.ok()) {
    if (!failed_ && runtime) runtime->fail(committed);
    failed_ = true;
    failures_.fetch_add(1);
    if (cut.done) cut.done->set(committed);
    return;
  }
  if (after_commit_) after_commit_(manifest);
  completed_.fetch_add(1);
  last_epoch_.store(cut.epoch);
  const int64_t took =
      std::chrono::duration_cast<std::chrono::nanoseconds>(SteadyClock::now() - cut.cut_at).count();
  duration_.record(static_cast<uint64_t>(took));
  last_duration_ns_.store(took);
  last_state_bytes_.store(static_cast<int64_t>(state.size()));
  state_bytes_total_.fetch_add(static_cast<int64_t>(state.size()));
  if (cut.done) cut.done->set(cut.epoch);
}

}  // namespace sluice::checkpoint
