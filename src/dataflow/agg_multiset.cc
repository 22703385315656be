#include "dataflow/agg_multiset.h"

#include <bit>
#include <cmath>
#include <limits>

namespace sluice::dataflow {

namespace {

// Big-endian, so that byte order is numeric order of the unsigned value.
template <typename U>
void put_big_endian(std::string& out, U v) {
  for (int shift = static_cast<int>(sizeof(U) * 8) - 8; shift >= 0; shift -= 8) {
    out.push_back(static_cast<char>(static_cast<uint8_t>(v >> shift)));
  }
}

template <typename U>
U get_big_endian(std::string_view in) {
  U v = 0;
  for (size_t i = 0; i < sizeof(U) && i < in.size(); ++i) {
    v = static_cast<U>((v << 8) | static_cast<uint8_t>(in[i]));
  }
  return v;
}

// Signed integers with the sign bit flipped order as unsigned ones.
constexpr uint64_t kSign64 = uint64_t{1} << 63;
constexpr uint32_t kSign32 = uint32_t{1} << 31;
using u128 = unsigned __int128;
constexpr u128 kSign128 = u128{1} << 127;

// A double's bits ordered as unsigned: negatives reversed below the positives.
uint64_t ordered_bits(double d) {
  if (d == 0) d = 0;                                                // -0.0 is 0.0
  if (std::isnan(d)) d = std::numeric_limits<double>::quiet_NaN();  // one NaN, above +inf
  const auto bits = std::bit_cast<uint64_t>(d);
  return (bits & kSign64) ? ~bits : bits | kSign64;
}

double from_ordered_bits(uint64_t u) {
  return std::bit_cast<double>((u & kSign64) ? u & ~kSign64 : ~u);
}

}  // namespace

void ValueMultiset::encode(std::string& out, const Column& column, int64_t row) {
  switch (column.type()) {
    case DataType::kBoolean:
      out.push_back(column.bool_value(row) ? '\1' : '\0');
      return;
    case DataType::kInt32:
    case DataType::kDate:
      put_big_endian(out, static_cast<uint32_t>(column.int32_value(row)) ^ kSign32);
      return;
    case DataType::kDouble:
      put_big_endian(out, ordered_bits(column.double_value(row)));
      return;
    case DataType::kDecimal:
      put_big_endian(out, static_cast<u128>(column.decimal_value(row)) ^ kSign128);
      return;
    case DataType::kVarchar:
      out.append(column.string_value(row));
      return;
    case DataType::kInt64:
    case DataType::kTimestamp:
    case DataType::kInterval:
      put_big_endian(out, static_cast<uint64_t>(column.int64_value(row)) ^ kSign64);
      return;
  }
}

void ValueMultiset::decode_into(ColumnBuilder& out, DataType type, std::string_view encoded) {
  switch (type) {
    case DataType::kBoolean:
      out.append_bool(!encoded.empty() && encoded[0] != 0);
      return;
    case DataType::kInt32:
    case DataType::kDate:
      out.append_int32(static_cast<int32_t>(get_big_endian<uint32_t>(encoded) ^ kSign32));
      return;
    case DataType::kDouble:
      out.append_double(from_ordered_bits(get_big_endian<uint64_t>(encoded)));
      return;
    case DataType::kDecimal:
      out.append_decimal(static_cast<__int128>(get_big_endian<u128>(encoded) ^ kSign128));
      return;
    case DataType::kVarchar:
      out.append_string(encoded);
      return;
    case DataType::kInt64:
    case DataType::kTimestamp:
    case DataType::kInterval:
      out.append_int64(static_cast<int64_t>(get_big_endian<uint64_t>(encoded) ^ kSign64));
      return;
  }
}

void ValueMultiset::add(std::string_view encoded) {
  auto it = values_.find(encoded);
  if (it == values_.end()) {
    values_.emplace(std::string(encoded), 1);
  } else {
    ++it->second;
  }
}

bool ValueMultiset::remove(std::string_view encoded) {
  auto it = values_.find(encoded);
  if (it == values_.end()) return false;
  if (--it->second == 0) values_.erase(it);
  return true;
}

size_t ValueMultiset::bytes() const {
  // A tree node (three pointers and a color, padded), its key and count; a long key's heap.
  constexpr size_t kNode = 32 + sizeof(std::string) + sizeof(int64_t);
  size_t n = sizeof(*this) + values_.size() * kNode;
  for (const auto& [value, count] : values_) {
    if (value.size() >= sizeof(std::string)) n += value.capacity() + 1;
  }
  return n;
}

void ValueMultiset::write(StateWriter& w) const {
  w.i64(static_cast<int64_t>(values_.size()));
  for (const auto& [value, count] : values_) {
    w.str(value);
    w.i64(count);
  }
}

Status ValueMultiset::read(StateReader& r) {
  values_.clear();
  int64_t n;
  SLC_RETURN_IF_ERROR(r.count(n, 16));  // a length and a count each
  std::string value;
  for (int64_t i = 0; i < n; ++i) {
    int64_t count;
    SLC_RETURN_IF_ERROR(r.str(value));
    SLC_RETURN_IF_ERROR(r.i64(count));
    if (count <= 0) {
      return Status(ErrorCode::kDataCorrupt, "aggregate state is damaged: a value held by " +
                                                 std::to_string(count) +
                                                 " rows in a MIN/MAX/COUNT(DISTINCT) set");
    }
    // Written in order: a damaged order (or a repeated value) fails here, never misorders.
    if (!values_.empty() && !(values_.rbegin()->first < value)) {
      return Status(ErrorCode::kDataCorrupt,
                    "aggregate state is damaged: a MIN/MAX/COUNT(DISTINCT) set out of order");
    }
    values_.emplace_hint(values_.end(), value, count);
  }
  return Status::Ok();
}

}  // namespace sluice::dataflow
