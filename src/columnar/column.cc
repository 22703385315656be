#include "sluice/column.h"

#include <charconv>
#include <cmath>
#include <cstring>

#include "columnar/bitmap.h"
#include "columnar/decimal.h"
#include "columnar/timestamp.h"
#include "sluice/column_builder.h"

namespace sluice {

Column Column::slice(int64_t offset, int64_t length) const {
  if (offset < 0) offset = 0;
  if (offset > length_) offset = length_;
  if (length < 0 || offset + length > length_) length = length_ - offset;
  int64_t nulls = 0;
  if (!validity_.empty() && null_count_ > 0) {
    nulls = length - bitmap::count_set(validity_.data(), offset_ + offset, length);
  }
  Column out = *this;
  out.offset_ = offset_ + offset;
  out.length_ = length;
  out.null_count_ = nulls;
  return out;
}

namespace {

// Gathers fixed-width values by index into a new aligned buffer.
template <typename T>
Buffer gather(const T* values, std::span<const uint32_t> indices) {
  BufferBuilder out;
  out.resize(indices.size() * sizeof(T));
  T* dst = reinterpret_cast<T*>(out.data());
  for (size_t k = 0; k < indices.size(); ++k) dst[k] = values[indices[k]];
  return out.finish();
}

}  // namespace

// A typed gather, one pass per buffer (strings: lengths first, then bytes): this is how
// filters and sink WHERE clauses keep their selected rows, so it is on the hot path.
Column Column::take(std::span<const uint32_t> indices) const {
  const auto n = static_cast<int64_t>(indices.size());
  Buffer validity;
  int64_t nulls = 0;
  if (null_count_ > 0) {
    BufferBuilder bits;
    bits.resize(static_cast<size_t>(bitmap::bytes_for(n)));
    for (int64_t k = 0; k < n; ++k) {
      if (is_valid(indices[static_cast<size_t>(k)])) {
        bitmap::set(bits.data(), k);
      } else {
        ++nulls;
      }
    }
    if (nulls > 0) validity = bits.finish();
  }
  switch (type_) {
    case DataType::kBoolean: {
      BufferBuilder bits;
      bits.resize(static_cast<size_t>(bitmap::bytes_for(n)));
      for (int64_t k = 0; k < n; ++k) {
        if (bool_value(indices[static_cast<size_t>(k)])) bitmap::set(bits.data(), k);
      }
      return Column(type_, n, nulls, std::move(validity), bits.finish());
    }
    case DataType::kInt32:
    case DataType::kDate:
      return Column(type_, n, nulls, std::move(validity), gather(values<int32_t>(), indices));
    case DataType::kDecimal:
      return Column(type_, n, nulls, std::move(validity), gather(values<__int128>(), indices));
    case DataType::kVarchar: {
      const int32_t* offsets = values<int32_t>();
      BufferBuilder out_offsets;
      out_offsets.resize(static_cast<size_t>(n + 1) * 4);
      auto* dst_offsets = reinterpret_cast<int32_t*>(out_offsets.data());
      int64_t total = 0;
      dst_offsets[0] = 0;
      for (int64_t k = 0; k < n; ++k) {
        const uint32_t i = indices[static_cast<size_t>(k)];
        total += offsets[i + 1] - offsets[i];
        dst_offsets[k + 1] = static_cast<int32_t>(total);  // ≤ this column's own data size
      }
      BufferBuilder bytes;
      bytes.resize(static_cast<size_t>(total));
      const uint8_t* src = data_.data();
      for (int64_t k = 0; k < n; ++k) {
        const uint32_t i = indices[static_cast<size_t>(k)];
        const auto len = static_cast<size_t>(offsets[i + 1] - offsets[i]);
        if (len != 0) std::memcpy(bytes.data() + dst_offsets[k], src + offsets[i], len);
      }
      return Column(type_, n, nulls, std::move(validity), out_offsets.finish(), bytes.finish());
    }
    case DataType::kInt64:
    case DataType::kDouble:
    case DataType::kTimestamp:
    case DataType::kInterval:
      return Column(type_, n, nulls, std::move(validity), gather(values<int64_t>(), indices));
  }
  return Column();
}

bool Column::equals(const Column& other) const {
  if (type_ != other.type_ || length_ != other.length_) return false;
  for (int64_t i = 0; i < length_; ++i) {
    const bool a_null = is_null(i);
    if (a_null != other.is_null(i)) return false;
    if (a_null) continue;
    switch (type_) {
      case DataType::kBoolean:
        if (bool_value(i) != other.bool_value(i)) return false;
        break;
      case DataType::kInt32:
      case DataType::kDate:
        if (int32_value(i) != other.int32_value(i)) return false;
        break;
      case DataType::kDecimal:
        if (decimal_value(i) != other.decimal_value(i)) return false;
        break;
      case DataType::kDouble: {
        const double a = double_value(i), b = other.double_value(i);
        if (!(a == b || (std::isnan(a) && std::isnan(b)))) return false;
        break;
      }
      case DataType::kVarchar:
        if (string_value(i) != other.string_value(i)) return false;
        break;
      case DataType::kInt64:
      case DataType::kTimestamp:
      case DataType::kInterval:
        if (int64_value(i) != other.int64_value(i)) return false;
    }
  }
  return true;
}

std::string Column::value_to_string(int64_t i) const {
  if (is_null(i)) return "NULL";
  std::string out;
  char buf[32];
  switch (type_) {
    case DataType::kBoolean:
      return bool_value(i) ? "true" : "false";
    case DataType::kInt32:
      return std::to_string(int32_value(i));
    case DataType::kInt64:
      return std::to_string(int64_value(i));
    case DataType::kDouble: {
      auto [end, ec] = std::to_chars(buf, buf + sizeof buf, double_value(i));
      return std::string(buf, end);
    }
    case DataType::kVarchar:
      return std::string(string_value(i));
    case DataType::kTimestamp:
      append_timestamp(int64_value(i), out);
      return out;
    case DataType::kInterval:
      append_interval(int64_value(i), out);
      return out;
    case DataType::kDecimal:
      decimal::append(decimal_value(i), type_.scale(), out);
      return out;
    case DataType::kDate:
      append_date(int32_value(i), out);
      return out;
  }
  return out;
}

}  // namespace sluice
