#include "dataflow/join_pairs.h"

#include "sql/expr_eval.h"

namespace sluice::dataflow {

JoinPairs::JoinPairs(const sql::BoundJoin& join, const JoinRowCodec& left,
                     const JoinRowCodec& right)
    : join_(join),
      left_(left),
      right_(right),
      right_first_(static_cast<int>(left.width())),
      builder_(join.output_schema) {}

void JoinPairs::add_pair(std::string_view left_row, std::string_view right_row) {
  left_.decode(left_row, builder_, 0);
  right_.decode(right_row, builder_, right_first_);
  left_of_row_.push_back(static_cast<uint32_t>(left_rows_ - 1));
  is_pair_.push_back(1);
}

void JoinPairs::add_unmatched(std::string_view left_row) {
  if (join_.type != sql::JoinType::kLeftOuter) return;
  left_.decode(left_row, builder_, 0);
  right_.append_nulls(builder_, right_first_);
  left_of_row_.push_back(static_cast<uint32_t>(left_rows_ - 1));
  is_pair_.push_back(0);
}

Status JoinPairs::finish(std::vector<RecordBatch>& out, int64_t& rows_out) {
  RecordBatch built = builder_.finish();
  const int64_t lefts = left_rows_;
  left_rows_ = 0;
  if (built.num_rows() == 0 || join_.residual == nullptr) {
    left_of_row_.clear();
    is_pair_.clear();
    if (built.num_rows() == 0) return Status::Ok();
    rows_out += built.num_rows();
    out.push_back(std::move(built));
    return Status::Ok();
  }
  Status s = sql::select_true(*join_.residual, built, selection_);
  if (!s.ok()) {
    left_of_row_.clear();
    is_pair_.clear();
    return s;
  }
  // Kept: pairs the residual passes, and rows already NULL-extended (no candidate at all).
  std::vector<uint8_t>& answered = answered_;
  std::vector<uint32_t>& keep = keep_;
  answered.assign(static_cast<size_t>(lefts), 0);
  keep.clear();
  size_t next_selected = 0;
  for (uint32_t row = 0; row < built.num_rows(); ++row) {
    const bool passed = next_selected < selection_.size() && selection_[next_selected] == row;
    if (passed) ++next_selected;
    if (is_pair_[row] == 0 || passed) {
      keep.push_back(row);
      answered[left_of_row_[row]] = 1;
    }
  }
  RecordBatch kept =
      keep.size() == static_cast<size_t>(built.num_rows()) ? built : built.take(keep);
  if (kept.num_rows() > 0) {
    rows_out += kept.num_rows();
    out.push_back(std::move(kept));
  }
  if (join_.type == sql::JoinType::kLeftOuter) {
    // A left row whose every pair failed: once, NULL-extended (its first pair's left values).
    for (uint32_t row = 0; row < built.num_rows(); ++row) {
      const uint32_t l = left_of_row_[row];
      if (answered[l]) continue;
      answered[l] = 1;
      for (int c = 0; c < right_first_; ++c) builder_.column(c).append_from(built.column(c), row);
      right_.append_nulls(builder_, right_first_);
    }
    RecordBatch extended = builder_.finish();
    if (extended.num_rows() > 0) {
      rows_out += extended.num_rows();
      out.push_back(std::move(extended));
    }
  }
  left_of_row_.clear();
  is_pair_.clear();
  return Status::Ok();
}

}  // namespace sluice::dataflow
