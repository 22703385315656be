#include "dataflow/join_rows.h"

#include <string>
#include <type_traits>

namespace sluice::dataflow {

namespace {

// Compaction is not worth a pass below this many removed rows (a small store keeps its holes).
constexpr int64_t kMinRemovedToCompact = 1024;
// Compaction when removed rows reach half the live ones: the arrays hold at most 1.5 times
// the live rows, and each row is copied about twice in its life.
constexpr int64_t kCompactRatio = 2;
constexpr uint8_t kFormat = 1;

Status damaged(const std::string& what) {
  return Status(ErrorCode::kDataCorrupt, "join state is damaged: " + what);
}

}  // namespace

void JoinRows::Frozen::write(StateWriter& w) const {
  w.i64(time.size());
  w.i64(live);
  w.i64(newest);
  w.i64(disorder);
  w.i64(front);
  w.i64(front_newest);
  arena.write(w);
  for (const ValueSlots& c : columns) c.write(w);
  for (const ValueSlots& k : keys) k.write(w);
  time.write(w);
  state.write(w);
}

JoinRows::JoinRows(const std::vector<DataType>& types, std::vector<int> key_columns,
                   const std::vector<DataType>& key_types)
    : types_(types), key_types_(key_types), key_columns_(std::move(key_columns)) {
  for (DataType t : types_) data_.columns.emplace_back(t);
  for (size_t k = 0; k < key_columns_.size(); ++k) {
    if (key_columns_[k] >= 0) {
      key_index_.push_back(-1);
    } else {
      key_index_.push_back(static_cast<int>(data_.keys.size()));
      data_.keys.emplace_back(key_types_[k]);
    }
  }
}

JoinRows::Frozen JoinRows::empty_like() const {
  Frozen f;
  for (DataType t : types_) f.columns.emplace_back(t);
  for (size_t k = 0; k < key_columns_.size(); ++k) {
    if (key_columns_[k] < 0) f.keys.emplace_back(key_types_[k]);
  }
  f.newest = data_.newest;
  f.disorder = data_.disorder;
  return f;
}

bool JoinRows::key_equals(const std::vector<Column>& keys, int64_t row, uint32_t at) const {
  for (size_t k = 0; k < keys.size(); ++k) {
    if (!key_slots(k).key_equals(keys[k], row, at, data_.arena)) return false;
  }
  return true;
}

uint64_t JoinRows::key_hash(uint32_t i) const {
  uint64_t h = kKeySeed;
  for (size_t k = 0; k < key_columns_.size(); ++k) h = key_slots(k).hash(i, h, data_.arena);
  return h;
}

void JoinRows::index(uint32_t i, uint64_t hash, uint32_t head) {
  next_.push_back(head);
  if (head == kNone) {
    table_.insert(hash, i);
  } else {
    table_.replace(hash, head, i);
  }
}

uint32_t JoinRows::add(const std::vector<const Column*>& columns, const std::vector<Column>& keys,
                       int64_t row, uint64_t hash, int64_t time, int32_t matches) {
  Frozen& d = data_;
  const uint32_t i = size();
  for (size_t c = 0; c < columns.size(); ++c) {
    d.columns[c].push_back();
    d.columns[c].set(i, *columns[c], row, d.arena);
  }
  for (size_t k = 0; k < keys.size(); ++k) {
    if (key_columns_[k] >= 0) continue;
    ValueSlots& s = d.keys[static_cast<size_t>(key_index_[k])];
    s.push_back();
    s.set(i, keys[k], row, d.arena);
  }
  d.time.push_back(time);
  d.state.push_back(matches);
  ++d.live;
  if (d.newest != INT64_MIN && time < d.newest) {
    int64_t behind;
    if (__builtin_sub_overflow(d.newest, time, &behind)) behind = INT64_MAX;
    d.disorder = std::max(d.disorder, behind);
  }
  d.newest = std::max(d.newest, time);
  index(i, hash, table_.find(hash, [&](uint32_t at) { return key_equals(keys, row, at); }));
  return i;
}

uint32_t JoinRows::find_equal(const std::vector<const Column*>& columns,
                              const std::vector<Column>& keys, int64_t row, uint64_t hash) const {
  uint32_t found = kNone;
  for_each_with_key(keys, row, hash, [&](uint32_t i) {
    if (found != kNone) return;
    for (size_t c = 0; c < columns.size(); ++c) {
      if (!data_.columns[c].key_equals(*columns[c], row, i, data_.arena)) return;
    }
    found = i;
  });
  return found;
}

void JoinRows::remove(uint32_t i) {
  if (!live(i)) return;
  data_.state.mut(i) = kRemoved;
  --data_.live;
}

void JoinRows::compact_if_sparse() {
  const int64_t removed = static_cast<int64_t>(size()) - data_.live;
  if (data_.live == 0 && size() > 0) {
    // Nothing left: everything goes at once.
    data_ = empty_like();
    rebuild_index();
    return;
  }
  if (removed < kMinRemovedToCompact || removed * kCompactRatio < data_.live) return;
  std::vector<uint32_t> kept;
  kept.reserve(static_cast<size_t>(data_.live));
  for (uint32_t i = 0; i < size(); ++i) {
    if (live(i)) kept.push_back(i);
  }
  // One array at a time, each old one dropped as soon as its copy is made: the pass holds
  // the live rows twice for one column only. Strings move to a new arena at the end.
  Frozen& d = data_;
  StringArena fresh_arena;
  auto copy_slots = [&](ValueSlots& slots) {
    ValueSlots fresh(slots.type());
    for (size_t to = 0; to < kept.size(); ++to) {
      fresh.push_back();
      fresh.set_slot(static_cast<uint32_t>(to), slots, kept[to], fresh_arena);
    }
    fresh.move_strings(d.arena, fresh_arena);
    slots = std::move(fresh);  // an image still holding the old chunks keeps them
  };
  for (ValueSlots& c : d.columns) copy_slots(c);
  for (ValueSlots& k : d.keys) copy_slots(k);
  auto copy_array = [&](auto& array) {
    std::remove_reference_t<decltype(array)> fresh;
    for (uint32_t i : kept) fresh.push_back(array[i]);
    array = std::move(fresh);
  };
  copy_array(d.time);
  copy_array(d.state);
  d.arena = std::move(fresh_arena);
  d.front = 0;
  d.front_newest = INT64_MIN;
  rebuild_index();
}

void JoinRows::rebuild_index() {
  table_.clear();
  next_.clear();
  table_.reserve(size());
  next_.reserve(size());
  for (uint32_t i = 0; i < size(); ++i) {
    const uint64_t hash = key_hash(i);
    // Row i's key is the key of the row the table finds, if any: i becomes its chain's head.
    index(i, hash, table_.find(hash, [&](uint32_t at) {
      for (size_t k = 0; k < key_columns_.size(); ++k) {
        if (!key_slots(k).same_key(at, i, data_.arena)) return false;
      }
      return true;
    }));
  }
}

Status JoinRows::read(StateReader& r) {
  Frozen f = empty_like();
  int64_t n, front;
  // Every row takes at least its time and state (12 bytes): a damaged count fails here.
  SLC_RETURN_IF_ERROR(r.count(n, 12));
  if (n > UINT32_MAX - 1) return damaged(std::to_string(n) + " rows");
  SLC_RETURN_IF_ERROR(r.i64(f.live));
  SLC_RETURN_IF_ERROR(r.i64(f.newest));
  SLC_RETURN_IF_ERROR(r.i64(f.disorder));
  SLC_RETURN_IF_ERROR(r.i64(front));
  SLC_RETURN_IF_ERROR(r.i64(f.front_newest));
  if (f.live < 0 || f.live > n || front < 0 || front > n || f.disorder < 0) {
    return damaged(std::to_string(f.live) + " live rows of " + std::to_string(n) +
                   ", the first at " + std::to_string(front));
  }
  f.front = static_cast<uint32_t>(front);
  SLC_RETURN_IF_ERROR(f.arena.read(r));
  const auto rows = static_cast<uint32_t>(n);
  std::string scratch;
  for (ValueSlots& c : f.columns) SLC_RETURN_IF_ERROR(c.read(r, rows, f.arena, scratch));
  for (ValueSlots& k : f.keys) SLC_RETURN_IF_ERROR(k.read(r, rows, f.arena, scratch));
  SLC_RETURN_IF_ERROR(f.time.read(r, rows, scratch));
  SLC_RETURN_IF_ERROR(f.state.read(r, rows, scratch));
  int64_t live = 0;
  for (uint32_t i = 0; i < rows; ++i) {
    if (f.state[i] < kRemoved) return damaged("row " + std::to_string(i) + " in no state");
    live += f.state[i] != kRemoved ? 1 : 0;
  }
  if (live != f.live) {
    return damaged(std::to_string(live) + " live rows where " + std::to_string(f.live) +
                   " were written");
  }
  data_ = std::move(f);
  rebuild_index();
  return Status::Ok();
}

int64_t JoinRows::bytes() const {
  size_t n = data_.arena.bytes() + data_.time.bytes() + data_.state.bytes() + table_.bytes() +
             next_.capacity() * sizeof(uint32_t);
  for (const ValueSlots& c : data_.columns) n += c.bytes();
  for (const ValueSlots& k : data_.keys) n += k.bytes();
  return static_cast<int64_t>(n);
}

void JoinStateImage::write(StateWriter& w) const {
  w.u8(kFormat);
  w.i64(watermarks_[0]);
  w.i64(watermarks_[1]);
  left_.write(w);
  right_.write(w);
}

Status read_join_state(StateReader& r, int64_t watermarks[2], JoinRows& left, JoinRows& right) {
  uint8_t format;
  SLC_RETURN_IF_ERROR(r.u8(format));
  if (format != kFormat) {
    return damaged("format " + std::to_string(format) + ", this build reads " +
                   std::to_string(kFormat));
  }
  int64_t w[2];
  SLC_RETURN_IF_ERROR(r.i64(w[0]));
  SLC_RETURN_IF_ERROR(r.i64(w[1]));
  SLC_RETURN_IF_ERROR(left.read(r));
  SLC_RETURN_IF_ERROR(right.read(r));
  watermarks[0] = w[0];
  watermarks[1] = w[1];
  return Status::Ok();
}

}  // namespace sluice::dataflow
