#include "dataflow/view_table.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <functional>

#include "sluice/batch_builder.h"
#include "sluice/column_builder.h"

namespace sluice::dataflow {

namespace {

// A chunk's size: large enough that a table of a million rows has a few hundred chunks (what
// a capture copies), small enough that copying one on write costs microseconds.
constexpr size_t kChunkBytes = 64 * 1024;
// A row in a chunk: its copies (0: deleted), its payload's length, its payload.
constexpr size_t kHeaderBytes = sizeof(int64_t) + sizeof(uint32_t);

uint64_t hash_of(std::string_view key) {
  return std::hash<std::string_view>{}(key);
}

}  // namespace

struct ViewTable::Chunk {
  std::string bytes;
  size_t capacity = 0;

  int64_t copies_at(uint32_t offset) const {
    int64_t copies;
    std::memcpy(&copies, bytes.data() + offset, sizeof copies);
    return copies;
  }
  void set_copies(uint32_t offset, int64_t copies) {
    std::memcpy(bytes.data() + offset, &copies, sizeof copies);
  }
  uint32_t length_at(uint32_t offset) const {
    uint32_t length;
    std::memcpy(&length, bytes.data() + offset + sizeof(int64_t), sizeof length);
    return length;
  }
  std::string_view payload_at(uint32_t offset) const {
    return std::string_view(bytes).substr(offset + kHeaderBytes, length_at(offset));
  }
  // Calls fn(offset, copies, payload) for every live row, in order.
  template <typename Fn>
  void for_each_live(Fn&& fn) const {
    for (size_t at = 0; at < bytes.size();) {
      const auto offset = static_cast<uint32_t>(at);
      const int64_t copies = copies_at(offset);
      const std::string_view payload = payload_at(offset);
      if (copies > 0) fn(offset, copies, payload);
      at += kHeaderBytes + payload.size();
    }
  }
};

// The table as it was at capture(): the chunks it shared then (copy-on-write keeps them).
class ViewTableImage final : public StateImage {
 public:
  ViewTableImage(std::vector<CowPtr<ViewTable::Chunk>> chunks, int64_t distinct, int64_t width)
      : chunks_(std::move(chunks)), distinct_(distinct), width_(width) {}

  void write(StateWriter& w) const override {
    w.i64(distinct_);
    for (const auto& chunk : chunks_) {
      if (chunk == nullptr) continue;
      chunk->for_each_live([&](uint32_t, int64_t copies, std::string_view payload) {
        w.i64(copies);
        w.i64(width_);
        w.raw(payload);
      });
    }
  }

 private:
  // Only read here (the table copies a chunk before writing one an image holds).
  const std::vector<CowPtr<ViewTable::Chunk>> chunks_;
  const int64_t distinct_;
  const int64_t width_;
};

ViewTable::ViewTable(SchemaPtr schema) : schema_(std::move(schema)) {}
ViewTable::~ViewTable() = default;

template <typename KeyFn>
size_t ViewTable::find_slot(uint64_t hash, KeyFn&& key) const {
  const size_t mask = slots_.size() - 1;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    const Slot& s = slots_[i];
    if (s.chunk == kEmpty) return i;
    if (s.hash == hash && payload_at(s.chunk, s.offset) == key()) return i;
  }
}

std::string_view ViewTable::payload_at(uint32_t chunk, uint32_t offset) const {
  return chunks_[chunk]->payload_at(offset);
}

ViewTable::Chunk& ViewTable::writable(uint32_t chunk) {
  CowPtr<Chunk>& c = chunks_[chunk];
  // unique()'s acquire pairs with an image's release of its reference, after its last read.
  if (!c.unique()) {
    // An image still holds it: the image keeps the old bytes, the table takes a copy.
    auto copy = CowPtr<Chunk>::make();
    copy->capacity = c->capacity;
    copy->bytes.reserve(c->capacity);
    copy->bytes = c->bytes;
    c = std::move(copy);
  }
  return *c;
}

std::pair<uint32_t, uint32_t> ViewTable::append(std::string_view key, int64_t copies) {
  const size_t need = kHeaderBytes + key.size();
  if (chunks_.empty() || chunks_.back() == nullptr ||
      chunks_.back()->bytes.size() + need > chunks_.back()->capacity) {
    // A full tail whose rows were all deleted is freed as it stops being the tail.
    if (!chunks_.empty() && chunks_.back() != nullptr && chunk_live_.back() == 0) {
      release_chunk(static_cast<uint32_t>(chunks_.size() - 1));
    }
    auto chunk = CowPtr<Chunk>::make();
    chunk->capacity = std::max(kChunkBytes, need);
    chunk->bytes.reserve(chunk->capacity);
    arena_bytes_ += static_cast<int64_t>(chunk->capacity);
    chunks_.push_back(std::move(chunk));
    chunk_live_.push_back(0);
  }
  const auto index = static_cast<uint32_t>(chunks_.size() - 1);
  Chunk& c = writable(index);
  const auto offset = static_cast<uint32_t>(c.bytes.size());
  const auto length = static_cast<uint32_t>(key.size());
  c.bytes.append(reinterpret_cast<const char*>(&copies), sizeof copies);
  c.bytes.append(reinterpret_cast<const char*>(&length), sizeof length);
  c.bytes.append(key);
  ++chunk_live_[index];
  live_bytes_ += static_cast<int64_t>(need);
  return {index, offset};
}

void ViewTable::insert_slot(uint64_t hash, uint32_t chunk, uint32_t offset) {
  const size_t mask = slots_.size() - 1;
  size_t i = hash & mask;
  while (slots_[i].chunk != kEmpty) i = (i + 1) & mask;
  slots_[i] = Slot{hash, chunk, offset};
}

void ViewTable::erase_slot(size_t i) {
  // Backward-shift deletion: later rows of the same probe run move up, so lookups never need
  // tombstones.
  const size_t mask = slots_.size() - 1;
  for (size_t j = (i + 1) & mask; slots_[j].chunk != kEmpty; j = (j + 1) & mask) {
    const size_t home = slots_[j].hash & mask;
    // Slot j's row may move to i when i lies on its probe path (home .. j, cyclically).
    const bool movable = i <= j ? (home <= i || home > j) : (home <= i && home > j);
    if (movable) {
      slots_[i] = slots_[j];
      i = j;
    }
  }
  slots_[i].chunk = kEmpty;
}

void ViewTable::grow_index() {
  std::vector<Slot> old = std::move(slots_);
  slots_.assign(std::max<size_t>(16, old.size() * 2), Slot{0, kEmpty, 0});
  for (const Slot& s : old) {
    if (s.chunk != kEmpty) insert_slot(s.hash, s.chunk, s.offset);
  }
}

void ViewTable::release_chunk(uint32_t chunk) {
  dead_bytes_ -= static_cast<int64_t>(chunks_[chunk]->bytes.size());
  arena_bytes_ -= static_cast<int64_t>(chunks_[chunk]->capacity);
  chunks_[chunk] = nullptr;  // an image holding it keeps it until written
}

void ViewTable::compact() {
  std::vector<CowPtr<Chunk>> old = std::move(chunks_);
  chunks_.clear();
  chunk_live_.clear();
  arena_bytes_ = live_bytes_ = dead_bytes_ = 0;
  std::fill(slots_.begin(), slots_.end(), Slot{0, kEmpty, 0});
  for (const auto& chunk : old) {
    if (chunk == nullptr) continue;
    chunk->for_each_live([&](uint32_t, int64_t copies, std::string_view payload) {
      const auto [c, offset] = append(payload, copies);
      insert_slot(hash_of(payload), c, offset);
    });
  }
}

bool ViewTable::apply(const std::vector<Value>& row, bool insert) {
  key_.clear();
  for (const Value& v : row) key_.value(v);
  const std::string_view key = key_.bytes();
  const uint64_t hash = hash_of(key);
  if (slots_.empty()) grow_index();
  const auto key_of = [key] { return key; };
  size_t i = find_slot(hash, key_of);
  const bool found = slots_[i].chunk != kEmpty;
  if (insert) {
    ++size_;
    if (found) {
      Chunk& c = writable(slots_[i].chunk);
      c.set_copies(slots_[i].offset, c.copies_at(slots_[i].offset) + 1);
      return true;
    }
    if (static_cast<size_t>(distinct_ + 1) * 10 > slots_.size() * 7) {
      grow_index();
      i = find_slot(hash, key_of);
    }
    const auto [chunk, offset] = append(key, 1);
    slots_[i] = Slot{hash, chunk, offset};
    ++distinct_;
    return true;
  }
  if (!found) return false;
  --size_;
  const Slot s = slots_[i];
  Chunk& c = writable(s.chunk);
  const int64_t copies = c.copies_at(s.offset) - 1;
  c.set_copies(s.offset, copies);
  if (copies > 0) return true;
  erase_slot(i);
  --distinct_;
  const auto bytes = static_cast<int64_t>(kHeaderBytes + c.length_at(s.offset));
  live_bytes_ -= bytes;
  dead_bytes_ += bytes;
  if (--chunk_live_[s.chunk] == 0 && s.chunk + 1 != chunks_.size()) release_chunk(s.chunk);
  if (dead_bytes_ > live_bytes_ && dead_bytes_ > static_cast<int64_t>(kChunkBytes)) compact();
  return true;
}

RecordBatch ViewTable::to_batch() const {
  BatchBuilder b(schema_);
  const int width = schema_->num_fields();
  std::vector<Value> row(static_cast<size_t>(width));
  for (const auto& chunk : chunks_) {
    if (chunk == nullptr) continue;
    chunk->for_each_live([&](uint32_t, int64_t copies, std::string_view payload) {
      StateReader r(payload);
      // The table encoded these itself: they read back.
      for (Value& v : row) r.value(v).ignore();
      for (int64_t n = 0; n < copies; ++n) {
        for (int c = 0; c < width; ++c) append_value(b.column(c), row[static_cast<size_t>(c)]);
      }
    });
  }
  return b.finish();
}

std::unique_ptr<StateImage> ViewTable::capture() const {
  return std::make_unique<ViewTableImage>(chunks_, distinct_, schema_->num_fields());
}

Status ViewTable::restore(StateReader& r, int64_t distinct_rows, int64_t max_rows) {
  chunks_.clear();
  chunk_live_.clear();
  slots_.clear();
  distinct_ = size_ = arena_bytes_ = live_bytes_ = dead_bytes_ = 0;
  const int64_t want_width = schema_->num_fields();
  // First the rows, in order, each checked and copied into the arena as its bytes are (the
  // values are passed over, never built), its place and hash kept; then the index, built from
  // those in one go (index_restored_rows).
  std::vector<Slot> rows;
  // Sized once for the rows to come, as far as the bytes left can hold them (a row takes at
  // least its copies, width and one value's type and null flag): a damaged count sizes nothing.
  rows.reserve(static_cast<size_t>(
      std::min<uint64_t>(static_cast<uint64_t>(std::max<int64_t>(distinct_rows, 0)),
                         r.remaining() / (2 * sizeof(int64_t) + 2))));
  for (int64_t t = 0; t < distinct_rows; ++t) {
    int64_t copies, width;
    SLC_RETURN_IF_ERROR(r.i64(copies));
    // Checked against the bytes left (a value takes at least its type and null flag) before
    // the row is sized by it.
    SLC_RETURN_IF_ERROR(r.count(width, 2));
    int64_t size = 0;
    if (copies < 1 || __builtin_add_overflow(size_, copies, &size) || size > max_rows) {
      return Status(ErrorCode::kDataCorrupt, "damaged view table in checkpoint: a row held " +
                                                 std::to_string(copies) +
                                                 " times, more than the view has ever emitted (" +
                                                 std::to_string(max_rows) + ")");
    }
    size_ = size;  // all copies at once: a damaged count costs no time
    if (width != want_width) {
      return Status(ErrorCode::kDataCorrupt, "damaged view table in checkpoint: a row of " +
                                                 std::to_string(width) + " values, the view has " +
                                                 std::to_string(want_width) + " columns");
    }
    const size_t from = r.position();
    SLC_RETURN_IF_ERROR(r.skip_values(width));
    const std::string_view key = r.read_since(from);
    const auto [chunk, offset] = append(key, copies);
    rows.push_back(Slot{hash_of(key), chunk, offset});
  }
  return index_restored_rows(rows);
}

Status ViewTable::index_restored_rows(std::vector<Slot>& rows) {
  size_t slots = 16;
  while (slots * 7 < rows.size() * 10) slots *= 2;
  slots_.assign(slots, Slot{0, kEmpty, 0});
  // Inserted one region of the index at a time: the rows are first grouped by the top bits of
  // their home slot (one counting pass), so each group's probes stay within a few kilobytes of
  // the index instead of missing the caches and the TLB once per row (the index is tens of
  // megabytes for a million rows; inserting in arena order was half of restore's time).
  const int bits = std::countr_zero(slots);
  const int shift = std::max(0, bits - 10);
  const size_t mask = slots - 1;
  std::vector<uint32_t> start(((mask >> shift) + 2), 0);
  for (const Slot& s : rows) ++start[((s.hash & mask) >> shift) + 1];
  for (size_t g = 1; g < start.size(); ++g) start[g] += start[g - 1];
  std::vector<Slot> grouped(rows.size());
  for (const Slot& s : rows) grouped[start[(s.hash & mask) >> shift]++] = s;
  rows = std::vector<Slot>();  // freed before the index fills
  for (const Slot& s : grouped) {
    // The row's bytes are read only when a hash matches: they lie anywhere in the arena.
    const size_t i = find_slot(s.hash, [&] { return payload_at(s.chunk, s.offset); });
    // A snapshot's rows are distinct.
    if (slots_[i].chunk != kEmpty) {
      return Status(ErrorCode::kDataCorrupt, "damaged view table in checkpoint: a row twice");
    }
    slots_[i] = s;
    ++distinct_;
  }
  return Status::Ok();
}

size_t ViewTable::chunk_count() const {
  return static_cast<size_t>(
      std::count_if(chunks_.begin(), chunks_.end(), [](const auto& c) { return c != nullptr; }));
}

StateStats ViewTable::state_stats() const {
  // Per chunk: its control block and string header besides its bytes.
  constexpr int64_t kChunkOverhead = 64;
  StateStats s;
  s.groups = distinct_;
  s.bytes = arena_bytes_ + static_cast<int64_t>(slots_.capacity() * sizeof(Slot)) +
            static_cast<int64_t>(chunks_.capacity()) *
                static_cast<int64_t>(sizeof(CowPtr<Chunk>) + sizeof(int64_t)) +
            static_cast<int64_t>(chunks_.size()) * kChunkOverhead;
  return s;
}

}  // namespace sluice::dataflow
