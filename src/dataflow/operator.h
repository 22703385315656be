#pragma once
// Operator: one step of a continuous query. It receives its input's batches in order and
// the input's watermark as it advances, and appends what it emits to `out`.
//
// Thread: an operator lives on the compute thread only; it needs no locks.

#include <cstdint>
#include <string>
#include <vector>

#include "dataflow/state_codec.h"
#include "sluice/record_batch.h"
#include "sluice/status.h"

namespace sluice::dataflow {

inline constexpr int64_t kNoWatermark = INT64_MIN;
// The watermark an input reaches when it has ended: every window closes.
inline constexpr int64_t kFinalWatermark = INT64_MAX;

struct OperatorStats {
  int64_t rows_in = 0;
  int64_t rows_out = 0;
  int64_t late_rows_dropped = 0;
};

class Operator {
 public:
  virtual ~Operator() = default;

  virtual Status process(const RecordBatch& input, std::vector<RecordBatch>& out) = 0;
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
  // One line for EXPLAIN.
  virtual std::string describe() const = 0;

  const OperatorStats& stats() const { return stats_; }

 protected:
  OperatorStats stats_;
};

}  // namespace sluice::dataflow
