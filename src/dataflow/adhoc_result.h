#pragma once
// The finishing steps of an ad-hoc SELECT's result, which only a complete result can take:
// DISTINCT, ORDER BY, OFFSET and LIMIT (sql::BoundQuery), then the columns ORDER BY computed
// without selecting them are dropped.
//
// Thread: a function; runs on whichever thread executes the SELECT (the compute thread).

#include "sluice/record_batch.h"
#include "sluice/status.h"
#include "sql/bound_query.h"

namespace sluice::dataflow {

// `rows` is the query's whole result (its output_schema).
Result<RecordBatch> finish_adhoc_result(const sql::BoundQuery& query, RecordBatch rows);

}  // namespace sluice::dataflow
