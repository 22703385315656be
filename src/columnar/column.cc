#include "sluice/column.h"

#include <charconv>
#include <cmath>

#include "columnar/bitmap.h"
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

Column Column::take(std::span<const uint32_t> indices) const {
  ColumnBuilder builder(type_);
  builder.reserve(static_cast<int64_t>(indices.size()));
  for (uint32_t i : indices) builder.append_from(*this, i);
  return builder.finish();
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
        if (int32_value(i) != other.int32_value(i)) return false;
        break;
      case DataType::kDouble: {
        const double a = double_value(i), b = other.double_value(i);
        if (!(a == b || (std::isnan(a) && std::isnan(b)))) return false;
        break;
      }
      case DataType::kVarchar:
        if (string_value(i) != other.string_value(i)) return false;
        break;
      default:
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
  }
  return out;
}

}  // namespace sluice
