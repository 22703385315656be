#pragma once
// Which columns a window may be built over so that late rows are judged by the input alone.
//
// A window drops a row as late when the watermark has passed every window the row falls in.
// For that to be a function of the input (not of batch boundaries or thread timing), the
// window's time column must be the one the watermark is made of:
//   - over a source with a WATERMARK: the watermark's column. The source node cuts batches
//     so that every row sees the watermark of the rows before it (dataflow/source_node.cc);
//   - through streams that only filter and project: the same column, passed through;
//   - over the output of a windowed aggregate (EMIT ON WINDOW CLOSE): its window_start or
//     window_end, when the windows' shapes guarantee that none of those rows can be late
//     (the upstream emits a window only once the watermark passes its end, so the rows
//     reach the downstream window before the watermark does, whatever the batching).
//   - over a join's output: the left time column of an interval join (its rows trail the
//     join's watermark — the minimum of its inputs' — by at most the interval's upper bound, so
//     a window over it needs ALLOW LATENESS of at least that; the right time column likewise
//     with the lower bound), the window bounds of a window join (as the upstream window's), the
//     left time column of an ASOF or lookup join (each output row is emitted no later than its
//     left row, whose time the watermark had not passed), every left column of a lookup join
//     by arrival (PROCTIME(): a left row comes out as it arrives, as through a projection). A
//     regular join's rows keep to no watermark: refused;
//   - over a UNION ALL: a column that is an event-time column of every input.
// A source without a watermark has no such column: its windows close only when the input
// ends, and every window is allowed.
//
// `steps` are the statement's steps (bound_plan.h) when `input` may be one of them.
//
// Thread: whoever binds (the compute thread); pure functions over the catalog.

#include <optional>
#include <string_view>

#include "sluice/status.h"
#include "sql/bound_query.h"
#include "sql/catalog.h"

namespace sluice::sql {

// Ok when a window over column `column` of `input` (with `lateness`) judges late rows by
// the input alone; kSqlInvalidQuery saying why not otherwise (the caller adds the position).
Status check_window_time(const Catalog& catalog, std::string_view input, int column,
                         const WindowSpec& window, int64_t lateness,
                         const std::vector<PlanStep>* steps = nullptr);

// What a join's time column is, for the binder's classification of a join.
struct JoinTimeColumn {
  enum class Kind {
    kUnwatermarked,  // no watermark upstream: the state is pruned only when the input ends
    kWatermark,      // a source's watermark column, passed through: rows never trail it
    kWindowBound,    // window_start / window_end of an upstream windowed aggregate
    kOther,          // anything else (`why` says what)
  };
  Kind kind = Kind::kOther;
  const WindowSpec* window = nullptr;  // kWindowBound: the upstream window
  int64_t window_lateness = 0;         // kWindowBound: its ALLOW LATENESS
  bool window_end = false;             // kWindowBound: window_end (else window_start)
  std::string why;                     // kOther, or kWatermark rows that can trail it
  // Whether a join may judge late rows by it: rows never trail its watermark (a watermark
  // column, none upstream, or a window_end without lateness: its window is emitted before the
  // watermark passes it).
  bool is_event_time() const {
    return kind == Kind::kWatermark || kind == Kind::kUnwatermarked ||
           (kind == Kind::kWindowBound && window_end && window_lateness == 0);
  }
};
JoinTimeColumn join_time_column(const Catalog& catalog, std::string_view input, int column,
                                const std::vector<PlanStep>* steps);

// When column `column` of `input` is an upstream windowed aggregate's window_start or
// window_end (EMIT ON WINDOW CLOSE, passed through), what to add to a row's value of it to
// reach the watermark past which no more rows of that window can arrive (the upstream emits a
// window's rows before the watermark passes its end + lateness): the window's size for
// window_start (0 for window_end) plus the upstream's ALLOW LATENESS. nullopt for any other
// column, and for SESSION's window_start (a session's length is unbounded). A per-window
// top-N drops a window's partition by it.
std::optional<int64_t> window_complete_offset(const Catalog& catalog, std::string_view input,
                                              int column);

// An event-time column of `input` whose rows keep within a known distance of the watermark
// that reaches a node reading `input`: a row at time t comes before that watermark passes
// t + trail, so once it has (t + trail < watermark) no row at or before t can still come.
// A watermark column trails by what joins above it add (Origin::behind: an interval join's
// left time column the interval's upper bound, its right one the lower bound; the larger over
// a UNION ALL's inputs); an upstream window's window_end by the window's lateness, its
// window_start by its size too. Of all such columns, the one with the smallest trail (the
// first among equals); never a left outer join's right column (NULL in its unmatched rows);
// nullopt when there is none (no watermark upstream, a regular join).
struct TrailingTimeColumn {
  int column = -1;
  int64_t trail = 0;  // µs
  // Rows at time t are all in once the watermark reaches t + trail (an upstream window's bounds:
  // its rows are emitted before the watermark reaches its end + lateness), not only once it
  // passes it (a watermark column: a row at the watermark itself is not late).
  bool complete_at_trail = false;
  // A left outer join's right column: NULL in the join's unmatched rows, which it cannot order.
  bool null_padded = false;
};
std::optional<TrailingTimeColumn> least_trailing_time_column(const Catalog& catalog,
                                                             std::string_view input,
                                                             const std::vector<PlanStep>* steps);

// The same for one given column `column` of `input`: how far its rows may trail the watermark
// (a left outer join's right column said by null_padded, not refused); nullopt when it keeps to
// no watermark. A windowed aggregate holds its input by its window's column (input_order.h).
std::optional<TrailingTimeColumn> time_column_trail(const Catalog& catalog, std::string_view input,
                                                    int column, const std::vector<PlanStep>* steps);

}  // namespace sluice::sql
