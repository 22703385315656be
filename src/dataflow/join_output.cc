#include "dataflow/join_output.h"

#include <algorithm>
#include <numeric>
#include <string>

#include "sql/expr_eval.h"

namespace sluice::dataflow {

JoinOutput::JoinOutput(SchemaPtr output_schema, int left_width, int right_width, bool with_op)
    : builder_(std::move(output_schema)), widths_{left_width, right_width}, with_op_(with_op) {}

void JoinOutput::begin(int batch_side, const JoinSide::Batch* batch, const JoinRows* stored) {
  batch_side_ = batch_side;
  batch_ = batch;
  stored_rows_ = stored;
  rows_.clear();
  stored_.clear();
  inserts_.clear();
}

Result<RecordBatch> JoinOutput::finish(const sql::BoundExprPtr& residual,
                                       std::vector<uint32_t>* kept) {
  const size_t n = rows_.size();
  const int batch_first = batch_side_ == 0 ? 0 : widths_[0];
  const int stored_first = batch_side_ == 0 ? widths_[0] : 0;
  builder_.reserve(static_cast<int64_t>(n));
  // Column by column, one type switch per column, a VARCHAR column's bytes counted first and
  // reserved (a joined row's strings are most of its bytes: each is copied once). The batch's
  // side is gathered (ColumnBuilder::append_take) unless a row is NULL-padded there.
  const bool padded = std::find(rows_.begin(), rows_.end(), kNulls) != rows_.end();
  if (!padded) take_.assign(rows_.begin(), rows_.end());
  for (int c = 0; c < widths_[batch_side_]; ++c) {
    ColumnBuilder& out = builder_.column(batch_first + c);
    const Column* in = batch_ != nullptr ? batch_->columns[static_cast<size_t>(c)] : nullptr;
    if (!padded) {
      if (n > 0) out.append_take(*in, take_);
      continue;
    }
    if (in != nullptr && in->type() == DataType::kVarchar) {
      size_t bytes = 0;
      for (size_t k = 0; k < n; ++k) {
        if (rows_[k] != kNulls) bytes += in->string_value(rows_[k]).size();
      }
      out.reserve_data(bytes);
    }
    for (size_t k = 0; k < n; ++k) {
      if (rows_[k] == kNulls) {
        out.append_null();
      } else {
        out.append_from(*in, rows_[k]);
      }
    }
  }
  for (int c = 0; c < widths_[1 - batch_side_]; ++c) {
    ColumnBuilder& out = builder_.column(stored_first + c);
    if (stored_rows_ != nullptr) {
      stored_rows_->append_rows(out, static_cast<size_t>(c), stored_);
    } else {
      for (size_t k = 0; k < n; ++k) out.append_null();  // every row NULL-padded there
    }
  }
  if (with_op_) {
    ColumnBuilder& out = builder_.column(widths_[0] + widths_[1]);
    for (size_t k = 0; k < n; ++k) out.append_string(inserts_[k] ? "insert" : "delete");
  }
  RecordBatch batch = builder_.finish();
  if (!residual) {
    if (kept != nullptr) {
      kept->resize(n);
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
