#include "sluice/column_builder.h"

#include <cassert>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "columnar/bitmap.h"

namespace sluice {

void ColumnBuilder::clear() {
  length_ = 0;
  null_count_ = 0;
  has_validity_ = false;
  validity_ = BufferBuilder();
  values_ = BufferBuilder();
  data_ = BufferBuilder();
  if (type_ == DataType::kVarchar) values_.append_value<int32_t>(0);
}

void ColumnBuilder::reserve(int64_t rows) {
  const auto n = static_cast<size_t>(length_ + rows);
  switch (type_) {
    case DataType::kBoolean:
      values_.reserve(static_cast<size_t>(bitmap::bytes_for(length_ + rows)));
      break;
    case DataType::kVarchar:
      values_.reserve((n + 1) * 4);
      break;
    default:
      values_.reserve(n * static_cast<size_t>(fixed_width(type_)));
      break;
  }
  if (has_validity_) validity_.reserve(static_cast<size_t>(bitmap::bytes_for(length_ + rows)));
}

void ColumnBuilder::materialize_validity() {
  // All rows so far were valid.
  validity_.resize(static_cast<size_t>(bitmap::bytes_for(length_)));
  if (validity_.size() != 0) std::memset(validity_.data(), 0xff, validity_.size());
  has_validity_ = true;
}

void ColumnBuilder::mark_valid() {
  if (!has_validity_) return;
  validity_.resize(static_cast<size_t>(bitmap::bytes_for(length_ + 1)));
  bitmap::set(validity_.data(), length_);
}

void ColumnBuilder::append_bit(bool v) {
  values_.resize(static_cast<size_t>(bitmap::bytes_for(length_ + 1)));
  bitmap::assign(values_.data(), length_, v);
}

void ColumnBuilder::append_null() {
  if (!has_validity_) materialize_validity();
  validity_.resize(static_cast<size_t>(bitmap::bytes_for(length_ + 1)));
  bitmap::clear(validity_.data(), length_);
  switch (type_) {
    case DataType::kBoolean:
      append_bit(false);
      break;
    case DataType::kVarchar:
      values_.append_value(static_cast<int32_t>(data_.size()));
      break;
    case DataType::kInt32:
    case DataType::kDate:
      values_.append_value<int32_t>(0);
      break;
    case DataType::kDouble:
      values_.append_value<double>(0);
      break;
    case DataType::kDecimal:
      values_.append_value<__int128>(0);
      break;
    case DataType::kInt64:
    case DataType::kTimestamp:
    case DataType::kInterval:
      values_.append_value<int64_t>(0);
      break;
  }
  ++null_count_;
  ++length_;
}

void ColumnBuilder::append_bool(bool v) {
  assert(type_ == DataType::kBoolean);
  mark_valid();
  append_bit(v);
  ++length_;
}

void ColumnBuilder::append_decimal(__int128 v) {
  assert(type_ == DataType::kDecimal);
  mark_valid();
  values_.append_value(v);
  ++length_;
}

void ColumnBuilder::too_much_data() {
  std::fprintf(stderr, "sluice: VARCHAR column data exceeds 2 GiB in one batch\n");
  std::abort();
}

void ColumnBuilder::append_from(const Column& column, int64_t row) {
  assert(column.type() == type_);
  if (column.is_null(row)) {
    append_null();
    return;
  }
  switch (type_) {
    case DataType::kBoolean:
      append_bool(column.bool_value(row));
      break;
    case DataType::kInt32:
    case DataType::kDate:
      append_int32(column.int32_value(row));
      break;
    case DataType::kDouble:
      append_double(column.double_value(row));
      break;
    case DataType::kVarchar:
      append_string(column.string_value(row));
      break;
    case DataType::kDecimal:
      append_decimal(column.decimal_value(row));
      break;
    case DataType::kInt64:
    case DataType::kTimestamp:
    case DataType::kInterval:
      append_int64(column.int64_value(row));
      break;
  }
}

void ColumnBuilder::append_column(const Column& column) {
  assert(column.type() == type_);
  const int64_t n = column.length();
  if (n == 0) return;
  // Validity.
  if (column.null_count() > 0 && !has_validity_) materialize_validity();
  if (has_validity_) {
    validity_.resize(static_cast<size_t>(bitmap::bytes_for(length_ + n)));
    if (column.validity_buffer().empty()) {
      for (int64_t i = 0; i < n; ++i) bitmap::set(validity_.data(), length_ + i);
    } else {
      bitmap::copy(column.validity_buffer().data(), column.offset(), validity_.data(), length_, n);
    }
  }
  // Values.
  switch (type_) {
    case DataType::kBoolean:
      values_.resize(static_cast<size_t>(bitmap::bytes_for(length_ + n)));
      bitmap::copy(column.values_buffer().data(), column.offset(), values_.data(), length_, n);
      break;
    case DataType::kVarchar: {
      const int32_t* offsets = column.values<int32_t>();
      const int32_t first = offsets[0];
      const int32_t bytes = offsets[n] - first;
      if (data_.size() + static_cast<size_t>(bytes) > static_cast<size_t>(INT32_MAX))
        too_much_data();
      const auto base = static_cast<int32_t>(data_.size());
      data_.append(column.data_buffer().data() + first, static_cast<size_t>(bytes));
      values_.reserve(values_.size() + static_cast<size_t>(n) * 4);
      for (int64_t i = 1; i <= n; ++i) values_.append_value(offsets[i] - first + base);
      break;
    }
    default: {
      const auto width = static_cast<size_t>(fixed_width(type_));
      values_.append(column.values_buffer().data() + static_cast<size_t>(column.offset()) * width,
                     static_cast<size_t>(n) * width);
      break;
    }
  }
  null_count_ += column.null_count();
  length_ += n;
}

void ColumnBuilder::append_take(const Column& column, std::span<const uint32_t> rows) {
  assert(column.type() == type_);
  if (column.null_count() > 0 || type_ == DataType::kBoolean) {
    for (const uint32_t r : rows) append_from(column, r);
    return;
  }
  const auto n = static_cast<int64_t>(rows.size());
  if (has_validity_) {
    validity_.resize(static_cast<size_t>(bitmap::bytes_for(length_ + n)));
    for (int64_t i = 0; i < n; ++i) bitmap::set(validity_.data(), length_ + i);
  }
  const auto gather = [&](auto zero) {
    using T = decltype(zero);
    const size_t at = values_.size();
    values_.resize(at + rows.size() * sizeof(T));
    const T* from = column.values<T>();
    auto* to = reinterpret_cast<T*>(values_.data() + at);
    for (size_t i = 0; i < rows.size(); ++i) std::memcpy(to + i, from + rows[i], sizeof(T));
  };
  switch (type_) {
    case DataType::kVarchar: {
      const int32_t* offsets = column.values<int32_t>();
      size_t bytes = 0;
      for (const uint32_t r : rows) bytes += static_cast<size_t>(offsets[r + 1] - offsets[r]);
      if (data_.size() + bytes > static_cast<size_t>(INT32_MAX)) too_much_data();
      data_.reserve(data_.size() + bytes);
      values_.reserve(values_.size() + rows.size() * 4);
      const uint8_t* from = column.data_buffer().data();
      for (const uint32_t r : rows) {
        data_.append(from + offsets[r], static_cast<size_t>(offsets[r + 1] - offsets[r]));
        values_.append_value(static_cast<int32_t>(data_.size()));
      }
      break;
    }
    case DataType::kInt32:
    case DataType::kDate:
      gather(int32_t{});
      break;
    case DataType::kDecimal:
      gather(__int128{});
      break;
    case DataType::kBoolean:  // bits: copied one by one above
      break;
    case DataType::kInt64:
    case DataType::kDouble:
    case DataType::kTimestamp:
    case DataType::kInterval:
      gather(int64_t{});
      break;
  }
  length_ += n;
}

void ColumnBuilder::truncate(int64_t length) {
  if (length >= length_) return;
  if (has_validity_) {
    null_count_ -=
        (length_ - length) - bitmap::count_set(validity_.data(), length, length_ - length);
    validity_.resize(static_cast<size_t>(bitmap::bytes_for(length)));
  }
  switch (type_) {
    case DataType::kBoolean:
      values_.resize(static_cast<size_t>(bitmap::bytes_for(length)));
      break;
    case DataType::kVarchar: {
      int32_t end;
      std::memcpy(&end, values_.data() + static_cast<size_t>(length) * 4, 4);
      data_.resize(static_cast<size_t>(end));
      values_.resize(static_cast<size_t>(length + 1) * 4);
      break;
    }
    default:
      values_.resize(static_cast<size_t>(length) * static_cast<size_t>(fixed_width(type_)));
  }
  length_ = length;
}

Column ColumnBuilder::finish() {
  Buffer validity = has_validity_ && null_count_ > 0 ? validity_.finish() : Buffer();
  Buffer values = values_.finish();
  Buffer data = type_ == DataType::kVarchar ? data_.finish() : Buffer();
  Column out(type_, length_, null_count_, std::move(validity), std::move(values), std::move(data));
  clear();
  return out;
}

}  // namespace sluice
