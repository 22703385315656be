#pragma once
// HopSlices: a HOP window aggregated by panes ("slices", as Flink's slicing windows). A HOP
// window of `size` starting every `slide` is the union of consecutive panes of width
// gcd(size, slide); every window boundary is a pane boundary. A row then updates the one pane
// that holds its time, per key, instead of each of the size / slide windows that hold it; when
// a window closes its panes are combined per key (AggColumns::merge_from), and a pane is
// dropped once the last window holding it has closed.
//
// Panes are used only when the result is exactly what folding the rows into every window
// gives, row for row and error for error, and save work (plan() says when): a HOP whose size
// is a multiple of its slide (larger than it; the panes are then the slides), emitted ON WINDOW
// CLOSE without a changelog (ON UPDATE and CHANGES emit a window's current rows after every batch:
// they keep a store per window), whose aggregates all combine exactly
// (AggColumns::combines_exactly: COUNT, COUNT(DISTINCT), MIN/MAX but of DOUBLE). Any other query
// keeps a store per window.
//
// Thread: any (arithmetic only; the operator holds the panes).

#include <cstdint>
#include <optional>

#include "sql/bound_query.h"

namespace sluice::dataflow {

struct HopSlices {
  int64_t size = 0;
  int64_t slide = 0;
  int64_t width = 0;  // of a pane: gcd(size, slide)

  // The panes of `query`'s HOP window, or nothing when the query keeps a store per window.
  static std::optional<HopSlices> plan(const sql::BoundQuery& query, bool changelog);

  // The pane holding `ts`: its start (the caller has checked that ts's windows are in range,
  // which bounds the pane).
  int64_t pane_start(int64_t ts) const;
  // The first window holding the pane that starts at `pane`: its start.
  int64_t first_window_start(int64_t pane) const;
  // The last window holding the pane that starts at `pane`: its end. Once it has closed the
  // pane is no longer needed.
  int64_t last_window_end(int64_t pane) const;
};

}  // namespace sluice::dataflow
