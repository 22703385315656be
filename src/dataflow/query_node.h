#pragma once
// QueryNode: a stream — a continuous query over one input, run by its operator (filter and
// project, or a windowed / unwindowed aggregate). What the operator emits goes on at once;
// watermarks close the operator's windows before they move further down.
//
// Thread: the compute thread (or a test's) only.

#include <memory>
#include <vector>

#include "dataflow/node.h"
#include "sql/catalog.h"

namespace sluice::dataflow {

// The operator that runs `query`. `view_changelog`: an aggregate view declared ON UPDATE,
// whose table is kept from a changelog (see view_node.h).
std::unique_ptr<Operator> make_operator(std::shared_ptr<const sql::BoundQuery> query,
                                        bool view_changelog = false);

class QueryNode : public Node {
 public:
  QueryNode(std::shared_ptr<const sql::QueryDef> definition, std::unique_ptr<Operator> op);

  const sql::QueryDef& definition() const { return *definition_; }
  const sql::BoundQuery& query() const { return *definition_->query; }
  const std::string& input() const override { return definition_->query->input; }

  Status feed(const RecordBatch& batch) override;
  Status advance(int64_t watermark) override;
  void join_at(int64_t watermark) override;
  std::string describe() const override;
  OperatorStats stats() const override;
  std::unique_ptr<StateImage> capture_operator() const override { return op_->capture(); }
  StateStats operator_state() const override { return op_->state_stats(); }
  Status restore_operator(StateReader& reader) override;

 protected:
  // What the operator emitted: to the output and downstream (views first apply it).
  virtual Status publish(const RecordBatch& batch) { return emit(batch); }

 private:
  Status publish_all();

  const std::shared_ptr<const sql::QueryDef> definition_;
  const std::unique_ptr<Operator> op_;
  std::vector<RecordBatch> out_;  // reused: what one call of the operator emitted
};

}  // namespace sluice::dataflow
