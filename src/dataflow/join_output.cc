#include "dataflow/join_output.h"

#include <numeric>
#include <string>

#include "sql/expr_eval.h"

namespace sluice::dataflow {

JoinOutput::JoinOutput(SchemaPtr output_schema, int left_width, int right_width, bool with_op)
    : builder_(std::move(output_schema)),
      left_width_(left_width),
      right_width_(right_width),
      with_op_(with_op) {}

void JoinOutput::half_from_batch(int side, const JoinSide::Batch& b, int64_t row) {
  const int at = first(side);
  for (size_t c = 0; c < b.columns.size(); ++c) {
    builder_.column(at + static_cast<int>(c)).append_from(*b.columns[c], row);
  }
}

void JoinOutput::half_from_store(int side, const JoinRows& rows, uint32_t i) {
  rows.append_to(builder_, first(side), i);
}

void JoinOutput::half_nulls(int side) {
  const int at = first(side);
  for (int c = 0; c < width(side); ++c) builder_.column(at + c).append_null();
}

void JoinOutput::op(bool insert) {
  if (with_op_)
    builder_.column(left_width_ + right_width_).append_string(insert ? "insert" : "delete");
}

Result<RecordBatch> JoinOutput::finish(const sql::BoundExprPtr& residual,
                                       std::vector<uint32_t>* kept) {
  RecordBatch batch = builder_.finish();
  if (!residual) {
    if (kept != nullptr) {
      kept->resize(static_cast<size_t>(batch.num_rows()));
      std::iota(kept->begin(), kept->end(), 0u);
    }
    return batch;
  }
  std::vector<uint32_t>& selection = kept != nullptr ? *kept : selection_;
  SLC_RETURN_IF_ERROR(sql::select_true(*residual, batch, selection));
  if (static_cast<int64_t>(selection.size()) == batch.num_rows()) return batch;
  return batch.take(selection);
}

Result<bool> join_output_has_op(const sql::BoundJoin& join, const JoinSide& left,
                                const JoinSide& right) {
  const auto both = static_cast<int>(left.columns.size() + right.columns.size());
  const int width = join.output_schema ? join.output_schema->num_fields() : -1;
  if (width != both && width != both + 1) {
    return Status(ErrorCode::kInvalidArgument, "a join's output schema has " +
                                                   std::to_string(width) + " columns where its " +
                                                   "inputs store " + std::to_string(both) +
                                                   " (and `_op` when it emits changes)");
  }
  return width == both + 1;
}

}  // namespace sluice::dataflow
