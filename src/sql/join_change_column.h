#pragma once
// Which column of a join input says whether each row is an insert or a delete — the one rule the
// binder (BoundJoin's output schema and left_updating/right_updating) and the join operators (the
// columns they store and emit) follow, so the two never disagree:
//
//   - an input that updates carries its changes in `_op`, its last column (where EMIT CHANGES and
//     a join that emits changes put it); a join consumes that column: it is neither stored nor
//     output, and BoundJoin::<side>_updating says the side has it;
//   - an input that updates without one (an aggregate's EMIT ON UPDATE passes its new rows only)
//     has no change column: its deletes cannot reach the join (the binder refuses it where they
//     would have to; a lookup join takes its rows as inserts, docs/joins_temporal.md);
//   - the join's own `_op`, when it emits changes (BoundJoin::output_schema), is its output's
//     last column, after the left side's columns and the right side's.
//
// Thread: a pure function.

#include "sluice/column.h"
#include "sluice/schema.h"
#include "sql/bound_query.h"
#include "sql/names.h"

namespace sluice::sql {

// The change column of `input`, the rows of a join input that updates (Catalog::updating):
// its last column when that is `_op`, else -1.
inline int join_change_column(const Schema& input) {
  const int last = input.num_fields() - 1;
  return last >= 0 && to_lower(input.field(last).name) == kChangeOpColumn ? last : -1;
}

// How many of a join input's columns the join keeps and outputs, in their order: all but its
// change column (`has_change_column`: BoundJoin::<side>_updating). Output column i < the left's
// width is left column i; the right's follow.
inline int join_stored_width(const Schema& input, bool has_change_column) {
  return input.num_fields() - (has_change_column && join_change_column(input) >= 0 ? 1 : 0);
}

// Whether row `row` of an updating input's change column `op` is a delete ('delete'; an
// 'insert', or anything else, adds the row). The join and an aggregate over changes
// (aggregate_changes.h) read `_op` by this one rule.
inline bool is_delete_row(const Column& op, int64_t row) {
  return !op.is_null(row) && op.string_value(row) == "delete";
}

}  // namespace sluice::sql
