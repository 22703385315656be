#pragma once
// The stateless step of a query without aggregates: WHERE, then the SELECT list. Over an input
// that carries its changes (BoundQuery::input_change_column) each row that passes keeps its
// `_op`, the output's last column (sql/join_change_column.h); otherwise, with EMIT CHANGES,
// every row is an insert. Its PROCTIME() columns (BoundQuery::processing_time_columns) are the
// processing clock's time when the batch reached it, one value for the whole batch.
//
// Thread: the compute thread (or a test's) only, as every operator.

#include <memory>
#include <vector>

#include "dataflow/operator.h"
#include "dataflow/processing_clock.h"
#include "sql/bound_query.h"

namespace sluice::dataflow {

class ProjectOperator final : public Operator {
 public:
  // `clock`: what PROCTIME() reads (the graph's; outlives the operator); null: a clock of its own.
  explicit ProjectOperator(std::shared_ptr<const sql::BoundQuery> query,
                           ProcessingClock* clock = nullptr);
  Status process(const RecordBatch& input, std::vector<RecordBatch>& out) override;
  std::string describe() const override;

 private:
  // `batch` with its PROCTIME() columns set to the clock's time now.
  Result<RecordBatch> stamp_processing_time(RecordBatch batch);

  std::shared_ptr<const sql::BoundQuery> query_;
  std::vector<uint32_t> selection_;  // reused across batches
  ProcessingClock own_clock_;        // when none is given (EXPLAIN's operators never run)
  ProcessingClock* clock_;
};

// Rows of `batch` where `predicate` is TRUE (all of it when predicate is null). Shared by
// the query operators and sink filters.
Result<RecordBatch> filter_batch(const sql::BoundExprPtr& predicate, const RecordBatch& batch,
                                 std::vector<uint32_t>& selection);
// "project [a, (x * 2) AS y]": each output column as its expression, named where it differs.
std::string describe_projection(const sql::BoundQuery& query);
// Evaluates each expression into a column of a new batch with `schema`'s fields, then ends each
// row with its change: `change_op` for every row ('insert'), or else the value of `batch`'s
// column `change_column` (an updating input's `_op`, passed on); neither when null and -1.
Result<RecordBatch> project_batch(const std::vector<sql::BoundExprPtr>& exprs,
                                  const RecordBatch& batch, const SchemaPtr& schema,
                                  const char* change_op = nullptr, int change_column = -1);

}  // namespace sluice::dataflow
