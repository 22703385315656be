#pragma once
// Ingest: what a source sees of the runtime. Pushers (SourceHandle, connector threads) hand
// it batches, watermarks and the end of their input; nothing else of the compute side is
// theirs to call, so sources do not include the compute loop's header.
//
// Thread: any; implementations are thread-safe.

#include <cstdint>
#include <string>
#include <vector>

#include "runtime/source_runtime.h"
#include "sluice/record_batch.h"
#include "sluice/status.h"

namespace sluice::runtime {

class Ingest {
 public:
  virtual ~Ingest() = default;
  // Checks the batch against the source's schema (once, here), takes credits, queues it. OK
  // also when overflow = 'drop' dropped the rows (counted). `offset`: the source's position
  // after this batch (a byte position, an event number), -1 when it has none; a batch without
  // rows moves the offset alone (lines read that made no row: skipped as bad). A durable push
  // source logs the batch first and returns once the log is durable.
  virtual Status push(SourceRuntime& source, RecordBatch batch, int64_t offset = -1) = 0;
  // A batch whose rows come from several independent positions of the source (a Kafka
  // source's partitions): after it, each split in `splits` is at its offset (splits not named
  // keep theirs). Checkpoints keep every split's offset; a recovered database hands them back
  // in SourceRuntime::resume_splits(). A batch without rows moves the splits' offsets alone
  // (messages read that made no row: skipped as bad, tombstones).
  virtual Status push_splits(SourceRuntime& source, RecordBatch batch,
                             std::vector<SplitOffset> splits) = 0;
  // Moves the source's watermark forward (never back).
  virtual Status advance_watermark(SourceRuntime& source, int64_t micros) = 0;
  // The source has no more input: its final watermark closes every window downstream.
  virtual Status end_input(SourceRuntime& source) = 0;
  // Records an error met outside the compute thread (a connector that cannot start); the
  // database stops taking input and reports it.
  virtual void fail(const Status& error) = 0;
  // The source's input stops at an error (a fatal bad line): the rows it pushed before are
  // processed and delivered first, then the database fails with `error`, as fail() does.
  virtual void fail_after_input(SourceRuntime& source, const Status& error) = 0;
};

}  // namespace sluice::runtime
