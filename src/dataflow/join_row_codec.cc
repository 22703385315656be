#include "dataflow/join_row_codec.h"

#include <cstring>

namespace sluice::dataflow {

namespace {

// Bytes of a value of `type` after its flag (VARCHAR: its length prefix).
size_t encoded_width(DataType type) {
  if (type == DataType::kBoolean) return 1;
  if (type == DataType::kVarchar) return 4;
  return static_cast<size_t>(fixed_width(type));
}

template <typename T>
T load(const char* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

template <typename T>
void store(std::string& out, T v) {
  out.append(reinterpret_cast<const char*>(&v), sizeof v);
}

}  // namespace

JoinRowCodec::JoinRowCodec(std::vector<int> columns, std::vector<DataType> types)
    : columns_(std::move(columns)), types_(std::move(types)) {}

JoinRowCodec JoinRowCodec::for_schema(const Schema& schema, int drop_trailing) {
  std::vector<int> columns;
  std::vector<DataType> types;
  for (int c = 0; c < schema.num_fields() - drop_trailing; ++c) {
    columns.push_back(c);
    types.push_back(schema.field(c).type);
  }
  return JoinRowCodec(std::move(columns), std::move(types));
}

void JoinRowCodec::encode(const RecordBatch& batch, int64_t row, std::string& out) const {
  for (size_t i = 0; i < columns_.size(); ++i) {
    const Column& col = batch.column(columns_[i]);
    if (col.is_null(row)) {
      out.push_back('\0');
      continue;
    }
    out.push_back('\1');
    switch (types_[i]) {
      case DataType::kBoolean:
        out.push_back(col.bool_value(row) ? '\1' : '\0');
        break;
      case DataType::kInt32:
      case DataType::kDate:
        store<int32_t>(out, col.int32_value(row));
        break;
      case DataType::kDouble:
        store<double>(out, col.double_value(row));
        break;
      case DataType::kDecimal:
        store<__int128>(out, col.decimal_value(row));
        break;
      case DataType::kVarchar: {
        const std::string_view s = col.string_value(row);
        store<uint32_t>(out, static_cast<uint32_t>(s.size()));
        out.append(s);
        break;
      }
      default:
        store<int64_t>(out, col.int64_value(row));
    }
  }
}

void JoinRowCodec::decode(std::string_view bytes, BatchBuilder& out, int first) const {
  const char* p = bytes.data();
  for (size_t i = 0; i < types_.size(); ++i) {
    ColumnBuilder& b = out.column(first + static_cast<int>(i));
    if (*p++ == '\0') {
      b.append_null();
      continue;
    }
    switch (types_[i]) {
      case DataType::kBoolean:
        b.append_bool(*p != '\0');
        break;
      case DataType::kInt32:
      case DataType::kDate:
        b.append_int32(load<int32_t>(p));
        break;
      case DataType::kDouble:
        b.append_double(load<double>(p));
        break;
      case DataType::kDecimal:
        b.append_decimal(load<__int128>(p));
        break;
      case DataType::kVarchar: {
        const auto n = load<uint32_t>(p);
        b.append_string(std::string_view(p + 4, n));
        p += n;
        break;
      }
      default:
        b.append_int64(load<int64_t>(p));
    }
    p += encoded_width(types_[i]);
  }
}

void JoinRowCodec::append_nulls(BatchBuilder& out, int first) const {
  for (size_t i = 0; i < types_.size(); ++i) out.column(first + static_cast<int>(i)).append_null();
}

bool JoinRowCodec::valid(std::string_view bytes) const {
  size_t at = 0;
  for (const DataType type : types_) {
    if (at >= bytes.size()) return false;
    const char flag = bytes[at++];
    if (flag == '\0') continue;
    if (flag != '\1') return false;
    const size_t w = encoded_width(type);
    if (bytes.size() - at < w) return false;
    if (type == DataType::kVarchar) {
      const auto n = load<uint32_t>(bytes.data() + at);
      if (bytes.size() - at - w < n) return false;
      at += n;
    }
    at += w;
  }
  return at == bytes.size();
}

}  // namespace sluice::dataflow
