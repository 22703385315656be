#pragma once
// Intake: the runtime's side of Ingest. A pushing thread's batch is checked against its
// source's schema (the one check it gets), takes credits from the source's gate, is logged
// first when the source is durable, and is queued for the compute thread, which it wakes.
// Intake also keeps the registry of sources by name, for handles and connectors, and their
// watermark alignment groups: a source's pushes raise its reader watermark there
// (runtime/watermark_alignment.h), its end takes it out of its group's minimum.
//
// Thread: any (pushers, connectors, the compute thread creating and dropping sources).

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/bounded_queue.h"
#include "common/mutex.h"
#include "common/thread_annotations.h"
#include "common/wait_signal.h"
#include "runtime/failure.h"
#include "runtime/ingest.h"
#include "runtime/source_runtime.h"
#include "runtime/watermark_alignment.h"

namespace sluice::runtime {

// One item of the intake queue: rows, a watermark, the end of a source's input, or the
// error its input stopped at.
struct Input {
  enum class Kind : uint8_t { kData, kWatermark, kEnd, kFail };
  uint32_t source = 0;
  Kind kind = Kind::kData;
  int64_t watermark = 0;
  int64_t offset = -1;
  std::vector<SplitOffset> splits;  // kData from push_splits
  RecordBatch batch;
  Status error;  // kFail
};

class Intake final : public Ingest {
 public:
  Intake(size_t queue_batches, WaitSignal& wake, Failure& failure);

  Status push(SourceRuntime& source, RecordBatch batch, int64_t offset = -1) override;
  Status push_splits(SourceRuntime& source, RecordBatch batch,
                     std::vector<SplitOffset> splits) override;
  // Recovery: a batch read back from a durable source's log, at its log offset (not logged
  // again).
  Status push_replayed(SourceRuntime& source, RecordBatch batch, int64_t offset);
  Status advance_watermark(SourceRuntime& source, int64_t micros) override;
  Status end_input(SourceRuntime& source) override;
  void fail(const Status& error) override { failure_.record(error); }
  void fail_after_input(SourceRuntime& source, const Status& error) override;

  // Compute thread: the next queued input, if any.
  bool pop(Input& input) { return queue_.try_pop(input) == QueueStatus::kOk; }
  bool empty() const { return queue_.size() == 0; }
  // Shutdown: no new rows; pushers waiting for credits give up.
  void close_gates();
  void close_queue() { queue_.close(); }

  // The registry of sources (by lower-case name); ids are never reused.
  std::shared_ptr<SourceRuntime> add_source(std::shared_ptr<const sql::SourceDef> definition,
                                            int64_t credits, Overflow overflow,
                                            std::shared_ptr<PushLog> log);
  // The source takes no more rows; waiting pushers give up.
  void drop_source(const std::string& name);
  bool has_source(const std::string& name) const;
  Result<std::shared_ptr<SourceRuntime>> source(std::string_view name) const;
  std::vector<std::shared_ptr<SourceRuntime>> sources() const;

 private:
  Status accept(SourceRuntime& source, RecordBatch batch, int64_t offset, bool log,
                std::vector<SplitOffset> splits = {});
  Status enqueue(Input input);

  MpscQueue<Input> queue_;
  WaitSignal& wake_;
  Failure& failure_;
  mutable Mutex mutex_;
  std::map<std::string, std::shared_ptr<SourceRuntime>> sources_ GUARDED_BY(mutex_);
  uint32_t next_id_ GUARDED_BY(mutex_) = 0;
  AlignmentGroups alignment_groups_;
};

}  // namespace sluice::runtime
