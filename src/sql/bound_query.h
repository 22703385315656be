#pragma once
// A bound continuous query: what a stream, view or sink's AS SELECT computes, fully
// resolved and typed, ready for the engine to build operators from.
//
// Non-aggregate:  input → [where] → projection (over the input's columns)
// Aggregate:      input → [where] → group by keys and at most one window → aggregates
//                 → the "group row" (keys..., [window_start, window_end], aggregates...)
//                 → [having] → projection (over the group row)

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sluice/schema.h"
#include "sql/ast.h"
#include "sql/bound_expr.h"
#include "sql/bound_over.h"
#include "sql/bound_plan.h"
#include "sql/bound_top_n.h"

namespace sluice::sql {

enum class WindowKind { kTumble, kHop, kSession };

struct WindowSpec {
  WindowKind kind = WindowKind::kTumble;
  int time_column = -1;  // a TIMESTAMP column of the input
  int64_t size = 0;      // TUMBLE, HOP (µs)
  int64_t slide = 0;     // HOP (µs)
  int64_t gap = 0;       // SESSION (µs)
  // Over a processing-time attribute (processing_time.h): TUMBLE or HOP windows closed by the
  // wall clock, not by the input's watermark.
  bool processing_time = false;
  std::string sql;
};

enum class AggKind {
  kCountStar,
  kCount,
  kSum,
  kAvg,
  kMin,
  kMax,
  kFirstValue,
  kLastValue,
  kVarSamp,     // VARIANCE, VAR_SAMP
  kVarPop,      // VAR_POP
  kStddevSamp,  // STDDEV, STDDEV_SAMP
  kStddevPop,   // STDDEV_POP
};

struct AggregateCall {
  AggKind kind = AggKind::kCountStar;
  bool distinct = false;
  BoundExprPtr arg;     // over the input; null for COUNT(*)
  BoundExprPtr filter;  // FILTER (WHERE ...) over the input: rows it is not TRUE for are skipped
  DataType result_type = DataType::kInt64;
  std::string sql;
  SourcePos pos;  // where the call was written (a refusal names it)
};

// ORDER BY of an ad-hoc SELECT: a column of the output, its direction, where NULLs go.
struct SortKey {
  int column = 0;
  bool descending = false;
  bool nulls_first = false;
};

// The order in which an order-sensitive consumer (a top-N, an OVER frame, an aggregate with
// FIRST_VALUE/LAST_VALUE) sees its input's rows; its output follows it. Chosen by
// sql/input_order.h.
struct InputOrder {
  enum class Kind {
    kArrival,      // the rows' order is a function of the input: one source's (or none)
    kHeld,         // two or more sources interleave: rows held, applied by (time, row values)
    kInterleaved,  // two or more sources interleave, and no column bounds how late rows come
  };
  Kind kind = Kind::kArrival;
  int time_column = -1;  // kHeld: the input's event-time column ordered by
  int64_t trail = 0;     // kHeld: µs its rows may trail the input's watermark
  // kHeld: rows at time t are all in once the watermark reaches t + trail (else: passes it).
  bool complete_at_trail = false;
};

struct BoundQuery {
  // The joins, subqueries, CTEs and UNION ALLs its FROM is made of, each an anonymous step
  // (see bound_plan.h); empty when FROM names one object.
  std::vector<PlanStep> steps;
  std::string input;  // catalog name of the FROM object, or the name of the last step
  SchemaPtr input_schema;
  BoundExprPtr where;  // over the input, may be null
  // The input's `_op` when it carries its changes (its last column, the rule of
  // sql/join_change_column.h); -1 when it is append-only, or when an EMIT CHANGES query's rows
  // are all inserts. An aggregate adds its inserts to their groups and takes its deletes back
  // (aggregate_changes.h); a query without aggregates passes it on as each output row's `_op`
  // (emit = kChanges). An OVER frame reads its own (BoundOver::change_column).
  int input_change_column = -1;

  bool aggregate = false;
  std::vector<BoundExprPtr> keys;  // over the input
  std::optional<WindowSpec> window;
  std::vector<AggregateCall> aggregates;
  SchemaPtr group_schema;  // keys..., [window_start, window_end], aggregates...
  BoundExprPtr having;     // over group_schema, may be null

  std::vector<BoundExprPtr> projection;  // over the input, or group_schema when aggregate
  // The output columns that are PROCTIME() (never with aggregate): the operator fills each with
  // the time its batch reached the query (processing_time.h); their projection is a placeholder.
  std::vector<int> processing_time_columns;
  SchemaPtr output_schema;  // the projection, then `_op` for EMIT CHANGES
  // A top-N (ROW_NUMBER() OVER … QUALIFY rn <= N; never with aggregate): the rows that pass
  // `where` are ranked per partition and the projection's changes emitted (emit = kChanges).
  std::optional<BoundTopN> top_n;
  // An OVER frame (aggregates OVER … ROWS BETWEEN n PRECEDING AND CURRENT ROW; never with
  // aggregate or top_n): the rows that pass `where`, each with its frames' aggregates in the
  // projection's placeholders; emit kOnUpdate (append-only) on the watermark, else kChanges.
  std::optional<BoundOver> over;
  // How a top-N's, an OVER frame's or an aggregate's (with FIRST_VALUE/LAST_VALUE) input rows
  // are ordered (sql/input_order.h): set for those only, at bind time.
  InputOrder input_order;

  // Ad-hoc SELECTs only (a continuous query's result has no end to sort or slice): applied to
  // the whole result, in this order — DISTINCT, ORDER BY, OFFSET, LIMIT — then the
  // `hidden_columns` that ORDER BY added after the selected ones are dropped.
  bool distinct = false;
  std::vector<SortKey> order_by;
  int first_hidden_column = 0;  // of output_schema
  int hidden_columns = 0;
  std::optional<int64_t> limit;
  int64_t offset = 0;

  EmitMode emit = EmitMode::kOnUpdate;  // never kDefault once bound
  int64_t lateness = 0;                 // ALLOW LATENESS, µs
  std::string sql;

  int window_start_index() const { return static_cast<int>(keys.size()); }
  int first_aggregate_index() const { return static_cast<int>(keys.size()) + (window ? 2 : 0); }
};

// The name of the operation column EMIT CHANGES adds; its values are 'insert' and 'delete'.
inline constexpr const char* kChangeOpColumn = "_op";

}  // namespace sluice::sql
