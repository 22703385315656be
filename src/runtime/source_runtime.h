#pragma once
// What the pushing threads and the compute thread share about one source: its schema (for
// checking pushes where they happen), its credit gate, and its definition (for connectors).
//
// Thread: immutable after creation except the gate, the flags and the log, which are
// thread-safe; `log` and `alignment` are set before the source takes rows.

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "common/mutex.h"
#include "runtime/credit_gate.h"
#include "runtime/push_log.h"
#include "runtime/watermark_alignment.h"
#include "sluice/schema.h"
#include "sql/catalog.h"

namespace sluice::runtime {

// One of a source's independent positions (a Kafka topic partition): its name, unique within
// the source ("topic/partition"), and the offset after a batch's rows from it.
struct SplitOffset {
  std::string split;
  int64_t offset = 0;
};

// A split's key among a checkpoint's source offsets: the source's name, a unit separator
// (which no name written in SQL holds), the split's name.
inline constexpr char kSplitSeparator = '\x1f';
inline std::string split_offset_key(const std::string& source, const std::string& split) {
  return source + kSplitSeparator + split;
}

struct SourceRuntime {
  SourceRuntime(uint32_t source_id, std::shared_ptr<const sql::SourceDef> def, int64_t credits,
                Overflow overflow)
      : id(source_id), definition(std::move(def)), gate(credits, overflow) {}

  const std::string& name() const { return definition->name; }
  const SchemaPtr& schema() const { return definition->schema; }

  const uint32_t id;
  const std::shared_ptr<const sql::SourceDef> definition;
  CreditGate gate;
  std::atomic<bool> dropped{false};
  std::atomic<bool> ended{false};
  // Something reads it: a stream, view or sink over it, or a subscription (set by the compute
  // thread, never unset). A connector source created while the database runs starts only
  // then, so that its first consumer sees its input from the start (Database::start).
  std::atomic<bool> consumed{false};
  // Where a connector starts reading: the offset of the checkpoint the database recovered
  // from (a byte position, an event number), 0 for a fresh start. Set before start().
  std::atomic<int64_t> resume_offset{0};
  // Where each split starts (a source that pushes with push_splits): the checkpoint's offsets
  // by split name, empty for a fresh start. Set by recovery before start().
  std::map<std::string, int64_t> resume_splits() const {
    MutexLock lock(splits_mutex_);
    return resume_splits_;
  }
  void set_resume_splits(std::map<std::string, int64_t> splits) {
    MutexLock lock(splits_mutex_);
    resume_splits_ = std::move(splits);
  }
  // The split offsets of the newest committed checkpoint, set by the checkpoint thread after
  // each commit, for a connector that reports its progress elsewhere too (a Kafka source
  // commits them to its consumer group, so standard tools see the lag).
  void set_committed_splits(std::map<std::string, int64_t> splits) {
    MutexLock lock(splits_mutex_);
    committed_splits_ = std::move(splits);
    committed_generation_.fetch_add(1, std::memory_order_release);
  }
  // The committed splits when they changed since `generation` (then advanced), else false.
  // Cheap when nothing changed: the connector asks on every loop.
  bool committed_splits_since(uint64_t& generation, std::map<std::string, int64_t>& out) const {
    if (committed_generation_.load(std::memory_order_acquire) == generation) return false;
    MutexLock lock(splits_mutex_);
    generation = committed_generation_.load(std::memory_order_relaxed);
    out = committed_splits_;
    return true;
  }
  // A durable push source's write-ahead log (null otherwise); `log_mutex` keeps the log's order
  // and the order rows enter the pipeline the same.
  std::shared_ptr<PushLog> log;
  std::mutex log_mutex;
  // Its place in its watermark alignment group (null: in none); set before it takes rows.
  std::unique_ptr<AlignmentMember> alignment;

 private:
  mutable Mutex splits_mutex_;
  std::map<std::string, int64_t> resume_splits_ GUARDED_BY(splits_mutex_);
  std::map<std::string, int64_t> committed_splits_ GUARDED_BY(splits_mutex_);
  std::atomic<uint64_t> committed_generation_{0};
};

}  // namespace sluice::runtime
