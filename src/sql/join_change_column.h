#pragma once
// Which column of an input says whether each row is an insert or a delete — the one rule the
// binder (BoundJoin's output schema and left_updating/right_updating, a projection's and a UNION
// ALL's output) and the operators (the columns a join stores and emits, the `_op` a projection
// passes on) follow, so the two never disagree:
//
//   - an input that updates carries its changes in `_op`, its last column (where EMIT CHANGES and
//     a join that emits changes put it); a join consumes that column: it is neither stored nor
//     output, and BoundJoin::<side>_updating says the side has it;
//   - an input that updates without one (an aggregate's EMIT ON UPDATE passes its new rows only)
//     has no change column: its deletes cannot reach the join (the binder refuses it where they
//     would have to; a lookup join takes its rows as inserts, docs/joins_temporal.md);
//   - the join's own `_op`, when it emits changes (BoundJoin::output_schema), is its output's
//     last column, after the left side's columns and the right side's;
//   - a query without aggregates over an input with a change column passes each row's change on
//     (the Flink/RisingWave rule: the changelog kind is carried, never dropped): its output ends
//     with `_op`, the input's value (BoundQuery::input_change_column), whatever its SELECT list
//     names; a WHERE keeps or drops each change whole;
//   - a UNION ALL of which one input has a change column has one: its other inputs' rows are
//     inserts (an input that updates without one is refused).
//
// Thread: a pure function.

#include <vector>

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

// The change column of `input` when it `updates` (Catalog::updating), else -1. An input that
// updates without one passes no deletes (an aggregate's EMIT ON UPDATE: its new rows only).
inline int change_column(const Schema& input, bool updates) {
  return updates ? join_change_column(input) : -1;
}

// How many of a join input's columns a join may keep and output: all but its change column
// (`has_change_column`: BoundJoin::<side>_updating). Which of them it does: join_side_columns.
inline int join_stored_width(const Schema& input, bool has_change_column) {
  return input.num_fields() - (has_change_column && join_change_column(input) >= 0 ? 1 : 0);
}

// The columns of a join's input that it stores and emits, in its output's order: the binder's
// choice (BoundJoin::left_columns / right_columns, projection pushdown), else every column but
// the side's change column. Output column i < the left's count is left column left[i]; the
// right's follow.
inline std::vector<int> join_side_columns(const BoundJoin& join, bool left) {
  const std::optional<std::vector<int>>& chosen = left ? join.left_columns : join.right_columns;
  if (chosen) return *chosen;
  const SchemaPtr& schema = left ? join.left_schema : join.right_schema;
  std::vector<int> all;
  if (schema == nullptr) return all;
  const int width = join_stored_width(*schema, left ? join.left_updating : join.right_updating);
  for (int c = 0; c < width; ++c) all.push_back(c);
  return all;
}

// Whether row `row` of an updating input's change column `op` is a delete ('delete'; an
// 'insert', or anything else, adds the row). The join and an aggregate over changes
// (aggregate_changes.h) read `_op` by this one rule.
inline bool is_delete_row(const Column& op, int64_t row) {
  return !op.is_null(row) && op.string_value(row) == "delete";
}

}  // namespace sluice::sql
