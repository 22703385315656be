#pragma once
// The steps of a query whose FROM is more than one object's rows: a join, a subquery, a WITH
// (common table expression) or a UNION ALL. Each such part becomes a step, an anonymous graph
// node of its own named "<object>$<n>" (1, 2, … in the order they are bound), reading catalog
// objects or earlier steps. The object's own BoundQuery then reads the last step as its
// `input`; `BoundQuery::steps` lists every step of the statement, flattened, in an order where
// each step's inputs come before it.
//
//   CREATE STREAM s AS SELECT … FROM a JOIN b ON … WHERE …
//     steps:  s$1 = join(a, b)          query: input s$1, where, projection, …
//
// A step is never in the catalog: it is created, checkpointed (by its name) and dropped with
// its object. Thread: immutable once bound; shared by the catalog and the graph.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sluice/schema.h"
#include "sql/bound_expr.h"

namespace sluice::sql {

struct BoundQuery;

enum class JoinKind {
  // a.k = b.k AND b.ts BETWEEN a.ts - lower AND a.ts + upper: each side's rows are kept until
  // the other side's watermark passes the interval they can still match; no update is ever
  // retracted (append-only output).
  kInterval,
  // Both sides grouped by the same TUMBLE/HOP window, joined on it (Nexmark q8): an interval
  // join whose bounds are the window's, state dropped when the window closes on both sides.
  kWindow,
  // No time bound: both sides kept (or for `retention`), output emits changes (`_op`) when a
  // side updates (an updating input's deletes retract the joined rows they made).
  kRegular,
  // Each left row with the latest right row at or before its event time, per key
  // (optionally no older than `tolerance`).
  kAsof,
  // Each left row against a materialized view (FOR SYSTEM_TIME AS OF): the right side is the
  // view's changelog, kept per key. AS OF l.ts: the view's version valid at the left row's
  // time (right_time: the view's version time); AS OF PROCTIME() (`processing_time`): the
  // view's rows as the left row arrives.
  kLookup,
};

enum class JoinType { kInner, kLeftOuter };

// "interval", "window", "regular", "asof", "lookup": EXPLAIN's word for each.
inline const char* join_kind_name(JoinKind kind) {
  switch (kind) {
    case JoinKind::kInterval:
      return "interval";
    case JoinKind::kWindow:
      return "window";
    case JoinKind::kRegular:
      return "regular";
    case JoinKind::kAsof:
      return "asof";
    case JoinKind::kLookup:
      return "lookup";
  }
  return "?";
}

struct BoundJoin {
  JoinKind kind = JoinKind::kInterval;
  JoinType type = JoinType::kInner;
  SchemaPtr left_schema;
  SchemaPtr right_schema;
  // The left side's columns then the right side's (the right's nullable in a left outer join),
  // then `_op` when the join emits changes (kRegular over an updating input, or any left outer
  // regular join). Column names are made unique by the binder (it resolves `a.x` / `b.x` to
  // positions; the names are for display).
  SchemaPtr output_schema;
  // The columns of each input the join stores and emits, in output order: the binder's are
  // those read above the join or by the join itself (projection pushdown, sql/column_usage.h);
  // unset, every column but an updating input's `_op` (join_side_columns in
  // join_change_column.h reads them so). Each side's time column and plain-column keys are
  // among them.
  std::optional<std::vector<int>> left_columns;
  std::optional<std::vector<int>> right_columns;

  // Equi-join keys: left_keys[i] = right_keys[i], each over its own side, of the same type
  // (the binder casts). A NULL key never matches. Empty for a cross or time-only join.
  std::vector<BoundExprPtr> left_keys;
  std::vector<BoundExprPtr> right_keys;
  // The rest of ON, over output_schema's left+right columns (not `_op`); may be null.
  BoundExprPtr residual;

  // kLookup: FOR SYSTEM_TIME AS OF PROCTIME(): the view's rows as each left row arrives (no
  // time columns); otherwise by event time (left_time AS OF, right_time the view's version).
  bool processing_time = false;
  // Event time (kInterval, kWindow, kAsof, kLookup): a TIMESTAMP column of each side, and for
  // kInterval and kWindow the bounds: a right row matches a left row at time t when its time lies
  // in [t - lower, t + upper] (µs, inclusive).
  int left_time = -1;
  int right_time = -1;
  int64_t lower = 0;
  int64_t upper = 0;
  // kWindow: the time columns are the windows' window_start or window_end (lower = upper = 0:
  // equal); these are added to them to give each row's window end (the window's size for a
  // window_start column, 0 for window_end), after which the other side's watermark passing it
  // means no more rows of that window can come from that side.
  int64_t left_end_offset = 0;
  int64_t right_end_offset = 0;
  // kAsof: the right row may be at most this much older than the left row (-1: any age).
  int64_t tolerance = -1;
  // kRegular: rows older than this (by event time, against the watermark) are dropped from the
  // state (0: kept forever, the default; documented as unbounded).
  int64_t retention = 0;
  // Whether each input emits updates (an `_op` column: EMIT CHANGES, or an ON UPDATE view's
  // changelog), so its deletes must retract.
  bool left_updating = false;
  bool right_updating = false;

  std::string sql;  // the join as written, for EXPLAIN
};

struct PlanStep {
  enum class Kind {
    kQuery,  // a subquery or CTE: a continuous query (BoundQuery) over inputs[0]
    kJoin,   // a join of inputs[0] (left) and inputs[1] (right)
    kUnion,  // UNION ALL of every input (the same column types, in order)
  };
  Kind kind = Kind::kQuery;
  std::string name;                         // "<object>$<n>"
  std::vector<std::string> inputs;          // catalog objects or earlier steps' names
  std::shared_ptr<const BoundQuery> query;  // kQuery (query->input == inputs[0], no steps)
  std::shared_ptr<const BoundJoin> join;    // kJoin
  SchemaPtr schema;                         // the rows it emits
};

}  // namespace sluice::sql
