#include <algorithm>

#include "dataflow/aggregate_operator.h"

// AggregateOperator's checkpoint state (a file of its own: the operator's logic is in
// aggregate_operator.cc). The state is written as the stores' typed arrays in bulk:
//   u8 format (2; 3 for a HOP by panes), i64 watermark, i64 next arrival order, i64 stores,
//   per store: i64 window (pane) start, i64 window (pane) end, the store (GroupStore::write,
//   with its groups' arrival order for panes).
// Indexes (hash tables, session lists) are not written; restore rebuilds them.

namespace sluice::dataflow {

namespace {

constexpr uint8_t kFormat = 2;
constexpr uint8_t kPaneFormat = 3;  // the stores are a HOP window's panes (hop_slices.h)

struct StoreAt {
  int64_t start;
  int64_t end;
  const GroupStore* store;
};

void write_state(StateWriter& w, uint8_t format, int64_t watermark, uint64_t next_order,
                 const std::vector<StoreAt>& stores) {
  w.u8(format);
  w.i64(watermark);
  w.i64(static_cast<int64_t>(next_order));
  w.i64(static_cast<int64_t>(stores.size()));
  for (const StoreAt& s : stores) {
    w.i64(s.start);
    w.i64(s.end);
    s.store->write(w);
  }
}

// The state at a capture: copies of the stores, which share their chunks with the live ones
// copy-on-write (and hold the query their aggregate calls belong to).
class AggregateImage final : public StateImage {
 public:
  uint8_t format = kFormat;
  int64_t watermark = 0;
  uint64_t next_order = 0;
  std::vector<std::pair<int64_t, int64_t>> windows;
  std::vector<GroupStore> stores;

  void write(StateWriter& w) const override {
    std::vector<StoreAt> at;
    at.reserve(stores.size());
    for (size_t i = 0; i < stores.size(); ++i) {
      at.push_back({windows[i].first, windows[i].second, &stores[i]});
    }
    write_state(w, format, watermark, next_order, at);
  }
};

}  // namespace

void AggregateOperator::snapshot(StateWriter& w) const {
  std::vector<StoreAt> at;
  if (all_) at.push_back({all_->start, all_->end, &all_->store});
  for (const auto& [start, p] : windows_) at.push_back({p->start, p->end, &p->store});
  write_state(w, panes_ ? kPaneFormat : kFormat, watermark_, next_order_, at);
}

std::unique_ptr<StateImage> AggregateOperator::capture() const {
  auto image = std::make_unique<AggregateImage>();
  image->format = panes_ ? kPaneFormat : kFormat;
  image->watermark = watermark_;
  image->next_order = next_order_;
  image->stores.reserve(windows_.size() + 1);
  if (all_) {
    image->windows.emplace_back(all_->start, all_->end);
    image->stores.push_back(all_->store);
  }
  for (const auto& [start, p] : windows_) {
    image->windows.emplace_back(p->start, p->end);
    image->stores.push_back(p->store);
  }
  return image;
}

void AggregateOperator::clear_state() {
  windows_.clear();
  all_.reset();
  for (CachedWindow& c : window_cache_) c = {};
  sessions_.clear();
  free_session_lists_.clear();
  session_list_of_.clear();
  free_slots_.clear();
  live_groups_ = 0;
  dirty_.clear();
  next_order_ = 0;
  watermark_ = kNoWatermark;
  min_open_end_ = kFinalWatermark;
}

Status AggregateOperator::restore(StateReader& r) {
  clear_state();
  auto damaged = [](const std::string& what) {
    return Status(ErrorCode::kDataCorrupt, "aggregate state is damaged: " + what);
  };
  uint8_t format;
  int64_t order, stores;
  SLC_RETURN_IF_ERROR(r.u8(format));
  if (format != kFormat && format != kPaneFormat) {
    // Checkpoints written before the typed layout (no format byte) land here too: they are
    // not read, and the open stops rather than guess (docs/checkpoints.md, Limits).
    return damaged("format " + std::to_string(format) +
                   " is not 2 or 3 (a checkpoint from a sluice before the typed aggregate "
                   "state cannot be restored by this one)");
  }
  if ((format == kPaneFormat) != panes_.has_value()) {
    // A HOP aggregate's state from a sluice that kept a store per window (format 2), or the
    // reverse: windows and panes are not the same stores.
    return damaged(std::string(panes_ ? "a HOP aggregate by panes" : "this aggregate") +
                   " cannot restore format " + std::to_string(format) +
                   (panes_ ? " (a store per window, from an older sluice)" : " (HOP panes)"));
  }
  SLC_RETURN_IF_ERROR(r.i64(watermark_));
  SLC_RETURN_IF_ERROR(r.i64(order));
  next_order_ = static_cast<uint64_t>(order);
  // A store takes at least its bounds, group count and arena count.
  SLC_RETURN_IF_ERROR(r.count(stores, 32));
  for (int64_t s = 0; s < stores; ++s) {
    int64_t start, end;
    SLC_RETURN_IF_ERROR(r.i64(start));
    SLC_RETURN_IF_ERROR(r.i64(end));
    auto p = std::make_unique<Partition>(layout_, start, end);
    SLC_RETURN_IF_ERROR(p->store.read(r));
    GroupStore& store = p->store;
    const uint32_t n = store.size();
    if (emit_on_update_) p->dirty.assign(n, 0);
    if (!sessions_mode_) {
      // Every group is live but the freed slots of an aggregate over changes (kept for reuse):
      // index them (the keys of one store are distinct; a damaged state with duplicates finds
      // the first, never crashes).
      p->table.reserve(n);
      for (uint32_t g = 0; g < n; ++g) {
        if (layout_->retracting && !store.live[g]) {
          store.reset_group(g);
          free_slots_.push_back(g);
          continue;
        }
        p->table.insert(store.key_hash(g), g);
        ++live_groups_;
      }
      if (!query_->window) {
        if (s > 0) return damaged("more than one store for an unwindowed query");
        all_ = std::move(p);
      } else if (!windows_.emplace(start, std::move(p)).second) {
        return damaged("two windows start at " + std::to_string(start));
      }
      continue;
    }
    // SESSION: live groups into their key's session list, free slots for reuse.
    if (s > 0) return damaged("more than one store for a SESSION query");
    session_list_of_.assign(n, 0);
    for (uint32_t g = 0; g < n; ++g) {
      if (!store.live[g]) {
        store.reset_group(g);
        free_slots_.push_back(g);
        continue;
      }
      const uint64_t hash = store.key_hash(g);
      uint32_t list = p->table.find(hash, [&](uint32_t l) {
        const uint32_t other = sessions_[l].front();
        for (const ValueSlots& k : store.keys) {
          if (!k.same_key(g, other, store.arena)) return false;
        }
        return true;
      });
      if (list == GroupTable::kNotFound) {
        list = static_cast<uint32_t>(sessions_.size());
        sessions_.emplace_back();
        p->table.insert(hash, list);
      }
      sessions_[list].push_back(g);
      session_list_of_[g] = list;
      min_open_end_ = std::min(min_open_end_, store.ends[g]);
      ++live_groups_;
    }
    for (auto& list : sessions_) {
      std::sort(list.begin(), list.end(),
                [&](uint32_t a, uint32_t b) { return store.starts[a] < store.starts[b]; });
    }
    all_ = std::move(p);
  }
  if (!r.done()) return damaged("trailing bytes");
  return Status::Ok();
}

}  // namespace sluice::dataflow
