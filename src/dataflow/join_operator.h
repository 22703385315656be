#pragma once
// JoinOperator: the operator of a join node (a PlanStep of kind kJoin, sql/bound_plan.h). It
// has two inputs, left (kLeftSide) and right (kRightSide), each delivering its batches in
// order with its own watermark; it appends what it emits to `out`, rows of
// BoundJoin::output_schema. The node calls on_watermark(side, …) when one side's watermark
// advances and then moves its own watermark, the minimum of both sides', downstream.
//
// The output, as a multiset, is a function of each input's rows and watermarks alone: how the
// two inputs' batches interleave (thread timing, batch sizes) may change the order of output
// rows, never which rows. A row behind its own side's watermark is late: dropped and counted
// (OperatorStats::late_rows_dropped), the same on every run.
//
// State lives in the compact layout of the aggregate (chunked arrays and arenas shared with a
// checkpoint image copy-on-write), so capture() costs O(chunks), not O(rows).
//
// Thread: the compute thread only; no locks.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "dataflow/operator.h"
#include "dataflow/state_codec.h"
#include "sluice/record_batch.h"
#include "sluice/status.h"
#include "sql/bound_plan.h"

namespace sluice::dataflow {

inline constexpr int kLeftSide = 0;
inline constexpr int kRightSide = 1;

class JoinOperator {
 public:
  virtual ~JoinOperator() = default;

  // A batch of `side` (kLeftSide or kRightSide), of that side's schema.
  virtual Status process(int side, const RecordBatch& input, std::vector<RecordBatch>& out) = 0;
  // `side`'s watermark advanced to `watermark` (never moves back; kFinalWatermark when the
  // side's input ended): emit what it completes (a left outer join's unmatched rows), prune
  // what can no longer match.
  virtual Status on_watermark(int side, int64_t watermark, std::vector<RecordBatch>& out) = 0;

  // Checkpoint state, as Operator's: frozen now, written later off the compute thread.
  virtual std::unique_ptr<StateImage> capture() const = 0;
  virtual Status restore(StateReader& reader) = 0;
  // Rows held (groups = rows kept on both sides) and their bytes.
  virtual StateStats state_stats() const = 0;
  // One line for EXPLAIN.
  virtual std::string describe() const = 0;

  const OperatorStats& stats() const { return stats_; }

 protected:
  OperatorStats stats_;
};

// The operator for `join`'s kind (each kind in a file of its own: join_<kind>.h/.cc).
Result<std::unique_ptr<JoinOperator>> make_join_operator(
    std::shared_ptr<const sql::BoundJoin> join);

}  // namespace sluice::dataflow
