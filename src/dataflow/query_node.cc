#include "dataflow/query_node.h"

#include "dataflow/aggregate_operator.h"
#include "dataflow/ordered_input.h"
#include "dataflow/over_operator.h"
#include "dataflow/project_operator.h"
#include "dataflow/top_n_operator.h"
#include "sql/processing_time.h"

namespace sluice::dataflow {

namespace {

// EXPLAIN's note on the input order: an aggregate's interleaving changes only what its
// FIRST_VALUE/LAST_VALUE and floating-point sums give (its changes per batch depend on batching
// in any case).
std::string describe_order(const sql::BoundQuery& query) {
  if (query.aggregate && query.input_order.kind == sql::InputOrder::Kind::kInterleaved) {
    return "; FIRST_VALUE/LAST_VALUE and floating-point sums follow the interleaving of its inputs";
  }
  return describe_input_order(query);
}

}  // namespace

std::unique_ptr<Operator> make_operator(std::shared_ptr<const sql::BoundQuery> query,
                                        bool view_changelog, ProcessingClock* clock) {
  std::unique_ptr<Operator> op;
  if (query->aggregate) op = std::make_unique<AggregateOperator>(query, view_changelog);
  if (query->top_n) op = std::make_unique<TopNOperator>(query);
  if (query->over) op = std::make_unique<OverOperator>(query);
  if (op != nullptr) {
    // Order-sensitive (a top-N, an OVER frame, FIRST_VALUE/LAST_VALUE): where two sources
    // interleave, fed in a canonical order (ordered_input.h).
    if (query->input_order.kind != sql::InputOrder::Kind::kHeld) return op;
    return std::make_unique<OrderedInput>(query, std::move(op));
  }
  return std::make_unique<ProjectOperator>(query, clock);
}

QueryNode::QueryNode(std::shared_ptr<const sql::QueryDef> definition, std::unique_ptr<Operator> op,
                     std::string step_of)
    : Node(definition->name, definition->kind),
      definition_(std::move(definition)),
      op_(std::move(op)),
      step_of_(std::move(step_of)),
      processing_time_(sql::is_processing_time_window(*definition_->query)) {}

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
  // Processing-time windows close by the clock; of the input's watermark only its end counts.
  if (processing_time() && watermark != kFinalWatermark) return Status::Ok();
  return close_to(watermark);
}

int64_t QueryNode::next_processing_deadline() const {
  if (!processing_time() || watermark_ == kFinalWatermark) return kFinalWatermark;
  if (watermark_ == kNoWatermark) return kNoWatermark;  // not started: at once
  // The first window end after the time it has closed to: windows start at multiples of the
  // slide (TUMBLE: the size) and end `size` later.
  const sql::WindowSpec& w = *query().window;
  const int64_t from = watermark_ - w.size;  // the end k·slide + size > watermark_
  const int64_t k = from >= 0 ? from / w.slide + 1 : -((-from) / w.slide);
  const int64_t end = k * w.slide + w.size;
  return end > watermark_ ? end : end + w.slide;
}

Status QueryNode::advance_processing_time(int64_t now) {
  if (!processing_time()) return Status::Ok();
  return close_to(now);
}

Status QueryNode::close_to(int64_t watermark) {
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
  // A processing-time window's operator starts at the clock, on its first advance.
  if (watermark == kNoWatermark || processing_time()) return;
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
  const std::string order = describe_order(query());
  if (processing_time()) {
    return ": " + op_->describe() + order +
           ", by processing time (windows closed by the wall clock; depends on timing)";
  }
  return ": " + op_->describe() + order;
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
