#pragma once
// PushWal: the write-ahead log of one durable push source (CREATE SOURCE ... WITH (durable =
// true)). Each pushed batch is one record in a segment file under data_dir/wal/<source>/;
// its offset is the log position after it, and the checkpoint records the offset the pipeline
// had reached. A push returns once its record is durable: pushers waiting together share one
// fdatasync (group commit). Recovery replays the records after the checkpoint's offset;
// segments wholly before a committed checkpoint are deleted.
//
// Thread: append() under the engine's per-source lock; sync() from any pusher;
// replay() at open, before pushes; drop_before() from the checkpoint thread.

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "checkpoint/record_log.h"
#include "common/mutex.h"
#include "runtime/push_log.h"
#include "sluice/schema.h"

namespace sluice::checkpoint {

class PushWal final : public runtime::PushLog {
 public:
  // Touches the members unlocked: the log is not shared yet.
  static Result<std::shared_ptr<PushWal>> open(std::string directory, SchemaPtr schema,
                                               int64_t segment_bytes = 64 << 20)
      NO_THREAD_SAFETY_ANALYSIS;

  Result<int64_t> append(const RecordBatch& batch) override EXCLUDES(mutex_);
  Status sync(int64_t offset) override EXCLUDES(mutex_, sync_mutex_);
  // Calls `each` with every batch logged after `from`, in order, with its offset. Reads bases_
  // unlocked: replay runs at open, before any push.
  Status replay(int64_t from, const std::function<Status(RecordBatch, int64_t)>& each) const
      NO_THREAD_SAFETY_ANALYSIS;
  // Deletes the segments that end at or before `offset` (a committed checkpoint's).
  void drop_before(int64_t offset) EXCLUDES(mutex_);

  static std::string encode(const RecordBatch& batch);
  static Result<RecordBatch> decode(std::string_view bytes, const SchemaPtr& schema);

 private:
  PushWal(std::string directory, SchemaPtr schema, int64_t segment_bytes);
  Status open_segment(int64_t base) REQUIRES(mutex_);
  std::string segment_path(int64_t base) const;

  const std::string directory_;
  const SchemaPtr schema_;
  const int64_t segment_bytes_;
  Mutex mutex_;                               // the current segment, bases_
  Mutex sync_mutex_ ACQUIRED_BEFORE(mutex_);  // one fdatasync at a time; waiters share the next
  std::unique_ptr<RecordLog> current_ GUARDED_BY(mutex_) PT_GUARDED_BY(mutex_);
  int64_t base_ GUARDED_BY(mutex_) = 0;  // logical offset of the current segment's first byte
  std::vector<int64_t> bases_ GUARDED_BY(mutex_);  // every segment's base, ascending
  std::atomic<int64_t> durable_{0};
  std::string scratch_ GUARDED_BY(mutex_);
};

}  // namespace sluice::checkpoint
