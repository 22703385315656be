#include "dataflow/join_rows.h"

#include <atomic>
#include <bit>
#include <cstring>
#include <string>

#include "dataflow/value_slots.h"

namespace sluice::dataflow {

namespace {

// Compaction is not worth a pass below this many removed rows (a small store keeps its holes).
constexpr int64_t kMinRemovedToCompact = 1024;
constexpr uint8_t kFormat = 1;

Status damaged(const std::string& what) {
  return Status(ErrorCode::kDataCorrupt, "join state is damaged: " + what);
}

uint32_t field_width(DataType t) {
  switch (t) {
    case DataType::kDecimal:
      return 16;
    case DataType::kVarchar:
      return sizeof(StringRef);
    default:
      return 8;
  }
}

// A fixed-width value as the record holds it (every type but DECIMAL and VARCHAR): a double's
// bits, the others widened to 64 bits.
int64_t fixed_of(const Column& column, int64_t row) {
  switch (column.type()) {
    case DataType::kBoolean:
      return column.bool_value(row) ? 1 : 0;
    case DataType::kInt32:
    case DataType::kDate:
      return column.int32_value(row);
    case DataType::kDouble:
      return std::bit_cast<int64_t>(column.double_value(row));
    default:
      return column.int64_value(row);
  }
}

}  // namespace

JoinRows::JoinRows(const std::vector<DataType>& types, int time_column,
                   std::vector<int> key_columns, const std::vector<DataType>& key_types)
    : time_field_(time_column) {
  const size_t n = types.size() + key_columns.size();
  uint32_t at = kNullsAt + static_cast<uint32_t>((n + 7) / 8);
  auto add_field = [&](DataType t) {
    fields_.push_back(Field{t, at});
    at += field_width(t);
  };
  for (DataType t : types) add_field(t);
  for (size_t k = 0; k < key_columns.size(); ++k) {
    if (key_columns[k] >= 0) {
      key_at_.push_back(static_cast<size_t>(key_columns[k]));
    } else {
      key_at_.push_back(fields_.size());
      add_field(key_types[k]);
    }
  }
  width_ = (at + 7) / 8 * 8;
}

JoinRows::Chunk& JoinRows::writable_chunk(uint32_t c) {
  std::shared_ptr<Chunk>& chunk = data_.chunks[c];
  if (chunk.use_count() > 1) {
    // An image still holds it: the image keeps the old bytes, the store takes a copy.
    chunk = std::make_shared<Chunk>(*chunk);
  } else {
    // The image's thread only read the chunk; its last reference was dropped with release
    // order, and this fence orders our writes after those reads.
    std::atomic_thread_fence(std::memory_order_acquire);
  }
  return *chunk;
}

uint8_t* JoinRows::writable(uint32_t i) {
  return writable_chunk(i / kRowsPerChunk).records.data() +
         static_cast<size_t>(i % kRowsPerChunk) * width_;
}

void JoinRows::set_matches(uint32_t i, int32_t n) {
  std::memcpy(writable(i) + kStateAt, &n, sizeof n);
}

std::string_view JoinRows::string_at(uint32_t i, size_t f) const {
  StringRef r;
  std::memcpy(&r, record(i) + fields_[f].offset, sizeof r);
  if (r.is_inline()) {
    // The bytes are in the record itself (and stay there while the chunk does).
    return {
        reinterpret_cast<const char*>(record(i) + fields_[f].offset + offsetof(StringRef, block)),
        r.length};
  }
  return std::string_view(data_.chunks[i / kRowsPerChunk]->strings).substr(r.offset, r.length);
}

bool JoinRows::field_equals(uint32_t i, size_t f, const Column& column, int64_t row) const {
  const bool null = column.is_null(row);
  if (null || is_null(i, f)) return null && is_null(i, f);
  const uint32_t at = fields_[f].offset;
  switch (fields_[f].type) {
    case DataType::kVarchar: {
      const std::string_view a = column.string_value(row);
      return a.size() == load<uint32_t>(i, at) && a == string_at(i, f);
    }
    case DataType::kDecimal:
      return load<__int128>(i, at) == column.decimal_value(row);
    case DataType::kDouble:
      return normalized_bits(std::bit_cast<double>(load<int64_t>(i, at))) ==
             normalized_bits(column.double_value(row));
    default:
      return load<int64_t>(i, at) == fixed_of(column, row);
  }
}

bool JoinRows::fields_equal(uint32_t a, uint32_t b, size_t f) const {
  if (is_null(a, f) || is_null(b, f)) return is_null(a, f) && is_null(b, f);
  const uint32_t at = fields_[f].offset;
  switch (fields_[f].type) {
    case DataType::kVarchar:
      return string_at(a, f) == string_at(b, f);
    case DataType::kDecimal:
      return load<__int128>(a, at) == load<__int128>(b, at);
    case DataType::kDouble:
      return normalized_bits(std::bit_cast<double>(load<int64_t>(a, at))) ==
             normalized_bits(std::bit_cast<double>(load<int64_t>(b, at)));
    default:
      return load<int64_t>(a, at) == load<int64_t>(b, at);
  }
}

bool JoinRows::key_equals(const std::vector<Column>& keys, int64_t row, uint32_t at) const {
  for (size_t k = 0; k < keys.size(); ++k) {
    if (!field_equals(at, key_at_[k], keys[k], row)) return false;
  }
  return true;
}

void JoinRows::store(uint8_t* out, Chunk& chunk, size_t f, const Column& column, int64_t row) {
  uint8_t* to = out + fields_[f].offset;
  if (column.is_null(row)) {
    out[kNullsAt + f / 8] |= static_cast<uint8_t>(1u << (f % 8));
    return;  // the value's bytes stay zero
  }
  switch (fields_[f].type) {
    case DataType::kVarchar: {
      const std::string_view s = column.string_value(row);
      StringRef r;
      r.length = static_cast<uint32_t>(s.size());
      if (r.is_inline()) {
        if (!s.empty()) std::memcpy(r.inline_bytes(), s.data(), s.size());
      } else {
        r.offset = static_cast<uint32_t>(chunk.strings.size());
        chunk.strings.append(s);
      }
      std::memcpy(to, &r, sizeof r);
      break;
    }
    case DataType::kDecimal: {
      const __int128 v = column.decimal_value(row);
      std::memcpy(to, &v, sizeof v);
      break;
    }
    default: {
      const int64_t v = fixed_of(column, row);
      std::memcpy(to, &v, sizeof v);
      break;
    }
  }
}

void JoinRows::index(uint32_t i) {
  const uint64_t hash = static_cast<uint64_t>(load<uint32_t>(i, kHashAt)) << 32;
  // Row i's key is the key of the row the table finds, if any: i becomes its chain's head.
  const uint32_t head = table_.find(hash, [&](uint32_t at) {
    for (size_t f : key_at_) {
      if (!fields_equal(at, i, f)) return false;
    }
    return true;
  });
  std::memcpy(writable(i) + kNextAt, &head, sizeof head);
  if (head == kNone) {
    table_.insert(hash, i);
  } else {
    table_.replace(hash, head, i);
  }
}

uint32_t JoinRows::add(const std::vector<const Column*>& columns, const std::vector<Column>& keys,
                       int64_t row, uint64_t hash, int32_t matches) {
  Frozen& d = data_;
  const uint32_t i = d.rows;
  if (i % kRowsPerChunk == 0) {
    auto chunk = std::make_shared<Chunk>();
    chunk->records.reserve(static_cast<size_t>(kRowsPerChunk) * width_);
    // Room for about the strings the last chunk took: its bytes are not copied as they grow.
    if (!d.chunks.empty() && d.chunks.back() != nullptr) {
      const size_t last = d.chunks.back()->strings.size();
      chunk->strings.reserve(last + last / 8);
    }
    d.chunks.push_back(std::move(chunk));
  }
  Chunk& chunk = writable_chunk(i / kRowsPerChunk);
  chunk.records.resize(chunk.records.size() + width_);  // zeroed: no NULL bits, no values
  uint8_t* out = chunk.records.data() + chunk.records.size() - width_;
  std::memcpy(out + kStateAt, &matches, sizeof matches);
  const auto hash_high = static_cast<uint32_t>(hash >> 32);
  std::memcpy(out + kHashAt, &hash_high, sizeof hash_high);
  for (size_t c = 0; c < columns.size(); ++c) store(out, chunk, c, *columns[c], row);
  for (size_t k = 0; k < keys.size(); ++k) {
    if (key_at_[k] >= columns.size()) store(out, chunk, key_at_[k], keys[k], row);
  }
  ++d.rows;
  ++d.live;
  const int64_t t = time(i);
  if (d.newest != INT64_MIN && t < d.newest) {
    int64_t behind;
    if (__builtin_sub_overflow(d.newest, t, &behind)) behind = INT64_MAX;
    d.disorder = std::max(d.disorder, behind);
  }
  d.newest = std::max(d.newest, t);
  if (deferred_) {
    // Indexed later, if probes make it worth it; the credits earned are capped at what
    // indexing every row not yet indexed would be worth.
    credits_ = std::min(credits_ + kScanPerIndex,
                        kScanPerIndex * static_cast<int64_t>(size() - unindexed_begin()));
    return i;
  }
  // The chain's head: found with the batch's key columns (cheaper than the record's).
  const uint32_t head = table_.find(hash, [&](uint32_t at) { return key_equals(keys, row, at); });
  std::memcpy(out + kNextAt, &head, sizeof head);
  if (head == kNone) {
    table_.insert(hash, i);
  } else {
    table_.replace(hash, head, i);
  }
  indexed_ = size();
  return i;
}

void JoinRows::before_probes(int64_t probes) {
  const int64_t unindexed = static_cast<int64_t>(size() - unindexed_begin());
  if (unindexed == 0 || probes <= 0) return;
  credits_ = std::min(credits_, kScanPerIndex * unindexed);  // rows removed since took theirs
  const __int128 cost = static_cast<__int128>(probes) * unindexed;
  if (cost > credits_) {
    index_unindexed();
  } else {
    credits_ -= static_cast<int64_t>(cost);
  }
}

void JoinRows::index_unindexed() {
  // Each row's slot is fetched a few rows ahead: the inserts' misses overlap.
  constexpr uint32_t kAhead = 8;
  const uint32_t end = size();
  for (uint32_t i = unindexed_begin(); i < end; ++i) {
    if (i + kAhead < end) {
      table_.prefetch(static_cast<uint64_t>(load<uint32_t>(i + kAhead, kHashAt)) << 32);
    }
    if (live(i)) index(i);
  }
  indexed_ = end;
  credits_ = 0;
}

uint32_t JoinRows::find_equal(const std::vector<const Column*>& columns,
                              const std::vector<Column>& keys, int64_t row, uint64_t hash) const {
  uint32_t found = kNone;
  for_each_with_key(keys, row, hash, [&](uint32_t i) {
    if (found != kNone) return;
    for (size_t c = 0; c < columns.size(); ++c) {
      if (!field_equals(i, c, *columns[c], row)) return;
    }
    found = i;
  });
  return found;
}

void JoinRows::remove(uint32_t i) {
  if (!live(i)) return;
  const int32_t removed = kRemoved;
  std::memcpy(writable(i) + kStateAt, &removed, sizeof removed);
  --data_.live;
}

void JoinRows::free_front() {
  // Whole chunks before `front`: every row removed. Their rows leave the index first (a chain
  // head there would be compared against freed memory).
  for (uint32_t c = freed_rows_ / kRowsPerChunk; (c + 1) * kRowsPerChunk <= data_.front; ++c) {
    if (data_.chunks[c] == nullptr) continue;
    // Only rows before indexed_ can be in the index.
    const uint32_t end = std::min((c + 1) * kRowsPerChunk, indexed_);
    for (uint32_t i = c * kRowsPerChunk; i < end; ++i) {
      table_.erase(static_cast<uint64_t>(load<uint32_t>(i, kHashAt)) << 32, i);
    }
    data_.chunks[c] = nullptr;  // an image holding it keeps it until written
    freed_rows_ = (c + 1) * kRowsPerChunk;
  }
}

void JoinRows::reclaim() {
  free_front();
  const int64_t removed = static_cast<int64_t>(size()) - data_.live - freed_rows_;
  if (data_.live == 0 && size() > 0) {
    // Nothing left: everything goes at once.
    Frozen empty;
    empty.newest = data_.newest;
    empty.disorder = data_.disorder;
    data_ = std::move(empty);
    freed_rows_ = 0;
    rebuild_index();
    return;
  }
  if (removed < kMinRemovedToCompact || removed * 2 < data_.live) return;
  Frozen fresh;
  fresh.newest = data_.newest;
  fresh.disorder = data_.disorder;
  fresh.live = data_.live;
  for (uint32_t i = data_.front; i < size(); ++i) {
    if (!live(i)) continue;
    if (fresh.rows % kRowsPerChunk == 0) {
      auto chunk = std::make_shared<Chunk>();
      chunk->records.reserve(static_cast<size_t>(kRowsPerChunk) * width_);
      fresh.chunks.push_back(std::move(chunk));
    }
    Chunk& to = *fresh.chunks.back();
    const uint8_t* from = record(i);
    to.records.insert(to.records.end(), from, from + width_);
    uint8_t* out = to.records.data() + to.records.size() - width_;
    // Strings move to the new chunk's bytes.
    for (size_t f = 0; f < fields_.size(); ++f) {
      if (fields_[f].type != DataType::kVarchar || is_null(i, f)) continue;
      StringRef r;
      std::memcpy(&r, out + fields_[f].offset, sizeof r);
      if (r.is_inline()) continue;
      const std::string_view s = string_at(i, f);
      r.offset = static_cast<uint32_t>(to.strings.size());
      to.strings.append(s);
      std::memcpy(out + fields_[f].offset, &r, sizeof r);
    }
    ++fresh.rows;
  }
  data_ = std::move(fresh);  // an image still holding the old chunks keeps them
  freed_rows_ = 0;
  rebuild_index();
}

void JoinRows::rebuild_index() {
  table_.clear();
  indexed_ = freed_rows_;
  if (deferred_) return;  // every row waits for probes to make indexing worth it
  table_.reserve(static_cast<uint32_t>(data_.live));
  for (uint32_t i = freed_rows_; i < size(); ++i) index(i);
  indexed_ = size();
}

void JoinRows::append_value(ColumnBuilder& out, size_t c, uint32_t i) const {
  if (is_null(i, c)) {
    out.append_null();
    return;
  }
  const uint32_t at = fields_[c].offset;
  switch (fields_[c].type) {
    case DataType::kBoolean:
      out.append_bool(load<int64_t>(i, at) != 0);
      break;
    case DataType::kInt32:
    case DataType::kDate:
      out.append_int32(static_cast<int32_t>(load<int64_t>(i, at)));
      break;
    case DataType::kDouble:
      out.append_double(std::bit_cast<double>(load<int64_t>(i, at)));
      break;
    case DataType::kDecimal:
      out.append_decimal(load<__int128>(i, at));
      break;
    case DataType::kVarchar:
      out.append_string(string_at(i, c));
      break;
    case DataType::kInt64:
    case DataType::kTimestamp:
    case DataType::kInterval:
      out.append_int64(load<int64_t>(i, at));
      break;
  }
}

void JoinRows::append_rows(ColumnBuilder& out, size_t c, std::span<const uint32_t> rows) const {
  const uint32_t at = fields_[c].offset;
  const auto each = [&](auto&& append) {
    for (const uint32_t i : rows) {
      if (i == kNone || is_null(i, c)) {
        out.append_null();
      } else {
        append(i);
      }
    }
  };
  switch (fields_[c].type) {
    case DataType::kBoolean:
      each([&](uint32_t i) { out.append_bool(load<int64_t>(i, at) != 0); });
      break;
    case DataType::kInt32:
    case DataType::kDate:
      each([&](uint32_t i) { out.append_int32(static_cast<int32_t>(load<int64_t>(i, at))); });
      break;
    case DataType::kDouble:
      each([&](uint32_t i) { out.append_double(std::bit_cast<double>(load<int64_t>(i, at))); });
      break;
    case DataType::kDecimal:
      each([&](uint32_t i) { out.append_decimal(load<__int128>(i, at)); });
      break;
    case DataType::kVarchar: {
      size_t bytes = 0;
      for (const uint32_t i : rows) {
        if (i != kNone) bytes += string_length(c, i);
      }
      out.reserve_data(bytes);
      each([&](uint32_t i) { out.append_string(string_at(i, c)); });
      break;
    }
    case DataType::kInt64:
    case DataType::kTimestamp:
    case DataType::kInterval:
      each([&](uint32_t i) { out.append_int64(load<int64_t>(i, at)); });
      break;
  }
}

JoinRows::Frozen JoinRows::freeze() const {
  return data_;
}

void JoinRows::Frozen::write(StateWriter& w, uint32_t width) const {
  w.i64(rows);
  w.i64(width);
  w.i64(live);
  w.i64(newest);
  w.i64(disorder);
  w.i64(front);
  w.i64(front_newest);
  for (const auto& chunk : chunks) {
    if (chunk == nullptr) {
      w.str({});
      w.str({});
      continue;
    }
    w.str(std::string_view(reinterpret_cast<const char*>(chunk->records.data()),
                           chunk->records.size()));
    w.str(chunk->strings);
  }
}

Status JoinRows::read(StateReader& r) {
  Frozen f;
  int64_t rows, width, front;
  // Every chunk takes at least its two lengths: a damaged count fails here.
  SLC_RETURN_IF_ERROR(r.i64(rows));
  if (rows < 0 || rows > UINT32_MAX - kRowsPerChunk ||
      static_cast<uint64_t>(rows) / kRowsPerChunk * 16 > r.remaining()) {
    return damaged(std::to_string(rows) + " rows");
  }
  SLC_RETURN_IF_ERROR(r.i64(width));
  if (width != width_) {
    return damaged("rows of " + std::to_string(width) + " bytes where the join's columns take " +
                   std::to_string(width_));
  }
  SLC_RETURN_IF_ERROR(r.i64(f.live));
  SLC_RETURN_IF_ERROR(r.i64(f.newest));
  SLC_RETURN_IF_ERROR(r.i64(f.disorder));
  SLC_RETURN_IF_ERROR(r.i64(front));
  SLC_RETURN_IF_ERROR(r.i64(f.front_newest));
  if (f.live < 0 || f.live > rows || front < 0 || front > rows || f.disorder < 0) {
    return damaged(std::to_string(f.live) + " live rows of " + std::to_string(rows) +
                   ", the first at " + std::to_string(front));
  }
  f.rows = static_cast<uint32_t>(rows);
  f.front = static_cast<uint32_t>(front);
  const uint32_t chunks = (f.rows + kRowsPerChunk - 1) / kRowsPerChunk;
  std::string records;
  int64_t live_rows = 0;
  uint32_t freed = 0;
  for (uint32_t c = 0; c < chunks; ++c) {
    auto chunk = std::make_shared<Chunk>();
    SLC_RETURN_IF_ERROR(r.str(records));
    SLC_RETURN_IF_ERROR(r.str(chunk->strings));
    const uint32_t want = std::min(kRowsPerChunk, f.rows - c * kRowsPerChunk);
    if (records.empty() && chunk->strings.empty() && (c + 1) * kRowsPerChunk <= f.front &&
        freed == c * kRowsPerChunk) {
      f.chunks.push_back(nullptr);  // freed: every row removed
      freed = (c + 1) * kRowsPerChunk;
      continue;
    }
    if (records.size() != static_cast<size_t>(want) * width_) {
      return damaged("a chunk of " + std::to_string(records.size()) + " bytes where " +
                     std::to_string(want) + " rows take " +
                     std::to_string(static_cast<size_t>(want) * width_));
    }
    chunk->records.assign(records.begin(), records.end());
    f.chunks.push_back(std::move(chunk));
  }
  data_ = std::move(f);
  freed_rows_ = freed;
  // Each row checked before the index is built from it: its state, and its strings within
  // its chunk's bytes.
  for (uint32_t i = freed_rows_; i < size(); ++i) {
    if (state(i) < kRemoved) return damaged("row " + std::to_string(i) + " in no state");
    if (i < data_.front && live(i)) {
      return damaged("row " + std::to_string(i) + " live before the first live row");
    }
    if (live(i)) ++live_rows;
    for (size_t fi = 0; fi < fields_.size(); ++fi) {
      if (fields_[fi].type != DataType::kVarchar || is_null(i, fi)) continue;
      StringRef s;
      std::memcpy(&s, record(i) + fields_[fi].offset, sizeof s);
      const size_t bytes = data_.chunks[i / kRowsPerChunk]->strings.size();
      if (!s.is_inline() && (s.offset > bytes || s.length > bytes - s.offset)) {
        return damaged("row " + std::to_string(i) + " refers to bytes past its chunk's");
      }
    }
  }
  if (live_rows != data_.live) {
    return damaged(std::to_string(live_rows) + " live rows where " + std::to_string(data_.live) +
                   " were written");
  }
  rebuild_index();
  return Status::Ok();
}

int64_t JoinRows::bytes() const {
  // Per chunk: its control block and vector headers besides its bytes.
  constexpr size_t kChunkOverhead = 96;
  size_t n = table_.bytes() + data_.chunks.capacity() * sizeof(std::shared_ptr<Chunk>);
  for (const auto& c : data_.chunks) {
    if (c != nullptr) n += c->records.capacity() + c->strings.capacity() + kChunkOverhead;
  }
  return static_cast<int64_t>(n);
}

void JoinStateImage::write(StateWriter& w) const {
  w.u8(kFormat);
  w.i64(watermarks_[0]);
  w.i64(watermarks_[1]);
  left_.write(w, widths_[0]);
  right_.write(w, widths_[1]);
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
