#pragma once
// A small binary format for operator snapshots (and push-log records): fixed-width
// little-endian integers, length-prefixed strings, typed Values. The reader checks every
// length and count against the bytes that remain before anything is allocated, so a
// truncated or corrupt snapshot is an error (SLC-4001), never a crash or an out-of-memory
// abort.

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "sluice/column.h"
#include "sluice/column_builder.h"
#include "sluice/status.h"
#include "sluice/value.h"

namespace sluice::dataflow {

class StateWriter {
 public:
  void u8(uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void i64(int64_t v) { out_.append(reinterpret_cast<const char*>(&v), 8); }
  void f64(double v) { out_.append(reinterpret_cast<const char*>(&v), 8); }
  void i128(__int128 v) { out_.append(reinterpret_cast<const char*>(&v), 16); }
  void str(std::string_view s) {
    i64(static_cast<int64_t>(s.size()));
    out_.append(s);
  }
  // Bytes another writer produced, appended as they are (no length prefix).
  void raw(std::string_view s) { out_.append(s); }
  // A type: its id, and a DECIMAL's precision and scale.
  void type(DataType t);
  void value(const Value& v);
  // Row `row` of `column`, as value() writes Value::from_column(column, row) (no Value made).
  void cell(const Column& column, int64_t row);
  const std::string& bytes() const { return out_; }
  std::string take() { return std::move(out_); }
  // Empties the writer, keeping its buffer (a writer reused per row).
  void clear() { out_.clear(); }

 private:
  std::string out_;
};

class StateReader {
 public:
  explicit StateReader(std::string_view in) : in_(in) {}
  Status u8(uint8_t& v);
  Status i64(int64_t& v);
  Status f64(double& v);
  Status i128(__int128& v);
  Status str(std::string& s);
  // The next string (as str() reads it) in place: a view of the reader's bytes, valid while
  // they are, so a part of a snapshot is read by a reader of its own without a copy.
  Status str_view(std::string_view& s);
  Status type(DataType& t);
  Status value(Value& v);
  // Reads a value as value() does and appends it to `to`, a builder of its type, without making
  // a Value (a VARCHAR's bytes go from the state to the builder); a value of another type is
  // damage.
  Status append_to(ColumnBuilder& to);
  // Passes over `n` values, each checked as value() checks it, without building them: a
  // reader that keeps values' bytes as they are (a view table's restore) needs only to know
  // they read.
  Status skip_values(int64_t n);
  // Reads a count of items that each take at least `min_bytes` (> 0) of what follows, and
  // checks it against the bytes that remain: a damaged count fails here, before a caller
  // sizes anything by it.
  Status count(int64_t& n, size_t min_bytes);
  bool done() const { return pos_ == in_.size(); }
  size_t position() const { return pos_; }
  // The bytes read since `from` (a position()), as they are.
  std::string_view read_since(size_t from) const { return in_.substr(from, pos_ - from); }
  size_t remaining() const { return in_.size() - pos_; }

 private:
  // Inline: every read checks it (a view table's restore, a few times per value).
  Status need(size_t n) const {
    if (in_.size() - pos_ < n) [[unlikely]]
      return short_of(n);
    return Status::Ok();
  }
  [[gnu::cold]] Status short_of(size_t n) const;
  // One value of skip_values().
  Status skip_value();
  // Checks the fixed-width payload of a non-null `t` at `at` (its bytes are there): a
  // DECIMAL within its precision, a DATE within 32 bits.
  Status check_payload(DataType t, size_t at) const;
  std::string_view in_;
  size_t pos_ = 0;
};

}  // namespace sluice::dataflow
