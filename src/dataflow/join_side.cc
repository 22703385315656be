#include "dataflow/join_side.h"

#include <algorithm>
#include <string>

#include "dataflow/join_operator.h"
#include "dataflow/value_slots.h"
#include "sql/bound_query.h"
#include "sql/expr_eval.h"
#include "sql/join_change_column.h"
#include "sql/names.h"

namespace sluice::dataflow {

int64_t time_limit(int64_t watermark, __int128 shift) {
  if (watermark == kNoWatermark) return INT64_MIN;
  const __int128 limit = static_cast<__int128>(watermark) - shift;
  if (limit < INT64_MIN) return INT64_MIN;
  if (limit > INT64_MAX) return INT64_MAX;
  return static_cast<int64_t>(limit);
}

Result<JoinSide> JoinSide::make(const sql::BoundJoin& join, int side) {
  const bool left = side == kLeftSide;
  const SchemaPtr& schema = left ? join.left_schema : join.right_schema;
  const char* name = left ? "left" : "right";
  if (schema == nullptr) {
    return Status(ErrorCode::kInvalidArgument, std::string("join has no ") + name + " schema");
  }
  JoinSide s;
  // The binder's rule (sql/join_change_column.h): the join consumes an updating input's `_op`.
  const bool updating = left ? join.left_updating : join.right_updating;
  s.op_column = updating ? sql::join_change_column(*schema) : -1;
  // The columns it keeps (all but `_op`, or those the binder narrowed it to).
  for (int c : sql::join_side_columns(join, left)) {
    if (c < 0 || c >= schema->num_fields() || c == s.op_column) {
      return Status(ErrorCode::kInvalidArgument, std::string("the ") + name +
                                                     " side of a join keeps column " +
                                                     std::to_string(c) +
                                                     ", which its input "
                                                     "does not have as a column to keep");
    }
    s.columns.push_back(c);
    s.types.push_back(schema->field(c).type);
  }
  if (updating && s.op_column < 0) {
    return Status(ErrorCode::kInvalidArgument, std::string("the ") + name +
                                                   " input of a join emits changes but its last "
                                                   "column is not " +
                                                   sql::kChangeOpColumn);
  }
  s.time_column = left ? join.left_time : join.right_time;
  if (s.time_column >= schema->num_fields() ||
      (s.time_column >= 0 && schema->field(s.time_column).type != DataType::kTimestamp)) {
    return Status(ErrorCode::kInvalidArgument,
                  std::string("the ") + name + " time column of a join is not a TIMESTAMP column");
  }
  if (s.time_column >= 0 &&
      std::find(s.columns.begin(), s.columns.end(), s.time_column) == s.columns.end()) {
    // A kept row's time is read from its stored columns (JoinRows).
    return Status(
        ErrorCode::kInvalidArgument,
        std::string("the ") + name + " time column of a join is not among its kept columns");
  }
  s.keys = left ? join.left_keys : join.right_keys;
  for (const sql::BoundExprPtr& k : s.keys) {
    int stored = -1;
    if (k->kind == sql::BoundExpr::Kind::kColumn) {
      for (size_t c = 0; c < s.columns.size(); ++c) {
        if (s.columns[c] == k->column) stored = static_cast<int>(c);
      }
    }
    s.key_columns.push_back(stored);
    s.key_types.push_back(k->type);
  }
  return s;
}

Status JoinSide::prepare(const RecordBatch& batch, Batch& out) const {
  out.batch = &batch;
  out.columns.clear();
  for (int c : columns) out.columns.push_back(&batch.column(c));
  const auto n = static_cast<size_t>(batch.num_rows());
  out.keys.clear();
  out.hashes.assign(n, kKeySeed);
  out.null_key.assign(n, 0);
  for (const sql::BoundExprPtr& k : keys) {
    SLC_ASSIGN_OR_RETURN(Column c, sql::evaluate_column(*k, batch));
    hash_column(c, out.hashes);
    if (c.null_count() > 0) {
      for (size_t r = 0; r < n; ++r) out.null_key[r] |= c.is_null(static_cast<int64_t>(r));
    }
    out.keys.push_back(std::move(c));
  }
  return Status::Ok();
}

JoinRows JoinSide::make_rows() const {
  int time = -1;  // the time column's place among the stored ones
  for (size_t c = 0; c < columns.size(); ++c) {
    if (columns[c] == time_column) time = static_cast<int>(c);
  }
  return JoinRows(types, time, key_columns, key_types);
}

bool JoinSide::is_delete(const RecordBatch& batch, int64_t row) const {
  if (op_column < 0) return false;
  return sql::is_delete_row(batch.column(op_column), row);
}

}  // namespace sluice::dataflow
