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
// A source without a watermark has no such column: its windows close only when the input
// ends, and every window is allowed.
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
                         const WindowSpec& window, int64_t lateness);

// When column `column` of `input` is an upstream windowed aggregate's window_start or
// window_end (EMIT ON WINDOW CLOSE, passed through), what to add to a row's value of it to
// reach the watermark past which no more rows of that window can arrive (the upstream emits a
// window's rows before the watermark passes its end + lateness): the window's size for
// window_start (0 for window_end) plus the upstream's ALLOW LATENESS. nullopt for any other
// column, and for SESSION's window_start (a session's length is unbounded). A per-window
// top-N drops a window's partition by it.
std::optional<int64_t> window_complete_offset(const Catalog& catalog, std::string_view input,
                                              int column);

}  // namespace sluice::sql
