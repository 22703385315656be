#include <algorithm>
#include <numeric>

#include "dataflow/aggregate_operator.h"
#include "sluice/column_builder.h"

// AggregateOperator's HOP windows by panes (hop_slices.h), in a file of their own: rows go to
// their pane in process(); here a closing window's panes are combined per key and emitted, and
// panes no open window holds are dropped. The output is what a store per window gives: the
// same windows in the same order (by start), each one's groups in the order their first row
// arrived.

namespace sluice::dataflow {

Status AggregateOperator::close_pane_windows(int64_t prev_limit, int64_t limit, bool final,
                                             std::vector<RecordBatch>& out) {
  const HopSlices& h = *panes_;
  // Windows close in order of end, which is the order of start. Only windows holding a pane
  // have groups; windows that ended by prev_limit were emitted before (or were empty then:
  // a row is placed only while one of its windows is open).
  int64_t start = INT64_MIN;
  for (;;) {
    auto pane = windows_.lower_bound(start);  // the first pane a window from `start` holds
    if (pane == windows_.end()) break;
    start = std::max(start, h.first_window_start(pane->first));
    // Every window holding a placed row's pane is in range (process() checked its bounds).
    const int64_t end = start + h.size;
    if (!final && end > limit) break;
    if (end > prev_limit) SLC_RETURN_IF_ERROR(emit_pane_window(start, end, out));
    if (__builtin_add_overflow(start, h.slide, &start)) break;
  }
  bool dropped = false;
  while (!windows_.empty()) {
    auto first = windows_.begin();
    if (!final && h.last_window_end(first->first) > limit) break;  // a window holding it is open
    live_groups_ -= first->second->store.size();
    windows_.erase(first);
    dropped = true;
  }
  if (dropped) {
    for (CachedWindow& c : window_cache_) c = {};
  }
  return Status::Ok();
}

Status AggregateOperator::emit_pane_window(int64_t start, int64_t end,
                                           std::vector<RecordBatch>& out) {
  // The window's groups, made as a store per window would hold them: each key once, its
  // aggregates the panes' combined, its arrival the earliest of its panes' (order).
  Partition window(layout_, start, end);
  GroupStore& store = window.store;
  size_t panes = 0, groups = 0;
  for (auto it = windows_.lower_bound(start); it != windows_.end() && it->first < end; ++it) {
    ++panes;
    groups += it->second->store.size();
  }
  window.table.reserve(static_cast<uint32_t>(std::min<size_t>(groups, UINT32_MAX)));
  std::vector<Column> keys;
  for (auto it = windows_.lower_bound(start); it != windows_.end() && it->first < end; ++it) {
    const GroupStore& pane = it->second->store;
    const uint32_t n = pane.size();
    // The pane's keys as columns, so that they are hashed and looked up as a batch's rows are.
    keys.clear();
    hashes_.assign(n, kKeySeed);
    for (size_t c = 0; c < pane.keys.size(); ++c) {
      ColumnBuilder column(layout_->key_types[c]);
      column.reserve(n);
      for (uint32_t g = 0; g < n; ++g) pane.keys[c].append_to(column, g, pane.arena);
      keys.push_back(column.finish());
      hash_column(keys.back(), hashes_);
    }
    for (uint32_t g = 0; g < n; ++g) {
      bool created;
      const uint32_t into = lookup(window, keys, g, hashes_[g], created);
      uint64_t& arrival = store.order.mut(into);
      if (created || pane.order[g] < arrival) arrival = pane.order[g];
      for (size_t a = 0; a < store.aggs.size(); ++a) {
        SLC_RETURN_IF_ERROR(
            store.aggs[a].merge_from(into, pane.aggs[a], g, pane.arena, store.arena));
      }
    }
  }
  // One pane's groups are in arrival order already; several are interleaved.
  std::vector<uint32_t> by_arrival(store.size());
  std::iota(by_arrival.begin(), by_arrival.end(), 0u);
  if (panes > 1) {
    std::sort(by_arrival.begin(), by_arrival.end(),
              [&](uint32_t a, uint32_t b) { return store.order[a] < store.order[b]; });
  }
  std::vector<GroupRef> closing;
  for (size_t first = 0; first < by_arrival.size(); first += kEmitBatch) {
    closing.clear();
    const size_t last = std::min(by_arrival.size(), first + kEmitBatch);
    for (size_t i = first; i < last; ++i) closing.push_back({&window, by_arrival[i]});
    SLC_RETURN_IF_ERROR(emit(closing, out));
  }
  return Status::Ok();
}

}  // namespace sluice::dataflow
