#include "dataflow/join_node.h"

#include "columnar/timestamp.h"
#include "sql/join_change_column.h"

namespace sluice::dataflow {

namespace {

const char* join_type_name(sql::JoinType type) {
  return type == sql::JoinType::kLeftOuter ? "left outer" : "inner";
}

// "- 10s" / "+ 5s" after a time column.
void append_offset(const char* sign, int64_t micros, std::string& out) {
  if (micros == 0) return;
  out += std::string(" ") + sign + " ";
  append_interval(micros, out);
}

// ", keeps left (a, b), right (c)": the input columns the join stores and emits, when the
// binder narrowed it to fewer than its inputs have (projection pushdown, sql/column_usage.h).
std::string kept_columns(const sql::BoundJoin& j) {
  if (!j.left_schema || !j.right_schema) return "";
  std::string out;
  bool narrowed = false;
  for (const bool left : {true, false}) {
    const Schema& schema = left ? *j.left_schema : *j.right_schema;
    const std::vector<int> kept = sql::join_side_columns(j, left);
    narrowed |= static_cast<int>(kept.size()) <
                sql::join_stored_width(schema, left ? j.left_updating : j.right_updating);
    out += left ? ", keeps left (" : ", right (";
    for (size_t i = 0; i < kept.size(); ++i) {
      out += (i ? ", " : "") + schema.field(kept[i]).name;
    }
    out += ")";
  }
  return narrowed ? out : "";
}

}  // namespace

std::string describe_join(const sql::BoundJoin& j, const std::vector<std::string>& inputs) {
  std::string line = std::string(sql::join_kind_name(j.kind)) + " " + join_type_name(j.type) +
                     " join " + (inputs.size() > 0 ? inputs[0] : "?") + ", " +
                     (inputs.size() > 1 ? inputs[1] : "?");
  std::string keys;
  for (size_t i = 0; i < j.left_keys.size() && i < j.right_keys.size(); ++i) {
    keys += (i ? " and " : "") + j.left_keys[i]->sql.str() + " = " + j.right_keys[i]->sql.str();
  }
  line += keys.empty() ? " (no keys)" : " on " + keys;
  const bool timed = j.left_time >= 0 && j.right_time >= 0 && j.left_schema && j.right_schema;
  if (timed) {
    const std::string& lt = j.left_schema->field(j.left_time).name;
    const std::string& rt = j.right_schema->field(j.right_time).name;
    switch (j.kind) {
      case sql::JoinKind::kInterval:
        line += ", right " + rt + " in [left " + lt;
        append_offset("-", j.lower, line);
        line += ", left " + lt;
        append_offset("+", j.upper, line);
        line += "]";
        break;
      case sql::JoinKind::kWindow:
        line += ", same window (left " + lt + ", right " + rt + ")";
        break;
      case sql::JoinKind::kAsof:
        line += ", latest right " + rt + " <= left " + lt;
        if (j.tolerance >= 0) {
          line += " within ";
          append_interval(j.tolerance, line);
        }
        break;
      case sql::JoinKind::kLookup:
        line += ", the version (by right " + rt + ") valid at left " + lt;
        break;
      default:
        break;
    }
  }
  if (j.kind == sql::JoinKind::kLookup && j.processing_time) {
    line += ", the view's rows as each left row arrives (PROCTIME)";
  }
  if (j.kind == sql::JoinKind::kRegular) {
    if (j.retention > 0) {
      line += ", state kept ";
      append_interval(j.retention, line);
    } else {
      line += ", state unbounded";
    }
  }
  if (j.residual) line += ", where " + j.residual->sql.str();
  line += kept_columns(j);
  return line;
}

JoinNode::JoinNode(const sql::PlanStep& step, std::unique_ptr<JoinOperator> op, std::string step_of)
    : MultiInputNode(step.name, std::move(step_of), step.inputs),
      join_(step.join),
      op_(std::move(op)) {}

Status JoinNode::feed(const RecordBatch& batch, int port) {
  rows_in_ += batch.num_rows();
  Status s = op_->process(port, batch, out_);
  if (!s.ok()) {
    out_.clear();
    return s.with_location(what());
  }
  return publish_all();
}

Status JoinNode::on_port_watermark(int port, int64_t watermark) {
  Status s = op_->on_watermark(port, watermark, out_);
  if (!s.ok()) {
    out_.clear();
    return s;
  }
  return publish_all();
}

Status JoinNode::publish_all() {
  // Publishing never re-enters this node (the graph has no cycles), so out_ is stable here.
  Status s;
  for (size_t i = 0; i < out_.size() && s.ok(); ++i) s = emit(out_[i]);
  out_.clear();
  return s;
}

std::string JoinNode::describe() const {
  return ": " + describe_join(*join_, inputs());
}

std::string JoinNode::plan_signature() const {
  return describe_join(*join_, inputs()) + " → (" + join_->output_schema->to_string() + ")";
}

OperatorStats JoinNode::stats() const {
  OperatorStats s = op_->stats();
  s.rows_in = rows_in_;
  s.rows_out = rows_out_;
  return s;
}

}  // namespace sluice::dataflow
