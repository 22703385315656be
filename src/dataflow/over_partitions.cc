#include "dataflow/over_partitions.h"

#include <algorithm>

namespace sluice::dataflow {
namespace {

// What a kept row costs beside its bytes: the map's node (links, colour, key, count) and the
// allocator's overhead; a partition: its hash node and empty map.
constexpr int64_t kRowOverhead = 80;
constexpr int64_t kPartitionOverhead = 120;

int64_t row_bytes(const std::string& row) {
  return kRowOverhead + (row.size() > 15 ? static_cast<int64_t>(row.size()) : 0);
}

Status damaged(const std::string& what) {
  return Status(ErrorCode::kDataCorrupt, "OVER frame state is damaged: " + what);
}

}  // namespace

OverPartitions::Partition* OverPartitions::find(std::string_view key) {
  const auto it = partitions_.find(std::string(key));
  return it == partitions_.end() ? nullptr : &it->second;
}

OverPartitions::Partition& OverPartitions::get(std::string_view key) {
  auto [it, added] = partitions_.try_emplace(std::string(key));
  if (added) bytes_ += kPartitionOverhead + static_cast<int64_t>(key.size());
  return it->second;
}

void OverPartitions::around(const Partition& p, std::string_view row, uint32_t exclude, size_t n,
                            Around& out) {
  out.before.clear();
  out.after.clear();
  const auto place = p.rows.upper_bound(row);
  for (auto it = place; out.before.size() < n && it != p.rows.begin();) {
    --it;
    uint32_t c = it->second - (it->first == row ? exclude : 0);
    for (; c > 0 && out.before.size() < n; --c) out.before.push_back(&it->first);
  }
  std::reverse(out.before.begin(), out.before.end());
  for (auto it = place; out.after.size() < n && it != p.rows.end(); ++it) {
    for (uint32_t c = it->second; c > 0 && out.after.size() < n; --c) {
      out.after.push_back(&it->first);
    }
  }
}

uint32_t OverPartitions::copies(const Partition& p, std::string_view row) {
  const auto it = p.rows.find(row);
  return it == p.rows.end() ? 0 : it->second;
}

void OverPartitions::add(Partition& p, std::string_view row) {
  auto [it, added] = p.rows.try_emplace(std::string(row), 0);
  if (added) bytes_ += row_bytes(it->first);
  ++it->second;
  ++p.copies;
  ++rows_;
}

void OverPartitions::remove(std::string_view key, Partition& p, std::string_view row) {
  const auto it = p.rows.find(row);
  --p.copies;
  --rows_;
  if (--it->second == 0) {
    bytes_ -= row_bytes(it->first);
    p.rows.erase(it);
  }
  if (p.copies == 0) {
    bytes_ -= kPartitionOverhead + static_cast<int64_t>(key.size());
    partitions_.erase(std::string(key));
  }
}

void OverPartitions::keep_last(std::string_view key, Partition& p, int64_t keep) {
  while (p.copies > keep) {
    const auto first = p.rows.begin();
    const int64_t drop = std::min<int64_t>(first->second, p.copies - keep);
    first->second -= static_cast<uint32_t>(drop);
    p.copies -= drop;
    rows_ -= drop;
    if (first->second == 0) {
      bytes_ -= row_bytes(first->first);
      p.rows.erase(first);
    }
  }
  if (p.copies == 0) {
    bytes_ -= kPartitionOverhead + static_cast<int64_t>(key.size());
    partitions_.erase(std::string(key));
  }
}

void OverPartitions::write(StateWriter& w) const {
  w.i64(static_cast<int64_t>(partitions_.size()));
  for (const auto& [key, p] : partitions_) {
    w.str(key);
    w.i64(static_cast<int64_t>(p.rows.size()));
    for (const auto& [row, copies] : p.rows) {
      w.str(row);
      w.i64(copies);
    }
  }
}

Status OverPartitions::read(StateReader& r, const OrderedRowCodec& codec) {
  std::unordered_map<std::string, Partition> partitions;
  int64_t rows = 0, bytes = 0, count = 0;
  std::vector<Value> scratch;
  SLC_RETURN_IF_ERROR(r.count(count, 16));
  for (int64_t i = 0; i < count; ++i) {
    std::string key;
    int64_t n = 0;
    SLC_RETURN_IF_ERROR(r.str(key));
    SLC_RETURN_IF_ERROR(r.count(n, 16));
    if (n == 0) return damaged("an empty partition");
    bytes += kPartitionOverhead + static_cast<int64_t>(key.size());
    auto [it, added] = partitions.try_emplace(std::move(key));
    if (!added) return damaged("a partition written twice");
    Partition& p = it->second;
    for (int64_t j = 0; j < n; ++j) {
      std::string row;
      int64_t copies = 0;
      SLC_RETURN_IF_ERROR(r.str(row));
      SLC_RETURN_IF_ERROR(r.i64(copies));
      if (copies < 1 || copies > UINT32_MAX) return damaged("a row's copies out of range");
      SLC_RETURN_IF_ERROR(codec.decode(row, scratch));
      const auto hint = p.rows.end();
      if (!p.rows.empty() && std::prev(hint)->first >= row) return damaged("rows out of order");
      const auto at = p.rows.emplace_hint(hint, std::move(row), static_cast<uint32_t>(copies));
      bytes += row_bytes(at->first);
      p.copies += copies;
      rows += copies;
    }
  }
  partitions_ = std::move(partitions);
  rows_ = rows;
  bytes_ = bytes;
  return Status::Ok();
}

}  // namespace sluice::dataflow
