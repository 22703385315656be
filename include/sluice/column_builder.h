#pragma once
// ColumnBuilder: appends values of one type and finishes into a Column. One class for all
// types keeps decoders simple (a switch on the field's type picks the append); the typed
// appends check the type in debug builds only.
//
// The validity bitmap is created on the first null, so all-valid columns carry none.
// Thread: belongs to one thread.

#include <cassert>
#include <climits>
#include <cstdint>
#include <span>
#include <string_view>

#include "sluice/buffer.h"
#include "sluice/column.h"
#include "sluice/data_type.h"

namespace sluice {

class ColumnBuilder {
 public:
  explicit ColumnBuilder(DataType type) : type_(type) { clear(); }

  DataType type() const { return type_; }
  int64_t length() const { return length_; }
  int64_t null_count() const { return null_count_; }
  // Bytes of VARCHAR data so far (decoders cap batch size with it; offsets are int32).
  size_t data_bytes() const { return data_.size(); }

  void reserve(int64_t rows);
  // Room for `bytes` more bytes of VARCHAR data: a caller that knows the strings' total size
  // appends them without the data being copied as it grows.
  void reserve_data(size_t bytes) { data_.reserve(data_.size() + bytes); }

  void append_null();
  void append_bool(bool v);
  // The appends a decoder makes per value are inline (a call each was 4 % of the Kafka source's
  // reader thread).
  // INT and DATE (days since the epoch).
  void append_int32(int32_t v) {
    assert(type_ == DataType::kInt32 || type_ == DataType::kDate);
    append_fixed(v);
  }
  // BIGINT, TIMESTAMP (microseconds) and INTERVAL (microseconds).
  void append_int64(int64_t v) {
    assert(type_ == DataType::kInt64 || type_ == DataType::kTimestamp ||
           type_ == DataType::kInterval);
    append_fixed(v);
  }
  void append_double(double v) {
    assert(type_ == DataType::kDouble);
    append_fixed(v);
  }
  // DECIMAL: the value in units of 10^-scale.
  void append_decimal(__int128 v);
  void append_string(std::string_view v) {
    assert(type_ == DataType::kVarchar);
    if (data_.size() + v.size() > static_cast<size_t>(INT32_MAX)) too_much_data();
    if (has_validity_) mark_valid();
    data_.append(v.data(), v.size());
    values_.append_value(static_cast<int32_t>(data_.size()));
    ++length_;
  }

  // Copies row `row` of `column` (same type), null or not.
  void append_from(const Column& column, int64_t row);
  // Copies all of `column` (same type) in bulk.
  void append_column(const Column& column);
  // Copies rows `rows` of `column` (same type), in that order: one typed pass per buffer, not a
  // switch per value (an ordered input gathers every row it holds this way).
  void append_take(const Column& column, std::span<const uint32_t> rows);

  // Drops rows past `length` (used to roll back a row that failed half-way through decoding).
  void truncate(int64_t length);

  // The column built so far; the builder is left empty and ready for reuse.
  Column finish();

 private:
  void clear();
  template <typename T>
  void append_fixed(T v) {
    if (has_validity_) mark_valid();
    values_.append_value(v);
    ++length_;
  }
  // Offsets are int32 (Arrow's utf8): producers cut batches well before 2 GiB; past it, abort.
  [[noreturn]] static void too_much_data();
  // Records row length_ (about to be appended) as valid in the bitmap, if there is one.
  void mark_valid();
  void materialize_validity();
  void append_bit(bool v);

  DataType type_;
  int64_t length_ = 0;
  int64_t null_count_ = 0;
  bool has_validity_ = false;
  BufferBuilder validity_;
  BufferBuilder values_;
  BufferBuilder data_;
};

}  // namespace sluice
