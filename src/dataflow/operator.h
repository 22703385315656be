#pragma once
// Operator: one step of a continuous query. It receives its input's batches in order and
// the input's watermark as it advances, and appends what it emits to `out`.
//
// Thread: an operator lives on the compute thread only; it needs no locks.

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "dataflow/state_codec.h"
#include "sluice/record_batch.h"
#include "sluice/status.h"

namespace sluice::dataflow {

inline constexpr int64_t kNoWatermark = INT64_MIN;
// The watermark an input reaches when it has ended: every window closes.
inline constexpr int64_t kFinalWatermark = INT64_MAX;

// The size of what an operator holds, for SHOW PIPELINE, the metrics and the memory budget.
struct StateStats {
  int64_t groups = 0;  // live groups (aggregates), rows (views); 0 for stateless operators
  int64_t bytes = 0;   // bytes of memory the state takes, allocator overhead included roughly
};

// A frozen copy of an operator's state, taken on the compute thread at a checkpoint cut and
// written later, on the checkpoint thread, while the operator goes on changing its live state.
// Taking it must cost far less than writing it (copy-on-write, shared immutable pieces):
// the compute thread stops only for capture().
//
// Thread: made on the compute thread; write() runs on any one thread, once.
class StateImage {
 public:
  virtual ~StateImage() = default;
  // Writes the state exactly as Operator::snapshot would have at the capture.
  virtual void write(StateWriter& writer) const = 0;
};

struct OperatorStats {
  int64_t rows_in = 0;
  int64_t rows_out = 0;
  int64_t late_rows_dropped = 0;
  // Deletes of an input's changelog (`_op` 'delete') that matched nothing the operator holds —
  // no group, no value of a group, no kept row: dropped, as there is nothing to take back, and
  // counted. A consistent changelog has none (each delete follows its row's insert); one comes
  // from an inconsistent input, or from rows inserted before this query was created.
  int64_t unmatched_deletes = 0;
};

class Operator {
 public:
  virtual ~Operator() = default;

  virtual Status process(const RecordBatch& input, std::vector<RecordBatch>& out) = 0;
  // Processes rows `rows` of `input`, in that order, exactly as process() would a batch of just
  // those rows. The default gathers them into one (RecordBatch::take); an operator that reads
  // its input row by row may read them where they are, and says so with reads_rows_in_place()
  // (an OrderedInput then hands it its held rows without copying them).
  virtual Status process_rows(const RecordBatch& input, std::span<const uint32_t> rows,
                              std::vector<RecordBatch>& out) {
    return process(input.take(rows), out);
  }
  virtual bool reads_rows_in_place() const { return false; }
  // The input's watermark advanced to `watermark` (never moves back).
  virtual Status on_watermark(int64_t watermark, std::vector<RecordBatch>& out) {
    (void)watermark;
    (void)out;
    return Status::Ok();
  }
  // Operator state, for checkpoints. Stateless operators write nothing.
  virtual void snapshot(StateWriter& writer) const { (void)writer; }
  virtual Status restore(StateReader& reader) {
    (void)reader;
    return Status::Ok();
  }
  // The state at this moment, to be written later (see StateImage). The default snapshots
  // now, on the compute thread, into a buffer: operators whose state can be large override it.
  virtual std::unique_ptr<StateImage> capture() const;
  // What the state holds now.
  virtual StateStats state_stats() const { return {}; }
  // One line for EXPLAIN.
  virtual std::string describe() const = 0;

  const OperatorStats& stats() const { return stats_; }

 protected:
  OperatorStats stats_;
};

}  // namespace sluice::dataflow
