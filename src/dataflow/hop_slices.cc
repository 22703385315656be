#include "dataflow/hop_slices.h"

#include <numeric>

#include "dataflow/agg_columns.h"

namespace sluice::dataflow {

namespace {

int64_t floor_div(__int128 a, int64_t b) {
  __int128 q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return static_cast<int64_t>(q);
}

}  // namespace

std::optional<HopSlices> HopSlices::plan(const sql::BoundQuery& query, bool changelog) {
  if (!query.window || query.window->kind != sql::WindowKind::kHop) return std::nullopt;
  // A size that is a multiple of the slide (the common case): panes are slides, and a window
  // is size / slide of them, as many as the windows a row is in. Otherwise panes are narrower
  // than a slide and a window has more of them than a row has windows: a key's rows spread
  // over more pane groups than window groups (up to one per row), more memory, not less.
  if (query.window->size % query.window->slide != 0) return std::nullopt;
  if (query.window->size == query.window->slide) return std::nullopt;  // a TUMBLE: no gain
  if (changelog || query.emit != sql::EmitMode::kOnWindowClose) return std::nullopt;
  for (const sql::AggregateCall& call : query.aggregates) {
    if (!AggColumns::combines_exactly(call)) return std::nullopt;
  }
  HopSlices h;
  h.size = query.window->size;
  h.slide = query.window->slide;
  h.width = std::gcd(h.size, h.slide);
  return h;
}

int64_t HopSlices::pane_start(int64_t ts) const {
  return floor_div(ts, width) * width;
}

int64_t HopSlices::first_window_start(int64_t pane) const {
  // The least multiple of slide s with s + size > pane.
  return static_cast<int64_t>((static_cast<__int128>(floor_div(__int128{pane} - size, slide)) + 1) *
                              slide);
}

int64_t HopSlices::last_window_end(int64_t pane) const {
  // The latest window holding the pane starts at the slide boundary at or before it.
  return static_cast<int64_t>(static_cast<__int128>(floor_div(pane, slide)) * slide + size);
}

}  // namespace sluice::dataflow
