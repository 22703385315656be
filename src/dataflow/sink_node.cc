#include "dataflow/sink_node.h"

#include <algorithm>

#include "dataflow/project_operator.h"
#include "sql/redaction.h"

namespace sluice::dataflow {

SinkNode::SinkNode(std::shared_ptr<const sql::SinkDef> definition)
    : Node(definition->name, sql::ObjectKind::kSink), definition_(std::move(definition)) {}

Status SinkNode::feed(const RecordBatch& batch, int port) {
  (void)port;
  rows_in_ += batch.num_rows();
  SLC_ASSIGN_OR_RETURN(RecordBatch kept, filter_batch(definition_->where, batch, selection_));
  if (kept.num_rows() == 0) return Status::Ok();  // nothing to send
  return emit(kept);
}

std::string SinkNode::describe() const {
  std::string line;
  if (definition_->where) line += ": filter " + definition_->where->sql.str() + " →";
  line += " " + definition_->connector + "(";
  bool first = true;
  const std::vector<std::string>& secret = definition_->secret_options;
  for (const auto& [k, v] : definition_->options) {
    const bool is_secret = std::find(secret.begin(), secret.end(), k) != secret.end();
    line += (first ? "" : ", ") + k + "=" + sql::shown_option_value(v, is_secret);
    first = false;
  }
  return line + ")";
}

}  // namespace sluice::dataflow
