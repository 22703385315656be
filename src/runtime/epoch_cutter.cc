#include "runtime/epoch_cutter.h"

#include "common/alloc_phase.h"

namespace sluice::runtime {

void EpochCutter::enable(CheckpointHooks hooks) {
  hooks_ = std::move(hooks);
  enabled_ = true;
  epoch_ = hooks_.first_epoch;
  last_cut_ = hooks_.committed_epoch;
  resolved_.store(hooks_.committed_epoch);  // decided by the manifest
}

void EpochCutter::cut(Done done, bool force) {
  if (!enabled_) {
    if (done) done->set(Status(ErrorCode::kUnsupported, "checkpoints need a data_dir"));
    return;
  }
  if (failure_.failed()) {
    if (done) done->set(failure_.status());
    return;
  }
  if (!force && !dirty_) {  // nothing new: the last epoch still describes everything
    if (done) done->set(last_cut_);
    return;
  }
  if (opening_sinks_ > 0) {
    // A sink being created is in the graph but not yet in the catalog log: a snapshot now
    // could not be restored. Wait for its open to settle (sink_opening(false)).
    if (!force) {
      if (done) done->set(last_cut_);
    } else if (done) {
      deferred_.push_back(std::move(done));
    }
    return;
  }
  // One checkpoint in flight (see the header comment): a periodic request skips; a forced one
  // waits, about one checkpoint's time.
  if (resolved_.load(std::memory_order_acquire) < last_cut_) {
    if (!force) {
      if (done) done->set(last_cut_);
      return;
    }
    if (!wait_for_resolved()) {
      if (done) done->set(failure_.status());
      return;
    }
  }
  AllocPhaseScope phase(AllocPhase::kOperators);
  // The pause: what the compute thread spends here on the checkpoint (after any wait for the
  // previous one, which only a forced cut makes).
  const SteadyClock::time_point started = SteadyClock::now();
  // The next epoch must never be handed out again, even after a crash.
  if (Status reserved = hooks_.reserve_epoch(epoch_ + 1); !reserved.ok()) {
    failure_.record(reserved);
    if (done) done->set(reserved);
    return;
  }
  EpochCut cut;
  cut.epoch = epoch_;
  cut.cut_at = started;
  cut.state = graph_.capture();
  cut.catalog_statements = catalog_statements_;
  cut.source_offsets = offsets_();
  for (const auto& task : sinks_.tasks()) {
    cut.sinks.push_back({task, task->post_pre_commit(epoch_)});
    task->post_begin_epoch(epoch_ + 1);
  }
  cut.done = std::move(done);
  last_cut_ = epoch_;
  ++epoch_;
  dirty_ = false;
  cut.pause_ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(SteadyClock::now() - started).count();
  hooks_.on_cut(std::move(cut));
}

void EpochCutter::sink_opening(bool opening) {
  opening_sinks_ += opening ? 1 : -1;
  if (opening_sinks_ > 0) return;
  for (auto& done : std::exchange(deferred_, {})) cut(std::move(done), true);
}

void EpochCutter::take_deferred(std::vector<Done>& into) {
  for (auto& done : std::exchange(deferred_, {})) into.push_back(std::move(done));
}

void EpochCutter::resolved(uint64_t epoch) {
  uint64_t seen = resolved_.load();
  while (seen < epoch && !resolved_.compare_exchange_weak(seen, epoch)) {
  }
  resolved_signal_.notify_all();
}

bool EpochCutter::wait_for_resolved() {
  resolved_signal_.wait_until(
      [&] { return resolved_.load(std::memory_order_acquire) >= last_cut_ || failure_.failed(); });
  return !failure_.failed();
}

}  // namespace sluice::runtime
