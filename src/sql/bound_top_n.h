#pragma once
// A bound top-N: ROW_NUMBER() OVER (PARTITION BY … ORDER BY …) kept to its first N rows
// (QUALIFY rn <= N; after a subquery in FROM, the outer WHERE of the Flink idiom). Per
// partition the N best rows by the sort keys; the output is their changes (`_op` 'insert' /
// 'delete') as the top N changes. Bound by bind_top_n (top_n_binder.h), run by the dataflow's
// TopNOperator.
//
// Thread: immutable once bound; shared by the catalog and the graph.

#include <cstdint>
#include <string>
#include <vector>

#include "sql/bound_expr.h"

namespace sluice::sql {

// The most rows a top-N keeps per partition: each new row is compared with up to N kept ones.
inline constexpr int64_t kMaxTopN = 100000;

struct TopNSortKey {
  BoundExprPtr expr;  // over the input
  bool descending = false;
  bool nulls_first = false;  // PostgreSQL's default: NULLs last ascending, first descending
};

struct BoundTopN {
  std::vector<BoundExprPtr> partition_keys;  // over the input (rows with equal keys rank together)
  std::vector<TopNSortKey> sort_keys;        // over the input; at least one
  int64_t limit = 1;                         // N: rows 1 … N of each partition are kept
  // Where ROW_NUMBER's value stands in the output (the query's projection holds a placeholder
  // there), or -1 when the row number is not selected (then a row entering or leaving the top
  // N changes only that row, not the numbers of the rows after it).
  int row_number_column = -1;
  // When partition_keys[window_key] is an upstream window's window_start or window_end (Nexmark
  // q5/q9's per-window top-N): its value + window_end_offset is the watermark past which the
  // window can have no more rows, so its partitions are dropped then. -1: kept forever.
  int window_key = -1;
  int64_t window_end_offset = 0;
  std::string sql;  // ROW_NUMBER() OVER (...) <= N, for EXPLAIN
};

}  // namespace sluice::sql
