#include "dataflow/view_node.h"

#include "sql/join_change_column.h"

namespace sluice::dataflow {

namespace {

bool keeps_changelog(const sql::BoundQuery& q) {
  return q.aggregate && q.emit == sql::EmitMode::kOnUpdate;
}

SchemaPtr table_schema(const sql::BoundQuery& q) {
  std::vector<Field> fields = q.output_schema->fields();
  if (q.emit == sql::EmitMode::kChanges) fields.pop_back();  // the _op column
  return make_schema(std::move(fields));
}

}  // namespace

ViewNode::ViewNode(std::shared_ptr<const sql::QueryDef> definition, ProcessingClock* clock)
    : QueryNode(definition,
                make_operator(definition->query, keeps_changelog(*definition->query), clock)),
      table_(table_schema(*definition->query)),
      // EMIT CHANGES (of an aggregate, a top-N, or a projection passing its input's changes on)
      // or an aggregate's ON UPDATE: the table follows the changes.
      applies_changelog_(
          definition->query->emit == sql::EmitMode::kChanges ||
          (definition->query->aggregate && definition->query->emit == sql::EmitMode::kOnUpdate)) {}

Status ViewNode::publish(const RecordBatch& batch) {
  const int ncols = table_.schema()->num_fields();
  row_.resize(static_cast<size_t>(ncols));
  inserts_.clear();
  for (int64_t r = 0; r < batch.num_rows(); ++r) {
    for (int c = 0; c < ncols; ++c)
      row_[static_cast<size_t>(c)] = Value::from_column(batch.column(c), r);
    // `_op` read by the one rule every operator over changes follows (join_change_column.h).
    const bool insert = !applies_changelog_ || !sql::is_delete_row(batch.column(ncols), r);
    if (!table_.apply(row_, insert)) ++unmatched_deletes_;
    if (insert) inserts_.push_back(static_cast<uint32_t>(r));
  }
  // A view declared ON UPDATE shows downstream its new rows, without the changelog.
  if (!applies_changelog_ || query().emit != sql::EmitMode::kOnUpdate) return emit(batch);
  std::vector<Column> columns(batch.columns().begin(), batch.columns().begin() + ncols);
  SLC_ASSIGN_OR_RETURN(RecordBatch plain, RecordBatch::make(table_.schema(), std::move(columns)));
  RecordBatch visible = plain.take(inserts_);
  if (visible.num_rows() == 0) return Status::Ok();
  return emit(visible);
}

OperatorStats ViewNode::stats() const {
  OperatorStats s = QueryNode::stats();
  s.unmatched_deletes += unmatched_deletes_;
  return s;
}

Status ViewNode::restore_table(StateReader& reader) {
  int64_t rows;
  SLC_RETURN_IF_ERROR(reader.i64(rows));
  if (rows < 0) {
    return Status(ErrorCode::kSchemaMismatch,
                  "the checkpoint's view table of " + name() + " does not match");
  }
  // Every row the table ever took was emitted, so it holds at most rows_out() rows (the
  // progress is restored before the table: Graph::restore).
  return table_.restore(reader, rows, rows_out());
}

}  // namespace sluice::dataflow
