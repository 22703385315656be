#pragma once
// A bound OVER frame: aggregates (COUNT, SUM, AVG, MIN, MAX) over ROWS BETWEEN n PRECEDING AND
// CURRENT ROW of each row's partition, ordered by the ORDER BY. Bound by bind_over
// (over_binder.h), run by the dataflow's OverOperator (docs/sql.md, "OVER frames").
//
// Two ways to run, chosen at bind time:
//   - `on_watermark`: the input is append-only and its first ORDER BY key is the event-time
//     column its watermark is made of, ascending. A row is emitted once the watermark passes
//     its time (no earlier row can come); late rows are dropped and counted; the output is
//     append-only, and a partition keeps only its last n rows.
//   - otherwise (an updating input, or an order no watermark settles): every row is kept per
//     partition in order, and an insert or delete changes the outputs of that row and the n
//     rows after it: their old outputs are deleted and the new ones inserted (`_op`).
//
// Order within a partition: the ORDER BY keys, then the row's other values (the selected
// values, then the aggregates' arguments, ascending, NULLs last); rows equal in all of these
// are alike in every output, so which of them came first changes nothing.
//
// Thread: immutable once bound; shared by the catalog and the graph.

#include <cstdint>
#include <string>
#include <vector>

#include "sql/bound_expr.h"
#include "sql/bound_top_n.h"

namespace sluice::sql {

enum class AggKind;

struct OverCall {
  AggKind kind;
  BoundExprPtr arg;  // over the input; null for COUNT(*)
  int64_t preceding = 0;
  DataType result_type = DataType::kInt64;
  int column = 0;  // where the value stands in the output (the projection holds a placeholder)
  std::string sql;
};

struct BoundOver {
  std::vector<BoundExprPtr> partition_keys;  // over the input
  std::vector<TopNSortKey> sort_keys;        // over the input; at least one
  std::vector<OverCall> calls;               // in output order
  int64_t max_preceding = 0;                 // the largest call's n
  bool on_watermark = false;                 // see above
  int change_column = -1;                    // the updating input's `_op`, or -1
  std::string sql;                           // the window, for EXPLAIN
};

}  // namespace sluice::sql
