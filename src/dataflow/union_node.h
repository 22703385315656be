#pragma once
// UnionNode: a UNION ALL step (sql::PlanStep::kUnion) — every row of every input, passed on as
// it comes, relabelled with the step's schema (the inputs' column types are the same, in
// order, the binder casting each input in its own step; their names may differ; an updating
// union's `_op` is every input's last column). Its watermark is its inputs' minimum
// (multi_input_node.h). It keeps no state besides the ports' watermarks.
//
// Thread: the compute thread (or a test's) only.

#include <string>

#include "dataflow/multi_input_node.h"
#include "sql/bound_plan.h"

namespace sluice::dataflow {

class UnionNode final : public MultiInputNode {
 public:
  // `step_of`: the object whose query the step belongs to.
  UnionNode(const sql::PlanStep& step, std::string step_of);

  const char* kind_label() const override { return "union"; }
  Status feed(const RecordBatch& batch, int port) override;
  std::string describe() const override;

 protected:
  std::string plan_signature() const override;

 private:
  const SchemaPtr schema_;
};

}  // namespace sluice::dataflow
