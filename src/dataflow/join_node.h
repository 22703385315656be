#pragma once
// JoinNode: a join step (sql::PlanStep::kJoin) — its JoinOperator (join_operator.h) fed the
// left input's batches on port kLeftSide and the right's on kRightSide. When one side's
// watermark moves, the operator hears it for that side (on_watermark(side, …)), emits what
// that completes, and only then does the node pass its own watermark, the minimum of both
// sides' (multi_input_node.h: ended and idle inputs), downstream.
//
// Checkpoints: the plan signature and both sides' watermarks (MultiInputNode's framing), then
// the operator's own capture (copy-on-write; written later, off the compute thread).
//
// Thread: the compute thread (or a test's) only.

#include <memory>
#include <string>
#include <vector>

#include "dataflow/join_operator.h"
#include "dataflow/multi_input_node.h"
#include "sql/bound_plan.h"

namespace sluice::dataflow {

// EXPLAIN's line for a join: "interval inner join a, b on a.k = b.k, b.ts in [a.ts - 10s,
// a.ts + 5s], where <residual>" — its kind, type, inputs, keys, time bounds and residual.
std::string describe_join(const sql::BoundJoin& join, const std::vector<std::string>& inputs);

class JoinNode final : public MultiInputNode {
 public:
  // `step_of`: the object whose query the step belongs to.
  JoinNode(const sql::PlanStep& step, std::unique_ptr<JoinOperator> op, std::string step_of);

  const sql::BoundJoin& join() const { return *join_; }
  const JoinOperator& join_operator() const { return *op_; }

  const char* kind_label() const override { return "join"; }
  Status feed(const RecordBatch& batch, int port) override;
  std::string describe() const override;
  OperatorStats stats() const override;
  StateStats operator_state() const override { return op_->state_stats(); }

 protected:
  Status on_port_watermark(int port, int64_t watermark) override;
  std::string plan_signature() const override;
  std::unique_ptr<StateImage> capture_inner() const override { return op_->capture(); }
  Status restore_inner(StateReader& reader) override { return op_->restore(reader); }

 private:
  Status publish_all();

  const std::shared_ptr<const sql::BoundJoin> join_;
  const std::unique_ptr<JoinOperator> op_;
  std::vector<RecordBatch> out_;  // reused: what one call of the operator emitted
};

}  // namespace sluice::dataflow
