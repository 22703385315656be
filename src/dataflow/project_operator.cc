#include "dataflow/project_operator.h"

#include "sluice/column_builder.h"
#include "sql/expr_eval.h"
#include "sql/names.h"

namespace sluice::dataflow {

Result<RecordBatch> filter_batch(const sql::BoundExprPtr& predicate, const RecordBatch& batch,
                                 std::vector<uint32_t>& selection) {
  if (!predicate) return batch;
  SLC_RETURN_IF_ERROR(sql::select_true(*predicate, batch, selection));
  if (static_cast<int64_t>(selection.size()) == batch.num_rows()) return batch;
  return batch.take(selection);
}

Result<RecordBatch> project_batch(const std::vector<sql::BoundExprPtr>& exprs,
                                  const RecordBatch& batch, const SchemaPtr& schema,
                                  const char* change_op, int change_column) {
  std::vector<Column> columns;
  columns.reserve(exprs.size() + 1);
  for (const sql::BoundExprPtr& e : exprs) {
    SLC_ASSIGN_OR_RETURN(Column c, sql::evaluate_column(*e, batch));
    columns.push_back(std::move(c));
  }
  if (change_op != nullptr) {
    ColumnBuilder op(DataType::kVarchar);
    op.reserve(batch.num_rows());
    for (int64_t i = 0; i < batch.num_rows(); ++i) op.append_string(change_op);
    columns.push_back(op.finish());
  } else if (change_column >= 0) {
    columns.push_back(batch.column(change_column));
  }
  return RecordBatch::make(schema, std::move(columns));
}

std::string describe_projection(const sql::BoundQuery& query) {
  std::string out = "project [";
  for (size_t i = 0; i < query.projection.size(); ++i) {
    if (i) out += ", ";
    const std::string expr = query.projection[i]->sql.str();
    const std::string& name = query.output_schema->field(static_cast<int>(i)).name;
    out += expr;
    if (sql::to_lower(expr) != sql::to_lower(name)) out += " AS " + name;
  }
  return out + "]";
}

ProjectOperator::ProjectOperator(std::shared_ptr<const sql::BoundQuery> query,
                                 ProcessingClock* clock)
    : query_(std::move(query)), clock_(clock != nullptr ? clock : &own_clock_) {}

Status ProjectOperator::process(const RecordBatch& input, std::vector<RecordBatch>& out) {
  stats_.rows_in += input.num_rows();
  SLC_ASSIGN_OR_RETURN(RecordBatch kept, filter_batch(query_->where, input, selection_));
  if (kept.num_rows() == 0) return Status::Ok();
  const int carried = query_->input_change_column;
  const char* op = query_->emit == sql::EmitMode::kChanges && carried < 0 ? "insert" : nullptr;
  SLC_ASSIGN_OR_RETURN(RecordBatch projected,
                       project_batch(query_->projection, kept, query_->output_schema, op, carried));
  if (!query_->processing_time_columns.empty()) {
    SLC_ASSIGN_OR_RETURN(projected, stamp_processing_time(std::move(projected)));
  }
  stats_.rows_out += projected.num_rows();
  out.push_back(std::move(projected));
  return Status::Ok();
}

Result<RecordBatch> ProjectOperator::stamp_processing_time(RecordBatch batch) {
  // The time the batch reached the query: every row of it the same, as it was processed at once.
  ColumnBuilder now(DataType::kTimestamp);
  now.reserve(batch.num_rows());
  const int64_t micros = clock_->now();
  for (int64_t i = 0; i < batch.num_rows(); ++i) now.append_int64(micros);
  const Column stamped = now.finish();
  std::vector<Column> columns;
  columns.reserve(static_cast<size_t>(batch.num_columns()));
  for (int c = 0; c < batch.num_columns(); ++c) columns.push_back(batch.column(c));
  for (const int c : query_->processing_time_columns) columns[static_cast<size_t>(c)] = stamped;
  return RecordBatch::make(batch.schema(), std::move(columns));
}

std::string ProjectOperator::describe() const {
  std::string out;
  if (query_->where) out += "filter " + query_->where->sql.str() + " → ";
  return out + describe_projection(*query_);
}

}  // namespace sluice::dataflow
