#pragma once
// Watermark alignment (Flink's FLIP-182): sources declared in one alignment group
// (`watermark.alignment.group`) are read near each other in event time. A source whose
// watermark is more than its `watermark.alignment.max.drift` ahead of the lowest watermark of
// its group pauses reading until the others catch up. It drops nothing and reorders nothing:
// only when its next rows are read changes, so results stay what they were. Without it a
// join of two sources holds in its state every row of the faster one that the slower one's
// watermark has not reached yet, and that grows with how far apart their readers run.
//
// The watermark compared is the reader's: the largest event time a source has pushed less its
// declared delay (or what its connector pushed as its watermark, a Kafka source's), not the
// compute thread's, which lags by the rows in flight. So a reader never waits on the compute
// thread, and its reads stay within the drift (plus the one batch it read before looking) of
// the slowest reader.
//
// Never a deadlock: the lowest member is never ahead of itself, so the slowest always reads.
// A member counts in its group's minimum only while it reads: from activate() (its connector
// starts) until it ends, is dropped or is idle (no rows for its `idle.timeout`, as the compute
// thread decides: runtime/idle_sources.h). A member with no watermark yet holds the others,
// as a join would (its first rows may be the earliest).
//
// Thread: everything is thread-safe. Readers call ahead()/wait_aligned() and their pushes
// raise_watermark(); the compute thread marks idle; the database activates and stops.

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/mutex.h"
#include "common/thread_annotations.h"
#include "common/wait_signal.h"
#include "sluice/record_batch.h"
#include "sql/catalog.h"

namespace sluice::runtime {

class AlignmentGroup;

// What a source reports of its pauses (SourceMetrics::alignment_*).
struct AlignmentStats {
  int64_t pauses = 0;         // times its reader paused because it was ahead
  int64_t paused_micros = 0;  // how long it was paused in all (a pause in progress included)
  bool paused = false;        // paused right now
};

// One source's place in its group. Owned by its SourceRuntime; leaves its group when destroyed.
class AlignmentMember {
 public:
  static constexpr int64_t kNoWatermark = INT64_MIN;

  AlignmentMember(std::shared_ptr<AlignmentGroup> group, std::string source, int64_t max_drift);
  ~AlignmentMember();
  AlignmentMember(const AlignmentMember&) = delete;
  AlignmentMember& operator=(const AlignmentMember&) = delete;

  const std::string& source() const { return source_; }
  int64_t max_drift() const { return max_drift_; }
  const std::string& group() const;

  // Its reader starts: it counts in the group's minimum from now on.
  void activate();
  // Its reader's watermark moved to `watermark` (never back).
  void raise_watermark(int64_t watermark);
  // A pushed batch's rows: the watermark rises to their largest event time less the delay
  // (sources whose node makes the watermark; a connector that makes it calls raise_watermark).
  void observe(const sql::SourceDef& source, const RecordBatch& batch);
  // The compute thread's idle decision (idle.timeout passed without rows, or rows came again).
  void set_idle(bool idle);
  // No more input (ended, failed, dropped): the member no longer holds the others.
  void leave();

  int64_t watermark() const { return watermark_.load(std::memory_order_acquire); }
  // Whether its watermark is more than max_drift above the group's lowest.
  bool ahead() const;
  // Returns at once when not ahead; else pauses (counted) until it is not, `interrupted()` (a
  // stop request, a dropped source; whoever makes it true calls wake()) or the deadline. True
  // when aligned. A reader that must do something between waits (a Kafka consumer polls) waits
  // in slices with a deadline: its pause goes on (counted once) until a call finds it aligned.
  template <typename Interrupted>
  bool wait_aligned(Interrupted&& interrupted, Deadline deadline = kNoDeadline);
  // Makes a paused reader look again (after a stop request).
  void wake();

  AlignmentStats stats() const;

 private:
  friend class AlignmentGroup;
  bool counts() const {
    return active_.load(std::memory_order_acquire) && !idle_.load(std::memory_order_acquire) &&
           !gone_.load(std::memory_order_acquire);
  }
  void notify_group();
  WaitSignal& group_signal();
  void begin_pause();  // a new pause is counted; one in progress goes on
  void end_pause();

  const std::shared_ptr<AlignmentGroup> group_;
  const std::string source_;
  const int64_t max_drift_;
  std::atomic<int64_t> watermark_{kNoWatermark};
  std::atomic<bool> active_{false};
  std::atomic<bool> idle_{false};
  std::atomic<bool> gone_{false};
  std::atomic<int64_t> pauses_{0};
  std::atomic<int64_t> paused_micros_{0};
  std::atomic<int64_t> pause_started_{0};  // µs, steady clock; 0: not paused
};

// The members of one group and the signal its paused readers sleep on.
class AlignmentGroup {
 public:
  explicit AlignmentGroup(std::string name) : name_(std::move(name)) {}
  const std::string& name() const { return name_; }

  // The lowest watermark among the members that count, with `self` always among them (so a
  // member alone, or the lowest, is never ahead).
  int64_t lowest_watermark(const AlignmentMember& self) const;

 private:
  friend class AlignmentMember;
  void add(AlignmentMember* member);
  void remove(AlignmentMember* member);

  const std::string name_;
  mutable Mutex mutex_;
  std::vector<AlignmentMember*> members_ GUARDED_BY(mutex_);
  // Notified whenever a member's watermark rises or it stops counting: paused readers look.
  WaitSignal changed_;
};

// The groups of one database, by name (case-insensitive).
class AlignmentGroups {
 public:
  // The member for a source declared in a group (null when it is in none).
  std::unique_ptr<AlignmentMember> join(const sql::SourceDef& source);

 private:
  Mutex mutex_;
  std::map<std::string, std::weak_ptr<AlignmentGroup>> groups_ GUARDED_BY(mutex_);
};

// Microseconds on the steady clock (pause times).
int64_t alignment_clock_micros();

template <typename Interrupted>
bool AlignmentMember::wait_aligned(Interrupted&& interrupted, Deadline deadline) {
  if (!ahead()) {
    end_pause();  // one that waited in slices (a deadline) ends when it looks and is aligned
    return true;
  }
  begin_pause();
  bool aligned = false;
  bool stop = false;
  group_signal().wait_until(
      [&] {
        aligned = !ahead();
        stop = !aligned && interrupted();
        return aligned || stop;
      },
      deadline);
  if (aligned || stop) end_pause();
  return aligned;
}

}  // namespace sluice::runtime
