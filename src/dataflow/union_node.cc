#include "dataflow/union_node.h"

namespace sluice::dataflow {

UnionNode::UnionNode(const sql::PlanStep& step, std::string step_of)
    : MultiInputNode(step.name, std::move(step_of), step.inputs), schema_(step.schema) {}

Status UnionNode::feed(const RecordBatch& batch, int port) {
  rows_in_ += batch.num_rows();
  if (batch.num_rows() == 0) return Status::Ok();
  if (batch.schema() == schema_) return emit(batch);
  const int n = schema_->num_fields();
  bool same = batch.num_columns() == n;
  for (int c = 0; same && c < n; ++c) same = batch.column(c).type() == schema_->field(c).type;
  if (!same) {
    return Status(ErrorCode::kSchemaMismatch,
                  "input " + std::to_string(port + 1) + " (" + inputs()[static_cast<size_t>(port)] +
                      ") sends (" + batch.schema()->to_string() + "), the union's columns are (" +
                      schema_->to_string() + ")",
                  what());
  }
  SLC_ASSIGN_OR_RETURN(RecordBatch relabelled, RecordBatch::make(schema_, batch.columns()));
  return emit(relabelled);
}

std::string UnionNode::describe() const {
  std::string line = ": union all of ";
  const std::vector<std::string> in = inputs();
  for (size_t i = 0; i < in.size(); ++i) line += (i ? ", " : "") + in[i];
  return line;
}

std::string UnionNode::plan_signature() const {
  return "union all (" + schema_->to_string() + ")" + describe();
}

}  // namespace sluice::dataflow
