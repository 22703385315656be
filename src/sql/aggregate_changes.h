#pragma once
// An aggregate over an input that emits changes (Catalog::updating: EMIT CHANGES, a regular
// join's or a top-N's `_op`): each 'insert' row is added to its group and each 'delete' row
// removed from it, the way Flink retracts and RisingWave aggregates a changelog. What it
// accepts, and what it refuses where:
//
//   - the input must carry its changes in `_op`, its last column (the one rule of
//     sql/join_change_column.h); an input that updates without it (an aggregate's EMIT ON
//     UPDATE passes new rows only) cannot say what to remove: refused, asking for EMIT CHANGES;
//   - the aggregates that can take a row back: COUNT, SUM, AVG (by subtraction), MIN, MAX and
//     COUNT(DISTINCT) (per group, each value with its count), the variance family (Welford's
//     update reversed); FIRST_VALUE/LAST_VALUE (by arrival: a delete of the first row would
//     need every row's order) are refused at the call;
//   - no window: a delete may arrive after its window closed and was emitted final, and a
//     session cannot split; refused at the window;
//   - the query consumes `_op`: no expression of it may read it;
//   - its output updates as a group changes, and a group whose rows are all deleted is deleted
//     too: EMIT CHANGES (the default here); EMIT ON UPDATE, which cannot say a row went away,
//     is refused.
//
// Thread: a pure function (the binder's).

#include "sql/ast.h"
#include "sql/bound_query.h"

namespace sluice::sql {

// Binds the changes of `q`'s updating input into `q` (an aggregate whose keys, aggregates and
// projection are bound, its EMIT as written): `q.input_change_column`, and EMIT CHANGES when none
// was written; else the refusal, at what causes it.
Status bind_aggregate_over_changes(const SelectStmt& select, BoundQuery& q);

}  // namespace sluice::sql
