#include "dataflow/query_node.h"

#include "dataflow/aggregate_operator.h"
#include "dataflow/ordered_input.h"
#include "dataflow/over_operator.h"
#include "dataflow/project_operator.h"
#include "dataflow/top_n_operator.h"

namespace sluice::dataflow {

std::unique_ptr<Operator> make_operator(std::shared_ptr<const sql::BoundQuery> query,
                                        bool view_changelog) {
  if (query->aggregate) return std::make_unique<AggregateOperator>(query, view_changelog);
  std::unique_ptr<Operator> op;
  if (query->top_n) op = std::make_unique<TopNOperator>(query);
  if (query->over) op = std::make_unique<OverOperator>(query);
  if (op != nullptr) {
    // Order-sensitive: where two sources interleave, fed in a canonical order (ordered_input.h).
    if (query->input_order.kind != sql::InputOrder::Kind::kHeld) return op;
    return std::make_unique<OrderedInput>(query, std::move(op));
  }
  return std::make_unique<ProjectOperator>(query);
}

QueryNode::QueryNode(std::shared_ptr<const sql::QueryDef> definition, std::unique_ptr<Operator> op,
                     std::string step_of)
    : Node(definition->name, definition->kind),
      definition_(std::move(definition)),
      op_(std::move(op)),
      step_of_(std::move(step_of)) {}

const char* QueryNode::kind_label() const {
  return step_of_.empty() ? Node::kind_label() : "subquery";
}

Status QueryNode::feed(const RecordBatch& batch, int port) {
  (void)port;
  rows_in_ += batch.num_rows();
  Status s = op_->process(batch, out_);
  if (!s.ok()) {
    out_.clear();
    return s.with_location(what());
  }
  return publish_all();
}

Status QueryNode::advance(int64_t watermark, int port) {
  (void)port;
  if (watermark <= watermark_) return Status::Ok();
  Status s = op_->on_watermark(watermark, out_);
  if (!s.ok()) {
    out_.clear();
    return s.with_location(what());
  }
  SLC_RETURN_IF_ERROR(publish_all());
  return advance_downstream(watermark);
}

void QueryNode::join_input(int port, int64_t watermark, bool idle) {
  Node::join_input(port, watermark, idle);
  if (watermark == kNoWatermark) return;
  std::vector<RecordBatch> none;  // a new query has no rows to close
  op_->on_watermark(watermark, none).ignore();
}

Status QueryNode::publish_all() {
  // Publishing never re-enters this node (the graph has no cycles), so out_ is stable here.
  Status s;
  for (size_t i = 0; i < out_.size() && s.ok(); ++i) s = publish(out_[i]);
  out_.clear();
  return s;
}

std::string QueryNode::describe() const {
  return ": " + op_->describe() + describe_input_order(query());
}

OperatorStats QueryNode::stats() const {
  OperatorStats s = op_->stats();
  s.rows_in = rows_in_;
  s.rows_out = rows_out_;
  return s;
}

Status QueryNode::restore_operator(StateReader& reader) {
  Status s = op_->restore(reader);
  return s.ok() ? s : s.with_location(what());
}

}  // namespace sluice::dataflow
