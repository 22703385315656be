#pragma once
// JoinOutput: the rows a join emits, built a column at a time into a batch of the join's
// output schema — the left side's stored columns, then the right side's, then `_op` when the
// join emits changes. Each half of a row comes from a row of the batch being processed, from a
// stored row (JoinRows), or is NULLs (a left outer join's unmatched row). finish() applies the
// residual (the rest of ON) to the pairs and says which rows it kept, so the operator can
// count the matches a left outer join needs.
//
// Thread: the compute thread.

#include <cstdint>
#include <vector>

#include "dataflow/join_rows.h"
#include "dataflow/join_side.h"
#include "sluice/batch_builder.h"
#include "sluice/record_batch.h"
#include "sluice/status.h"
#include "sql/bound_expr.h"

namespace sluice::dataflow {

class JoinOutput {
 public:
  // `with_op`: output_schema ends with `_op`.
  JoinOutput(SchemaPtr output_schema, int left_width, int right_width, bool with_op);

  int64_t rows() const { return builder_.num_rows(); }

  // The halves of the next row (one of each, then op() when the output has `_op`).
  void half_from_batch(int side, const JoinSide::Batch& b, int64_t row);
  void half_from_store(int side, const JoinRows& rows, uint32_t i);
  void half_nulls(int side);
  void op(bool insert);

  // The rows so far (the builder emptied for the next ones). With `residual`, only the rows
  // where it is TRUE; `kept` (when given) lists those rows' positions among the ones built.
  Result<RecordBatch> finish(const sql::BoundExprPtr& residual, std::vector<uint32_t>* kept);

 private:
  int first(int side) const { return side == 0 ? 0 : left_width_; }
  int width(int side) const { return side == 0 ? left_width_ : right_width_; }

  BatchBuilder builder_;
  int left_width_;
  int right_width_;
  bool with_op_;
  std::vector<uint32_t> selection_;
};

// Whether a join's output schema carries `_op` (it has one column past both sides' stored
// ones); an output schema of any other width is refused.
Result<bool> join_output_has_op(const sql::BoundJoin& join, const JoinSide& left,
                                const JoinSide& right);

}  // namespace sluice::dataflow
