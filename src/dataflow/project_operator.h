#pragma once
// The stateless step of a query without aggregates: WHERE, then the SELECT list. With
// EMIT CHANGES every row is an insert.

#include <memory>
#include <vector>

#include "dataflow/operator.h"
#include "sql/bound_query.h"

namespace sluice::dataflow {

class ProjectOperator final : public Operator {
 public:
  explicit ProjectOperator(std::shared_ptr<const sql::BoundQuery> query);
  Status process(const RecordBatch& input, std::vector<RecordBatch>& out) override;
  std::string describe() const override;

 private:
  std::shared_ptr<const sql::BoundQuery> query_;
  std::vector<uint32_t> selection_;  // reused across batches
};

// Rows of `batch` where `predicate` is TRUE (all of it when predicate is null). Shared by
// the query operators and sink filters.
Result<RecordBatch> filter_batch(const sql::BoundExprPtr& predicate, const RecordBatch& batch,
                                 std::vector<uint32_t>& selection);
// "project [a, (x * 2) AS y]": each output column as its expression, named where it differs.
std::string describe_projection(const sql::BoundQuery& query);
// Evaluates each expression into a column of a new batch with `schema`'s first fields.
Result<RecordBatch> project_batch(const std::vector<sql::BoundExprPtr>& exprs,
                                  const RecordBatch& batch, const SchemaPtr& schema,
                                  const char* change_op = nullptr);

}  // namespace sluice::dataflow
