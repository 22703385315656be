#include "dataflow/over_partitions.h"

#include <algorithm>
#include <functional>

#include "dataflow/join_arena.h"

namespace sluice::dataflow {
namespace {

Status damaged(const std::string& what) {
  return Status(ErrorCode::kDataCorrupt, "OVER frame state is damaged: " + what);
}

int64_t link_of(uint32_t i) {
  return i == UINT32_MAX ? -1 : static_cast<int64_t>(i);
}

}  // namespace

uint64_t OverPartitions::hash(std::string_view key) {
  return std::hash<std::string_view>{}(key);
}

uint32_t OverPartitions::find(std::string_view key) const {
  const uint32_t p =
      index_.find(hash(key), [&](uint32_t i) { return keys_.get(partitions_[i].key) == key; });
  return p == GroupTable::kNotFound ? kNone : p;
}

uint32_t OverPartitions::get(std::string_view key) {
  uint32_t p = find(key);
  if (p != kNone) return p;
  const Partition entry{keys_.add(key), kNone, OrderedRows::Tree{}};
  if (free_ != kNone) {
    p = free_;
    free_ = partitions_[p].next_free;
    partitions_.mut(p) = entry;
  } else {
    p = partitions_.size();
    partitions_.push_back(entry);
  }
  index_.insert(hash(key), p);
  ++live_;
  return p;
}

void OverPartitions::around(uint32_t p, std::string_view row, uint32_t exclude, size_t n,
                            Around& out) const {
  out.before.clear();
  out.after.clear();
  const OrderedRows::Tree& t = partitions_[p].rows;
  const uint32_t place = rows_.upper_bound(t, row);
  for (uint32_t at = place == OrderedRows::kNone ? rows_.last(t) : rows_.prev(place);
       out.before.size() < n && at != OrderedRows::kNone; at = rows_.prev(at)) {
    const std::string_view bytes = rows_.bytes(at);
    uint32_t c = rows_.copies(at) - (bytes == row ? exclude : 0);
    for (; c > 0 && out.before.size() < n; --c) out.before.push_back(bytes);
  }
  std::reverse(out.before.begin(), out.before.end());
  for (uint32_t at = place; out.after.size() < n && at != OrderedRows::kNone; at = rows_.next(at)) {
    for (uint32_t c = rows_.copies(at); c > 0 && out.after.size() < n; --c) {
      out.after.push_back(rows_.bytes(at));
    }
  }
}

uint32_t OverPartitions::copies(uint32_t p, std::string_view row) const {
  const uint32_t n = rows_.find(partitions_[p].rows, row);
  return n == OrderedRows::kNone ? 0 : rows_.copies(n);
}

void OverPartitions::add(uint32_t p, std::string_view row) {
  rows_.add(partitions_.mut(p).rows, row);
  ++kept_;
}

void OverPartitions::remove(uint32_t p, std::string_view row) {
  OrderedRows::Tree& t = partitions_.mut(p).rows;
  rows_.remove(t, rows_.find(t, row), 1);
  --kept_;
  if (t.copies == 0) free_partition(p);
}

void OverPartitions::keep_last(uint32_t p, int64_t keep) {
  OrderedRows::Tree& t = partitions_.mut(p).rows;
  while (t.copies > keep) {
    const uint32_t first = rows_.first(t);
    const auto drop =
        static_cast<uint32_t>(std::min<int64_t>(rows_.copies(first), t.copies - keep));
    rows_.remove(t, first, drop);
    kept_ -= drop;
  }
  if (t.copies == 0) free_partition(p);
}

void OverPartitions::free_partition(uint32_t p) {
  const StringRef key = partitions_[p].key;
  index_.erase(hash(keys_.get(key)), p);
  keys_.release(key);
  partitions_.mut(p) = Partition{StringRef{}, free_, OrderedRows::Tree{}};
  free_ = p;
  --live_;
}

void OverPartitions::wait(std::string_view key, std::string_view row) {
  scratch_.assign(row);
  scratch_.append(key);
  rows_.add(waiting_, scratch_);
}

Status OverPartitions::release(int64_t watermark, const OrderedRowCodec& codec, Released& out) {
  out.bytes.clear();
  out.rows.clear();
  for (uint32_t at = rows_.first(waiting_); at != OrderedRows::kNone;) {
    const std::string_view bytes = rows_.bytes(at);
    size_t used = 0;
    SLC_RETURN_IF_ERROR(codec.decode_prefix(bytes, values_, used));
    if (values_[0].i >= watermark) break;  // never NULL: checked when it arrived or was read
    const size_t begin = out.bytes.size();
    out.bytes.append(bytes);
    for (uint32_t c = rows_.copies(at); c > 0; --c) {
      out.rows.push_back(Released::At{begin, used, bytes.size()});
    }
    const uint32_t next = rows_.next(at);
    rows_.remove(waiting_, at, rows_.copies(at));
    at = next;
  }
  return Status::Ok();
}

void OverPartitions::maybe_compact() {
  rows_.maybe_compact();
  // Keys as OrderedRows' bytes: once freed partitions' keys outweigh the live ones.
  constexpr size_t kMinGarbage = 256 * 1024;
  if (keys_.garbage() < kMinGarbage || keys_.garbage() < keys_.used() / 2) return;
  compact_arena(keys_, [&](auto&& move) {
    for (uint32_t p = 0; p < partitions_.size(); ++p) {
      if (partitions_[p].rows.copies != 0) move(partitions_.mut(p).key);
    }
  });
}

int64_t OverPartitions::bytes() const {
  // From what is held, not from capacities, so that a restored state counts what the one it was
  // taken from did: the rows' nodes and bytes, the partitions' entries and keys, and an index
  // slot (8 bytes) per partition at half load.
  constexpr int64_t kIndexPerPartition = 16;
  return rows_.held_bytes() +
         static_cast<int64_t>(partitions_.size() * sizeof(Partition) + keys_.used()) +
         live_ * kIndexPerPartition;
}

OverPartitions::Frozen OverPartitions::capture() const {
  return Frozen{rows_.capture(), partitions_, keys_, free_, live_, waiting_};
}

void OverPartitions::Frozen::write(StateWriter& w) const {
  rows.write(w);
  w.i64(partitions.size());
  partitions.write(w);
  keys.write(w);
  w.i64(link_of(free));
  w.i64(live);
  w.i64(link_of(waiting.root));
  w.i64(waiting.distinct);
  w.i64(waiting.copies);
}

void OverPartitions::clear() {
  rows_.clear();
  partitions_.clear();
  keys_ = StringArena();
  free_ = kNone;
  live_ = 0;
  waiting_ = OrderedRows::Tree{};
  kept_ = 0;
  index_.clear();
}

Status OverPartitions::read(StateReader& r, const OrderedRowCodec& codec) {
  clear();
  Status s = [&]() -> Status {
    std::string scratch;
    int64_t n, free, live, root, distinct, copies;
    SLC_RETURN_IF_ERROR(rows_.read(r));
    SLC_RETURN_IF_ERROR(r.count(n, sizeof(Partition)));
    if (n >= kNone) return damaged("too many partitions");
    SLC_RETURN_IF_ERROR(partitions_.read(r, static_cast<uint32_t>(n), scratch));
    SLC_RETURN_IF_ERROR(keys_.read(r));
    SLC_RETURN_IF_ERROR(r.i64(free));
    SLC_RETURN_IF_ERROR(r.i64(live));
    SLC_RETURN_IF_ERROR(r.i64(root));
    SLC_RETURN_IF_ERROR(r.i64(distinct));
    SLC_RETURN_IF_ERROR(r.i64(copies));
    if (free < -1 || free >= n || live < 0 || live > n || root < -1 || root >= kNone ||
        distinct < 0 || distinct >= kNone || copies < 0) {
      return damaged("a count out of range");
    }
    free_ = free < 0 ? kNone : static_cast<uint32_t>(free);
    live_ = live;
    waiting_ = OrderedRows::Tree{root < 0 ? kNone : static_cast<uint32_t>(root),
                                 static_cast<uint32_t>(distinct), copies};
    // The free list, then every other partition live: a key in range and rows.
    std::vector<uint8_t> is_free(static_cast<size_t>(n), 0);
    int64_t freed = 0;
    for (uint32_t p = free_; p != kNone; p = partitions_[p].next_free) {
      if (p >= n || is_free[p] || partitions_[p].rows.copies != 0) {
        return damaged("a broken list of free partitions");
      }
      is_free[p] = 1;
      ++freed;
    }
    std::vector<OrderedRows::Tree> trees;
    trees.reserve(static_cast<size_t>(live) + 1);
    for (uint32_t p = 0; p < partitions_.size(); ++p) {
      if (is_free[p]) continue;
      const Partition& part = partitions_[p];
      if (part.rows.copies <= 0 || part.next_free != kNone || !keys_.valid(part.key)) {
        return damaged("a partition without rows, or its key out of range");
      }
      trees.push_back(part.rows);
      kept_ += part.rows.copies;
    }
    if (static_cast<int64_t>(trees.size()) != live || freed + live != n) {
      return damaged("the partitions counted do not match those held");
    }
    // Freed partitions' keys are garbage until compaction, as they were before the capture.
    size_t held = 0;
    for (uint32_t p = 0; p < partitions_.size(); ++p) {
      if (!is_free[p]) held += StringArena::live_bytes(partitions_[p].key);
    }
    keys_.recount_garbage(held);
    trees.push_back(waiting_);
    const size_t waiting_tree = trees.size() - 1;
    std::vector<Value> values;
    SLC_RETURN_IF_ERROR(rows_.check(
        trees,
        [&](size_t tree, std::string_view bytes) {
          if (tree != waiting_tree) return codec.decode(bytes, values).ok();
          // A waiting row: a row, then its partition's key; its time is never NULL.
          size_t used = 0;
          return codec.decode_prefix(bytes, values, used).ok() && !values[0].null;
        },
        "OVER frame state"));
    index_.reserve(static_cast<uint32_t>(live));
    for (uint32_t p = 0; p < partitions_.size(); ++p) {
      if (is_free[p]) continue;
      const std::string_view key = keys_.get(partitions_[p].key);
      if (find(key) != kNone) return damaged("a partition written twice");
      index_.insert(hash(key), p);
    }
    return Status::Ok();
  }();
  if (!s.ok()) clear();
  return s;
}

}  // namespace sluice::dataflow
