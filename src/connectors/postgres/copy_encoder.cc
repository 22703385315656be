#include "connectors/postgres/copy_encoder.h"

#include <bit>
#include <cstring>
#include <string>

#include "columnar/decimal.h"

namespace sluice::connectors::postgres {
namespace {

// Appends big-endian integers through a raw cursor: the buffer is sized once per batch.
inline char* put16(char* p, uint16_t v) {
  if constexpr (std::endian::native == std::endian::little) v = std::byteswap(v);
  std::memcpy(p, &v, 2);
  return p + 2;
}
inline char* put32(char* p, uint32_t v) {
  if constexpr (std::endian::native == std::endian::little) v = std::byteswap(v);
  std::memcpy(p, &v, 4);
  return p + 4;
}
inline char* put64(char* p, uint64_t v) {
  if constexpr (std::endian::native == std::endian::little) v = std::byteswap(v);
  std::memcpy(p, &v, 8);
  return p + 8;
}

// Bytes of one field (length word included) for fixed-width wire types.
size_t fixed_field_bytes(WireType w) {
  switch (w) {
    case WireType::kBool:
      return 4 + 1;
    case WireType::kInt4:
      return 4 + 4;
    case WireType::kInt8:
    case WireType::kFloat8:
    case WireType::kTimestamp:
      return 4 + 8;
    case WireType::kInterval:
      return 4 + 16;
    case WireType::kText:
      return 4;
    case WireType::kDate:
      return 4 + 4;
    case WireType::kNumeric:  // at most: a header and 11 base-10000 digits for 38 decimal ones
      return 4 + 8 + 2 * 12;
  }
  return 4;
}

// PostgreSQL's binary numeric (numeric_recv): ndigits, weight (the power of 10000 of the first
// digit), sign, display scale, then the base-10000 digits, most significant first, with no
// leading or trailing zero digits. Built from the decimal text, so it is exact.
char* put_numeric(char* p, __int128 v, int scale) {
  std::string text;
  decimal::append(v < 0 ? -v : v, scale, text);
  const size_t point = scale > 0 ? text.size() - static_cast<size_t>(scale) - 1 : text.size();
  std::string int_part = text.substr(0, point);
  std::string frac_part = scale > 0 ? text.substr(point + 1) : std::string();
  int_part.insert(0, (4 - int_part.size() % 4) % 4, '0');
  frac_part.append((4 - frac_part.size() % 4) % 4, '0');
  const std::string all = int_part + frac_part;
  uint16_t digits[16];
  int n = 0;
  for (size_t i = 0; i < all.size(); i += 4) {
    digits[n++] = static_cast<uint16_t>((all[i] - '0') * 1000 + (all[i + 1] - '0') * 100 +
                                        (all[i + 2] - '0') * 10 + (all[i + 3] - '0'));
  }
  int weight = static_cast<int>(int_part.size() / 4) - 1;
  int first = 0;
  while (first < n && digits[first] == 0) {
    ++first;
    --weight;
  }
  while (n > first && digits[n - 1] == 0) --n;
  const int ndigits = n - first;
  if (ndigits == 0) weight = 0;
  p = put32(p, static_cast<uint32_t>(8 + 2 * ndigits));
  p = put16(p, static_cast<uint16_t>(ndigits));
  p = put16(p, static_cast<uint16_t>(static_cast<int16_t>(weight)));
  p = put16(p, v < 0 ? 0x4000 : 0x0000);
  p = put16(p, static_cast<uint16_t>(scale));
  for (int i = first; i < n; ++i) p = put16(p, digits[i]);
  return p;
}

}  // namespace

CopyEncoder::CopyEncoder(std::vector<CopyColumn> columns, int op_column, bool stage)
    : columns_(std::move(columns)), op_column_(op_column), stage_(stage) {}

std::string_view CopyEncoder::header() {
  // Signature, flags (no OIDs), header extension length.
  static constexpr char kHeader[] = "PGCOPY\n\377\r\n\0\0\0\0\0\0\0\0\0";
  return {kHeader, 19};
}

std::string_view CopyEncoder::trailer() {
  static constexpr char kTrailer[] = "\377\377";
  return {kTrailer, 2};
}

WireType default_wire_type(DataType type) {
  switch (type) {
    case DataType::kBoolean:
      return WireType::kBool;
    case DataType::kInt32:
      return WireType::kInt4;
    case DataType::kInt64:
      return WireType::kInt8;
    case DataType::kDouble:
      return WireType::kFloat8;
    case DataType::kVarchar:
      return WireType::kText;
    case DataType::kTimestamp:
      return WireType::kTimestamp;
    case DataType::kInterval:
      return WireType::kInterval;
    case DataType::kDecimal:
      return WireType::kNumeric;
    case DataType::kDate:
      return WireType::kDate;
  }
  return WireType::kText;
}

int64_t CopyEncoder::encode(const RecordBatch& batch, std::string& out, int64_t& next_seq) const {
  const int64_t rows = batch.num_rows();
  int64_t deletes = 0;
  if (rows == 0) return deletes;
  // Size the output once: fixed fields exactly, text by its byte count.
  size_t per_row = 2 + (stage_ ? (4 + 8) + (4 + 1) : 0);
  size_t text_bytes = 0;
  for (const CopyColumn& c : columns_) {
    per_row += fixed_field_bytes(c.wire);
    if (c.wire == WireType::kText) {
      const Column& col = batch.column(c.input);
      const int32_t* offsets = col.values<int32_t>();
      text_bytes += static_cast<size_t>(offsets[rows] - offsets[0]);
    }
  }
  const size_t start = out.size();
  out.resize(start + per_row * static_cast<size_t>(rows) + text_bytes);
  char* p = out.data() + start;
  const uint16_t fields = static_cast<uint16_t>(columns_.size() + (stage_ ? 2 : 0));
  const Column* op = op_column_ >= 0 ? &batch.column(op_column_) : nullptr;
  for (int64_t r = 0; r < rows; ++r) {
    p = put16(p, fields);
    for (const CopyColumn& c : columns_) {
      const Column& col = batch.column(c.input);
      if (col.is_null(r)) {
        p = put32(p, 0xFFFFFFFFu);
        continue;
      }
      switch (c.wire) {
        case WireType::kBool:
          p = put32(p, 1);
          *p++ = col.bool_value(r) ? 1 : 0;
          break;
        case WireType::kInt4:
          p = put32(p, 4);
          p = put32(p, static_cast<uint32_t>(col.int32_value(r)));
          break;
        case WireType::kInt8: {
          const int64_t v =
              col.type() == DataType::kInt32 ? int64_t{col.int32_value(r)} : col.int64_value(r);
          p = put32(p, 8);
          p = put64(p, static_cast<uint64_t>(v));
          break;
        }
        case WireType::kFloat8:
          p = put32(p, 8);
          p = put64(p, std::bit_cast<uint64_t>(col.double_value(r)));
          break;
        case WireType::kText: {
          const std::string_view s = col.string_value(r);
          p = put32(p, static_cast<uint32_t>(s.size()));
          std::memcpy(p, s.data(), s.size());
          p += s.size();
          break;
        }
        case WireType::kTimestamp:
          p = put32(p, 8);
          p = put64(p, static_cast<uint64_t>(col.int64_value(r) - kPostgresEpochShiftMicros));
          break;
        case WireType::kInterval:
          p = put32(p, 16);
          p = put64(p, static_cast<uint64_t>(col.int64_value(r)));
          p = put32(p, 0);  // days
          p = put32(p, 0);  // months
          break;
        case WireType::kNumeric:
          p = put_numeric(p, col.decimal_value(r), col.type().scale());
          break;
        case WireType::kDate:
          p = put32(p, 4);
          p = put32(p, static_cast<uint32_t>(col.int32_value(r) - kPostgresEpochShiftDays));
          break;
      }
    }
    if (stage_) {
      p = put32(p, 8);
      p = put64(p, static_cast<uint64_t>(next_seq++));
      const bool is_delete = op != nullptr && !op->is_null(r) && op->string_value(r) == "delete";
      deletes += is_delete ? 1 : 0;
      p = put32(p, 1);
      *p++ = is_delete ? 1 : 0;
    }
  }
  // A NULL takes only its length word: trim what was reserved for the values.
  out.resize(static_cast<size_t>(p - out.data()));
  return deletes;
}

}  // namespace sluice::connectors::postgres
