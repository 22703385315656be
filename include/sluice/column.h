#pragma once
// Column: one immutable, nullable column of a batch, in Arrow's layout.
//   validity  LSB-first bitmap, 1 = valid; empty when the column has no nulls
//   values    fixed-width values; bits for BOOLEAN; int32 offsets (length + 1) for VARCHAR
//   data      VARCHAR bytes
// A column may be a zero-copy window (offset, length) over larger buffers, which is how
// slices work. Copying a Column copies a few shared pointers, never the data.
//
// Thread: immutable; read from any thread.

#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>

#include "sluice/buffer.h"
#include "sluice/data_type.h"

namespace sluice {

class Column {
 public:
  Column() = default;
  Column(DataType type, int64_t length, int64_t null_count, Buffer validity, Buffer values,
         Buffer data = {}, int64_t offset = 0)
      : type_(type),
        length_(length),
        offset_(offset),
        null_count_(null_count),
        validity_(std::move(validity)),
        values_(std::move(values)),
        data_(std::move(data)) {}

  DataType type() const { return type_; }
  int64_t length() const { return length_; }
  int64_t offset() const { return offset_; }
  int64_t null_count() const { return null_count_; }

  bool is_null(int64_t i) const {
    return !validity_.empty() &&
           !((validity_.data()[(offset_ + i) >> 3] >> ((offset_ + i) & 7)) & 1);
  }
  bool is_valid(int64_t i) const { return !is_null(i); }

  // Typed access; the caller knows the type. Values of null rows are unspecified.
  template <typename T>
  const T* values() const {
    return reinterpret_cast<const T*>(values_.data()) + offset_;
  }
  bool bool_value(int64_t i) const {
    return (values_.data()[(offset_ + i) >> 3] >> ((offset_ + i) & 7)) & 1;
  }
  int32_t int32_value(int64_t i) const { return values<int32_t>()[i]; }
  int64_t int64_value(int64_t i) const { return values<int64_t>()[i]; }
  double double_value(int64_t i) const { return values<double>()[i]; }
  // DECIMAL: units of 10^-scale (memcpy: a slice's values need not be 16-byte aligned).
  __int128 decimal_value(int64_t i) const {
    __int128 v;
    std::memcpy(&v, values_.data() + (offset_ + i) * 16, sizeof v);
    return v;
  }
  std::string_view string_value(int64_t i) const {
    const int32_t* offsets = values<int32_t>();
    return {reinterpret_cast<const char*>(data_.data()) + offsets[i],
            static_cast<size_t>(offsets[i + 1] - offsets[i])};
  }

  const Buffer& validity_buffer() const { return validity_; }
  const Buffer& values_buffer() const { return values_; }
  const Buffer& data_buffer() const { return data_; }

  // Rows [offset, offset + length) without copying.
  Column slice(int64_t offset, int64_t length) const;
  // The rows at the given indices, in that order (a selection vector), copied.
  Column take(std::span<const uint32_t> indices) const;
  // Value equality, row by row (NaN equals NaN; nulls equal nulls).
  bool equals(const Column& other) const;
  // Row i as SQL-ish text: NULL, 42, 'text', 2026-11-24T10:00:00Z.
  std::string value_to_string(int64_t i) const;

 private:
  DataType type_ = DataType::kInt64;
  int64_t length_ = 0;
  int64_t offset_ = 0;
  int64_t null_count_ = 0;
  Buffer validity_;
  Buffer values_;
  Buffer data_;
};

}  // namespace sluice
