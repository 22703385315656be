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
  std::vector<Partition*> panes;
  size_t groups = 0;
  for (auto it = windows_.lower_bound(start); it != windows_.end() && it->first < end; ++it) {
    panes.push_back(it->second.get());
    groups += it->second->store.size();
  }
  // Emits `part`'s groups in the order `by_arrival` lists them (all of them, in index order,
  // when it is empty), kEmitBatch at a time.
  auto emit_all = [&](Partition& part, const std::vector<uint32_t>& by_arrival) -> Status {
    std::vector<GroupRef> closing;
    const size_t n = by_arrival.empty() ? part.store.size() : by_arrival.size();
    for (size_t first = 0; first < n; first += kEmitBatch) {
      closing.clear();
      const size_t last = std::min(n, first + kEmitBatch);
      for (size_t i = first; i < last; ++i) {
        closing.push_back({&part, by_arrival.empty() ? static_cast<uint32_t>(i) : by_arrival[i]});
      }
      SLC_RETURN_IF_ERROR(emit(closing, out));
    }
    return Status::Ok();
  };
  if (panes.size() == 1) {
    // The window's one pane holds its groups as they are, in arrival order: emitted from it,
    // with the window's bounds for the while (emit reads them from the partition).
    Partition& pane = *panes.front();
    const int64_t pane_start = pane.start, pane_end = pane.end;
    pane.start = start;
    pane.end = end;
    const Status s = emit_all(pane, {});
    pane.start = pane_start;
    pane.end = pane_end;
    return s;
  }
  // The window's groups, made as a store per window would hold them: each key once, its
  // aggregates the panes' combined, its arrival the earliest of its panes' (order).
  Partition window(layout_, start, end);
  GroupStore& store = window.store;
  window.table.reserve(static_cast<uint32_t>(std::min<size_t>(groups, UINT32_MAX)));
  std::vector<Column> keys;
  for (size_t i = 0; i < panes.size(); ++i) {
    const GroupStore& pane = panes[i]->store;
    const uint32_t n = pane.size();
    if (i == 0) {
      // The first pane's keys are distinct and the window is empty: every group is new.
      for (uint32_t g = 0; g < n; ++g) {
        const uint32_t into = store.add_group();
        for (size_t c = 0; c < pane.keys.size(); ++c) {
          store.keys[c].set_slot(into, pane.keys[c], g, pane.arena, store.arena);
        }
        window.table.insert(pane.key_hash(g), into);
        store.order.mut(into) = pane.order[g];
        for (size_t a = 0; a < store.aggs.size(); ++a) {
          SLC_RETURN_IF_ERROR(
              store.aggs[a].merge_from(into, pane.aggs[a], g, pane.arena, store.arena));
        }
      }
      continue;
    }
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
  // The panes' groups are interleaved: in arrival order.
  std::vector<uint32_t> by_arrival(store.size());
  std::iota(by_arrival.begin(), by_arrival.end(), 0u);
  std::sort(by_arrival.begin(), by_arrival.end(),
            [&](uint32_t a, uint32_t b) { return store.order[a] < store.order[b]; });
  return emit_all(window, by_arrival);
}

}  // namespace sluice::dataflow
