#pragma once
// QueryNode: a stream — a continuous query over one input, run by its operator (filter and
// project, or a windowed / unwindowed aggregate). What the operator emits goes on at once;
// watermarks close the operator's windows before they move further down. A subquery or CTE
// step of another object's query (sql::PlanStep::kQuery) is a QueryNode too, named by its step
// and marked with the object it belongs to.
//
// A query grouped by a processing-time window (sql/processing_time.h) closes its windows by the
// processing clock, not by its input's watermark: the graph calls advance_processing_time as the
// clock passes a window's end, and the node's own watermark is that time. Only the end of its
// input (kFinalWatermark) comes from upstream: every open window closes then, as for event time.
//
// Thread: the compute thread (or a test's) only.

#include <memory>
#include <vector>

#include "dataflow/node.h"
#include "dataflow/processing_clock.h"
#include "sql/catalog.h"

namespace sluice::dataflow {

// The operator that runs `query`. `view_changelog`: an aggregate view declared ON UPDATE,
// whose table is kept from a changelog (see view_node.h). `clock`: what PROCTIME() reads (the
// graph's; null where the operator only describes itself).
std::unique_ptr<Operator> make_operator(std::shared_ptr<const sql::BoundQuery> query,
                                        bool view_changelog = false,
                                        ProcessingClock* clock = nullptr);

class QueryNode : public Node {
 public:
  // `step_of`: the object whose step this query is (empty: the query is that object).
  QueryNode(std::shared_ptr<const sql::QueryDef> definition, std::unique_ptr<Operator> op,
            std::string step_of = {});

  const sql::QueryDef& definition() const { return *definition_; }
  const sql::BoundQuery& query() const { return *definition_->query; }
  std::vector<std::string> inputs() const override { return {definition_->query->input}; }
  const std::string& step_of() const override { return step_of_; }
  const char* kind_label() const override;

  Status feed(const RecordBatch& batch, int port) override;
  Status advance(int64_t watermark, int port) override;
  void join_input(int port, int64_t watermark, bool idle) override;
  bool processing_time() const override { return processing_time_; }
  int64_t next_processing_deadline() const override;
  Status advance_processing_time(int64_t now) override;
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
  // Closes what `watermark` closes and passes it on.
  Status close_to(int64_t watermark);

  const std::shared_ptr<const sql::QueryDef> definition_;
  const std::unique_ptr<Operator> op_;
  const std::string step_of_;
  const bool processing_time_;    // grouped by a processing-time window
  std::vector<RecordBatch> out_;  // reused: what one call of the operator emitted
};

}  // namespace sluice::dataflow
