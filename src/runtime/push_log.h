#pragma once
// PushLog: where a durable push source (WITH (durable = true)) logs its rows before they are
// accepted, so that recovery can replay them. The engine appends under the source's lock,
// in the order the rows enter the pipeline, and takes the returned offset as the source's
// position; the pusher then waits for it to be durable (the log groups waiting pushers into
// one fsync). The implementation lives in the checkpoint layer (checkpoint/push_wal).
//
// Thread: any; implementations are thread-safe.

#include <cstdint>

#include "sluice/record_batch.h"
#include "sluice/status.h"

namespace sluice::runtime {

class PushLog {
 public:
  virtual ~PushLog() = default;
  // Appends the batch (not yet durable); returns the log's offset after it.
  virtual Result<int64_t> append(const RecordBatch& batch) = 0;
  // Returns once everything up to `offset` is durable.
  virtual Status sync(int64_t offset) = 0;
};

}  // namespace sluice::runtime
