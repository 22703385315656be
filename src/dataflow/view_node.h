#pragma once
// ViewNode: a materialized view — a query whose current result is kept in a ViewTable for
// ad-hoc SELECTs. A view that emits changes (EMIT CHANGES; a top-N; a projection of an input
// that carries changes) or an aggregate view declared ON UPDATE keeps its table from the
// operator's changelog; downstream of an ON UPDATE view sees the new rows only (no _op).
//
// Thread: the compute thread (or a test's) only.

#include <memory>
#include <vector>

#include "dataflow/query_node.h"
#include "dataflow/view_table.h"

namespace sluice::dataflow {

class ViewNode final : public QueryNode {
 public:
  // `clock`: what PROCTIME() reads (the graph's).
  explicit ViewNode(std::shared_ptr<const sql::QueryDef> definition,
                    ProcessingClock* clock = nullptr);

  const ViewTable& table() const { return table_; }
  std::unique_ptr<StateImage> capture_table() const override { return table_.capture(); }
  StateStats table_state() const override { return table_.state_stats(); }
  bool has_table() const override { return true; }
  Status restore_table(StateReader& reader) override;
  // The operator's, and the deletes the table did not hold (OperatorStats::unmatched_deletes).
  OperatorStats stats() const override;

 protected:
  Status publish(const RecordBatch& batch) override;

 private:
  ViewTable table_;
  const bool applies_changelog_;
  std::vector<Value> row_;         // reused per row
  std::vector<uint32_t> inserts_;  // reused per batch
  int64_t unmatched_deletes_ = 0;  // deletes of rows the table did not hold
};

}  // namespace sluice::dataflow
