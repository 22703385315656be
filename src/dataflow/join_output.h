#pragma once
// JoinOutput: the rows a join emits, built into a batch of the join's output schema — the left
// side's stored columns, then the right side's, then `_op` when the join emits changes. Each
// output row is a row of the batch being processed (or NULLs) beside a stored row of the other
// side (or NULLs), recorded first and built at finish() a column at a time: one type per loop,
// not a switch per value. finish() applies the residual (the rest of ON) and says which rows
// it kept, so the operator can count the matches a left outer join needs.
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

  // The next rows pair rows of `batch` (of side `batch_side`; may be null when every row
  // recorded has NULLs there) with rows of `stored` (the other side's). Clears what was
  // recorded.
  void begin(int batch_side, const JoinSide::Batch* batch, const JoinRows* stored);
  // One output row: batch row `row` (kNulls: NULLs) and stored row `stored` (JoinRows::kNone:
  // NULLs), an insert or a delete.
  static constexpr int64_t kNulls = -1;
  void add(int64_t row, uint32_t stored, bool insert = true) {
    rows_.push_back(row);
    stored_.push_back(stored);
    if (with_op_) inserts_.push_back(insert ? 1 : 0);
  }
  size_t size() const { return rows_.size(); }
  // Which batch row and stored row output row k was made of.
  int64_t row_at(size_t k) const { return rows_[k]; }
  uint32_t stored_at(size_t k) const { return stored_[k]; }

  // The rows recorded. With `residual`, only the rows where it is TRUE; `kept` (when given)
  // lists those rows' positions among the ones recorded. The record stays until begin().
  Result<RecordBatch> finish(const sql::BoundExprPtr& residual, std::vector<uint32_t>* kept);

 private:
  BatchBuilder builder_;
  int widths_[2];
  bool with_op_;
  int batch_side_ = 0;
  const JoinSide::Batch* batch_ = nullptr;
  const JoinRows* stored_rows_ = nullptr;
  std::vector<int64_t> rows_;
  std::vector<uint32_t> stored_;
  std::vector<uint8_t> inserts_;
  std::vector<uint32_t> selection_;
  std::vector<uint32_t> take_;  // rows_, for append_take
};

// Whether a join's output schema carries `_op` (it has one column past both sides' stored
// ones); an output schema of any other width is refused.
Result<bool> join_output_has_op(const sql::BoundJoin& join, const JoinSide& left,
                                const JoinSide& right);

}  // namespace sluice::dataflow
