#pragma once
// ValueSlots: one value of one SQL type per group, as typed arrays — a state byte (no value
// yet, NULL, or a value) and the value: an int64 for BOOLEAN, INT, DATE, BIGINT, TIMESTAMP,
// INTERVAL and DOUBLE (its bits), an __int128 for DECIMAL, a StringRef into the group
// store's arena for VARCHAR. It holds group keys, MIN/MAX, FIRST_VALUE/LAST_VALUE and a
// changelog's last output row, without a Value or a std::string per group.
//
// Group keys compare and hash "normalized": -0.0 equals 0.0 and every NaN is one value (as
// append_key encodes them), while the value kept is the first row's, as it came.
//
// Thread: as ChunkedArray.

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <limits>
#include <string>
#include <string_view>

#include "dataflow/chunked_array.h"
#include "dataflow/string_arena.h"
#include "sluice/column.h"
#include "sluice/column_builder.h"
#include "sluice/value.h"

namespace sluice::dataflow {

// The hash of a group key, combined column by column (see hash_column).
inline constexpr uint64_t kKeySeed = 0x9e3779b97f4a7c15ULL;
inline uint64_t mix_hash(uint64_t h, uint64_t x) {
  // Two multiply-xorshift rounds: the high bits (which place a key in its table) depend on
  // every bit of x and of the columns before it.
  uint64_t v = (x ^ ((h << 23) | (h >> 41))) * 0x9e3779b97f4a7c15ULL;
  v ^= v >> 32;
  v *= 0xd6e8feb86659fd93ULL;
  return v ^ (v >> 32);
}
// Strings of up to 16 bytes (most keys) hash inline from two overlapping loads.
inline uint64_t hash_string(std::string_view s) {
  const size_t n = s.size();
  if (n > 16) return mix_hash(n, std::hash<std::string_view>{}(s));
  uint64_t a = 0, b = 0;
  if (n >= 8) {
    std::memcpy(&a, s.data(), 8);
    std::memcpy(&b, s.data() + n - 8, 8);
  } else if (n >= 4) {
    uint32_t x, y;
    std::memcpy(&x, s.data(), 4);
    std::memcpy(&y, s.data() + n - 4, 4);
    a = x;
    b = y;
  } else if (n > 0) {
    a = static_cast<uint64_t>(static_cast<uint8_t>(s[0])) |
        static_cast<uint64_t>(static_cast<uint8_t>(s[n / 2])) << 8 |
        static_cast<uint64_t>(static_cast<uint8_t>(s[n - 1])) << 16;
  }
  return mix_hash(a ^ (n << 56), b);
}
// A double as its group-key identity: -0.0 as 0.0, every NaN as one.
inline int64_t normalized_bits(double v) {
  if (v == 0) v = 0;
  if (std::isnan(v)) v = std::numeric_limits<double>::quiet_NaN();
  return std::bit_cast<int64_t>(v);
}
// Combines the hash of every row of `column` (normalized, as ValueSlots::hash) into
// hashes[row]: a batch's key hashes are computed a column at a time.
void hash_column(const Column& column, std::vector<uint64_t>& hashes);

class ValueSlots {
 public:
  enum State : uint8_t { kNone = 0, kNull = 1, kValue = 2 };

  explicit ValueSlots(DataType type) : type_(type) {}
  DataType type() const { return type_; }
  uint32_t size() const { return state_.size(); }

  // A slot for a new group, with no value.
  void push_back();
  void reset(uint32_t g, StringArena& arena);
  uint8_t state(uint32_t g) const { return state_[g]; }

  // Sets slot g to row `row` of `column` (of this type; NULL when the row is).
  void set(uint32_t g, const Column& column, int64_t row, StringArena& arena);
  // Sets slot g to slot `from` of `other` (of this type, whose strings are in `arena` too).
  void set_slot(uint32_t g, const ValueSlots& other, uint32_t from, StringArena& arena) {
    set_slot(g, other, from, arena, arena);
  }
  // The same from another store: `other`'s strings are in `from_arena`, copied into `arena`
  // unless it is the same arena.
  void set_slot(uint32_t g, const ValueSlots& other, uint32_t from, const StringArena& from_arena,
                StringArena& arena);
  void set_value(uint32_t g, const Value& v, StringArena& arena);

  // -1, 0, 1: row `row` of `column` (not null) against slot g (a value), as MIN/MAX order.
  int compare(const Column& column, int64_t row, uint32_t g, const StringArena& arena) const;
  int compare_slot(const ValueSlots& other, uint32_t from, uint32_t g,
                   const StringArena& arena) const {
    return compare_slot(other, from, arena, g, arena);
  }
  // The same for `other` of another store, whose strings are in `from_arena`.
  int compare_slot(const ValueSlots& other, uint32_t from, const StringArena& from_arena,
                   uint32_t g, const StringArena& arena) const;
  // Group-key equality of row `row` of `column` and slot g (normalized, NULL equals NULL).
  // Always inlined: it runs once per row in a group lookup's probe (a call there cost ~10%
  // of a keyed tumbling aggregate, sql_bench).
  [[gnu::always_inline]] bool key_equals(const Column& column, int64_t row, uint32_t g,
                                         const StringArena& arena) const {
    const bool null = column.is_null(row);
    const uint8_t state = state_[g];
    if (null || state != kValue) return null && state == kNull;
    switch (type_) {
      case DataType::kVarchar: {
        const std::string_view a = column.string_value(row);
        const StringRef& b = str_[g];
        if (a.size() != b.length) return false;
        if (b.is_inline()) return short_equals(a, b.inline_bytes());
        const char* bytes = arena.get(b).data();
        if (a.size() > 16) return std::memcmp(a.data(), bytes, a.size()) == 0;
        for (size_t i = 0; i < a.size(); ++i) {  // short keys: no call
          if (a[i] != bytes[i]) return false;
        }
        return true;
      }
      case DataType::kDecimal:
        return column.decimal_value(row) == dec_[g];
      case DataType::kDouble:
        return normalized_bits(column.double_value(row)) ==
               normalized_bits(std::bit_cast<double>(fixed_[g]));
      default:
        return fixed_of(column, row) == fixed_[g];
    }
  }
  // a (at most 8 bytes) equals the a.size() bytes at b: two overlapping 4-byte loads from
  // each, or bytewise below 4 (a byte loop or a copy into a word compiles to a memcpy call
  // and a stalled load, ~30% of a short-string key's lookup).
  [[gnu::always_inline]] static bool short_equals(std::string_view a, const char* b) {
    const size_t n = a.size();
    if (n >= 4) {
      uint32_t x0, y0, x1, y1;
      std::memcpy(&x0, a.data(), 4);
      std::memcpy(&y0, b, 4);
      std::memcpy(&x1, a.data() + n - 4, 4);
      std::memcpy(&y1, b + n - 4, 4);
      return ((x0 ^ y0) | (x1 ^ y1)) == 0;
    }
    if (n == 0) return true;
    return a[0] == b[0] && a[n / 2] == b[n / 2] && a[n - 1] == b[n - 1];
  }
  // Group-key equality of slots a and b.
  bool same_key(uint32_t a, uint32_t b, const StringArena& arena) const;
  // The normalized hash of slot g, mixed into h (equal to hash_column's for an equal row).
  uint64_t hash(uint32_t g, uint64_t h, const StringArena& arena) const;

  // Appends slot g to `out` (NULL when it holds none).
  void append_to(ColumnBuilder& out, uint32_t g, const StringArena& arena) const;
  Value value(uint32_t g, const StringArena& arena) const;

  // Stores this array's strings again in `to` (compaction: `from` is then dropped).
  void move_strings(const StringArena& from, StringArena& to);
  // The arena bytes this array's strings hold (StringArena::recount_garbage after a read).
  size_t string_bytes() const;

  size_t bytes() const { return state_.bytes() + fixed_.bytes() + dec_.bytes() + str_.bytes(); }
  void write(StateWriter& w) const;
  // Reads `n` slots; their strings must lie in `arena` (read before).
  Status read(StateReader& r, uint32_t n, const StringArena& arena, std::string& scratch);

 private:
  bool is_string() const { return type_ == DataType::kVarchar; }
  bool is_decimal() const { return type_ == DataType::kDecimal; }
  int64_t fixed_of(const Column& column, int64_t row) const {
    switch (type_) {
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

  DataType type_;
  ChunkedArray<uint8_t> state_;
  ChunkedArray<int64_t> fixed_;  // every type but DECIMAL and VARCHAR
  ChunkedArray<__int128> dec_;   // DECIMAL
  ChunkedArray<StringRef> str_;  // VARCHAR
};

}  // namespace sluice::dataflow
