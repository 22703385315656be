#include "runtime/watermark_alignment.h"

#include <algorithm>
#include <chrono>

#include "sql/names.h"

namespace sluice::runtime {

int64_t alignment_clock_micros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             SteadyClock::now().time_since_epoch())
      .count();
}

AlignmentMember::AlignmentMember(std::shared_ptr<AlignmentGroup> group, std::string source,
                                 int64_t max_drift)
    : group_(std::move(group)), source_(std::move(source)), max_drift_(max_drift) {
  group_->add(this);
}

AlignmentMember::~AlignmentMember() {
  group_->remove(this);
  notify_group();
}

const std::string& AlignmentMember::group() const {
  return group_->name();
}

void AlignmentMember::activate() {
  active_.store(true, std::memory_order_release);
  notify_group();
}

void AlignmentMember::raise_watermark(int64_t watermark) {
  int64_t seen = watermark_.load(std::memory_order_relaxed);
  while (watermark > seen &&
         !watermark_.compare_exchange_weak(seen, watermark, std::memory_order_acq_rel)) {
  }
  if (watermark > seen) notify_group();
}

void AlignmentMember::observe(const sql::SourceDef& source, const RecordBatch& batch) {
  if (source.watermark_column < 0 || source.connector_watermark) return;
  const Column& time = batch.column(source.watermark_column);
  int64_t largest = kNoWatermark;
  for (int64_t r = 0; r < batch.num_rows(); ++r) {
    if (!time.is_null(r)) largest = std::max(largest, time.int64_value(r));
  }
  if (largest != kNoWatermark) raise_watermark(largest - source.watermark_delay);
}

void AlignmentMember::set_idle(bool idle) {
  if (idle_.exchange(idle, std::memory_order_acq_rel) != idle) notify_group();
}

void AlignmentMember::leave() {
  if (!gone_.exchange(true, std::memory_order_acq_rel)) notify_group();
}

bool AlignmentMember::ahead() const {
  const int64_t own = watermark();
  if (own == kNoWatermark) return false;
  // Written so that nothing overflows: a lowest of kNoWatermark is far below any own - drift.
  return own - max_drift_ > group_->lowest_watermark(*this);
}

void AlignmentMember::wake() {
  notify_group();
}

void AlignmentMember::notify_group() {
  group_->changed_.notify_all();
}

WaitSignal& AlignmentMember::group_signal() {
  return group_->changed_;
}

void AlignmentMember::begin_pause() {
  if (pause_started_.load(std::memory_order_acquire) != 0) return;  // still the same pause
  pauses_.fetch_add(1, std::memory_order_relaxed);
  pause_started_.store(alignment_clock_micros(), std::memory_order_release);
}

void AlignmentMember::end_pause() {
  const int64_t started = pause_started_.exchange(0, std::memory_order_acq_rel);
  if (started != 0) paused_micros_.fetch_add(alignment_clock_micros() - started);
}

AlignmentStats AlignmentMember::stats() const {
  AlignmentStats s;
  s.pauses = pauses_.load(std::memory_order_relaxed);
  s.paused_micros = paused_micros_.load(std::memory_order_relaxed);
  const int64_t started = pause_started_.load(std::memory_order_acquire);
  s.paused = started != 0;
  if (s.paused) s.paused_micros += std::max<int64_t>(0, alignment_clock_micros() - started);
  return s;
}

int64_t AlignmentGroup::lowest_watermark(const AlignmentMember& self) const {
  int64_t lowest = self.watermark();
  MutexLock lock(mutex_);
  for (const AlignmentMember* m : members_) {
    if (m != &self && m->counts()) lowest = std::min(lowest, m->watermark());
  }
  return lowest;
}

void AlignmentGroup::add(AlignmentMember* member) {
  MutexLock lock(mutex_);
  members_.push_back(member);
}

void AlignmentGroup::remove(AlignmentMember* member) {
  MutexLock lock(mutex_);
  members_.erase(std::remove(members_.begin(), members_.end(), member), members_.end());
}

std::unique_ptr<AlignmentMember> AlignmentGroups::join(const sql::SourceDef& source) {
  if (source.alignment_group.empty()) return nullptr;
  const std::string key = sql::to_lower(source.alignment_group);
  std::shared_ptr<AlignmentGroup> group;
  {
    MutexLock lock(mutex_);
    std::weak_ptr<AlignmentGroup>& slot = groups_[key];
    group = slot.lock();
    if (group == nullptr) {
      group = std::make_shared<AlignmentGroup>(source.alignment_group);
      slot = group;
    }
  }
  return std::make_unique<AlignmentMember>(std::move(group), source.name,
                                           source.alignment_max_drift);
}

}  // namespace sluice::runtime
