#pragma once
// The finishing steps of an ad-hoc SELECT's result, which only a complete result can take:
// DISTINCT, ORDER BY, OFFSET and LIMIT (sql::BoundQuery), then the columns ORDER BY computed
// without selecting them are dropped.
//
// Thread: a function; runs on whichever thread executes the SELECT (the compute thread).

#include <string>

#include "sluice/record_batch.h"
#include "sluice/status.h"
#include "sql/bound_query.h"

namespace sluice::dataflow {

// `rows` is the query's whole result (its output_schema).
Result<RecordBatch> finish_adhoc_result(const sql::BoundQuery& query, RecordBatch rows);

// The finishing steps `query` takes, in their order, for EXPLAIN: "DISTINCT → ORDER BY price
// DESC → OFFSET 2 → LIMIT 10"; empty when it takes none.
std::string describe_adhoc_finish(const sql::BoundQuery& query);

}  // namespace sluice::dataflow
