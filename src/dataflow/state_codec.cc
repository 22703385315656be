#include "dataflow/state_codec.h"

#include "columnar/decimal.h"

namespace sluice::dataflow {

void StateWriter::type(DataType t) {
  u8(static_cast<uint8_t>(t.id()));
  if (t == DataType::kDecimal) {
    u8(static_cast<uint8_t>(t.precision()));
    u8(static_cast<uint8_t>(t.scale()));
  }
}

void StateWriter::value(const Value& v) {
  type(v.type);
  u8(v.null ? 1 : 0);
  if (v.null) return;
  switch (v.type) {
    case DataType::kDecimal:
      i128(v.dec);
      break;
    case DataType::kBoolean:
      u8(v.b);
      break;
    case DataType::kDouble:
      f64(v.d);
      break;
    case DataType::kVarchar:
      str(v.s);
      break;
    default:
      i64(v.i);
      break;
  }
}

void StateWriter::cell(const Column& column, int64_t row) {
  type(column.type());
  const bool null = column.is_null(row);
  u8(null ? 1 : 0);
  if (null) return;
  switch (column.type()) {
    case DataType::kDecimal:
      i128(column.decimal_value(row));
      break;
    case DataType::kBoolean:
      u8(column.bool_value(row));
      break;
    case DataType::kDouble:
      f64(column.double_value(row));
      break;
    case DataType::kVarchar:
      str(column.string_value(row));
      break;
    case DataType::kInt32:
    case DataType::kDate:
      i64(column.int32_value(row));
      break;
    default:
      i64(column.int64_value(row));
      break;
  }
}

Status StateReader::short_of(size_t n) const {
  return Status(ErrorCode::kDataCorrupt, "state is damaged: " + std::to_string(n) +
                                             " bytes needed at byte " + std::to_string(pos_) +
                                             ", " + std::to_string(in_.size() - pos_) + " left");
}

Status StateReader::count(int64_t& n, size_t min_bytes) {
  const size_t at = pos_;
  SLC_RETURN_IF_ERROR(i64(n));
  if (n < 0 || static_cast<uint64_t>(n) > remaining() / min_bytes) {
    return Status(ErrorCode::kDataCorrupt, "state is damaged: a count of " + std::to_string(n) +
                                               " at byte " + std::to_string(at) + ", with " +
                                               std::to_string(remaining()) + " bytes left");
  }
  return Status::Ok();
}

Status StateReader::u8(uint8_t& v) {
  SLC_RETURN_IF_ERROR(need(1));
  v = static_cast<uint8_t>(in_[pos_++]);
  return Status::Ok();
}

Status StateReader::i64(int64_t& v) {
  SLC_RETURN_IF_ERROR(need(8));
  std::memcpy(&v, in_.data() + pos_, 8);
  pos_ += 8;
  return Status::Ok();
}

Status StateReader::f64(double& v) {
  SLC_RETURN_IF_ERROR(need(8));
  std::memcpy(&v, in_.data() + pos_, 8);
  pos_ += 8;
  return Status::Ok();
}

Status StateReader::i128(__int128& v) {
  SLC_RETURN_IF_ERROR(need(16));
  std::memcpy(&v, in_.data() + pos_, 16);
  pos_ += 16;
  return Status::Ok();
}

Status StateReader::str(std::string& s) {
  std::string_view v;
  SLC_RETURN_IF_ERROR(str_view(v));
  s.assign(v);
  return Status::Ok();
}

Status StateReader::str_view(std::string_view& s) {
  int64_t n;
  SLC_RETURN_IF_ERROR(count(n, 1));
  s = in_.substr(pos_, static_cast<size_t>(n));
  pos_ += static_cast<size_t>(n);
  return Status::Ok();
}

Status StateReader::type(DataType& t) {
  const size_t at = pos_;
  uint8_t id;
  SLC_RETURN_IF_ERROR(u8(id));
  if (id > kLastTypeId) {
    return Status(ErrorCode::kDataCorrupt, "state is damaged: an unknown type tag " +
                                               std::to_string(id) + " at byte " +
                                               std::to_string(at));
  }
  t = DataType(static_cast<TypeId>(id));
  if (t == DataType::kDecimal) {
    uint8_t precision, scale;
    SLC_RETURN_IF_ERROR(u8(precision));
    SLC_RETURN_IF_ERROR(u8(scale));
    if (std::string why = check_decimal(precision, scale); !why.empty()) {
      return Status(ErrorCode::kDataCorrupt,
                    "state is damaged: " + why + " at byte " + std::to_string(at));
    }
    t = DataType::Decimal(precision, scale);
  }
  return Status::Ok();
}

Status StateReader::check_payload(DataType t, size_t at) const {
  switch (t.id()) {
    case TypeId::kDecimal: {
      __int128 dec;
      std::memcpy(&dec, in_.data() + at, sizeof dec);
      if (!decimal::fits(dec, t.precision())) {
        return Status(ErrorCode::kDataCorrupt, "state is damaged: a decimal out of " +
                                                   type_name(t) + " at byte " + std::to_string(at));
      }
      return Status::Ok();
    }
    case TypeId::kDate: {
      int64_t days;
      std::memcpy(&days, in_.data() + at, sizeof days);
      if (days < INT32_MIN || days > INT32_MAX) {
        return Status(ErrorCode::kDataCorrupt,
                      "state is damaged: a date out of range at byte " + std::to_string(at));
      }
      return Status::Ok();
    }
    default:
      return Status::Ok();
  }
}

Status StateReader::value(Value& v) {
  DataType t;
  uint8_t null;
  SLC_RETURN_IF_ERROR(type(t));
  SLC_RETURN_IF_ERROR(u8(null));
  v = Value::Null(t);
  if (null) return Status::Ok();
  v.null = false;
  switch (v.type) {
    case DataType::kDecimal:
      SLC_RETURN_IF_ERROR(need(16));
      SLC_RETURN_IF_ERROR(check_payload(t, pos_));
      return i128(v.dec);
    case DataType::kDate:
      SLC_RETURN_IF_ERROR(need(8));
      SLC_RETURN_IF_ERROR(check_payload(t, pos_));
      return i64(v.i);
    case DataType::kBoolean: {
      uint8_t b;
      SLC_RETURN_IF_ERROR(u8(b));
      v.b = b != 0;
      return Status::Ok();
    }
    case DataType::kDouble:
      return f64(v.d);
    case DataType::kVarchar:
      return str(v.s);
    default:
      return i64(v.i);
  }
}

Status StateReader::append_to(ColumnBuilder& to) {
  const size_t at = pos_;
  DataType t;
  uint8_t null;
  SLC_RETURN_IF_ERROR(type(t));
  SLC_RETURN_IF_ERROR(u8(null));
  if (t.id() != to.type().id()) {
    return Status(ErrorCode::kDataCorrupt, "state is damaged: a value of type " + type_name(t) +
                                               " where " + type_name(to.type()) +
                                               " belongs, at byte " + std::to_string(at));
  }
  if (null) {
    to.append_null();
    return Status::Ok();
  }
  switch (t.id()) {
    case TypeId::kDecimal: {
      __int128 v;
      SLC_RETURN_IF_ERROR(need(16));
      SLC_RETURN_IF_ERROR(check_payload(t, pos_));
      SLC_RETURN_IF_ERROR(i128(v));
      to.append_decimal(v);
      return Status::Ok();
    }
    case TypeId::kBoolean: {
      uint8_t b;
      SLC_RETURN_IF_ERROR(u8(b));
      to.append_bool(b != 0);
      return Status::Ok();
    }
    case TypeId::kDouble: {
      double v;
      SLC_RETURN_IF_ERROR(f64(v));
      to.append_double(v);
      return Status::Ok();
    }
    case TypeId::kVarchar: {
      std::string_view s;
      SLC_RETURN_IF_ERROR(str_view(s));
      to.append_string(s);
      return Status::Ok();
    }
    case TypeId::kInt32:
    case TypeId::kDate: {
      int64_t v;
      SLC_RETURN_IF_ERROR(need(8));
      SLC_RETURN_IF_ERROR(check_payload(t, pos_));
      SLC_RETURN_IF_ERROR(i64(v));
      to.append_int32(static_cast<int32_t>(v));
      return Status::Ok();
    }
    default: {
      int64_t v;
      SLC_RETURN_IF_ERROR(i64(v));
      to.append_int64(v);
      return Status::Ok();
    }
  }
}

// Inlined into skip_values(), its one loop.
[[gnu::always_inline]] inline Status StateReader::skip_value() {
  DataType t;
  uint8_t null;
  SLC_RETURN_IF_ERROR(type(t));
  SLC_RETURN_IF_ERROR(u8(null));
  if (null) return Status::Ok();
  size_t width;
  switch (t.id()) {
    case TypeId::kDecimal:
      width = 16;
      break;
    case TypeId::kBoolean:
      width = 1;
      break;
    case TypeId::kVarchar: {
      int64_t n;
      SLC_RETURN_IF_ERROR(count(n, 1));
      width = static_cast<size_t>(n);
      break;
    }
    default:
      width = 8;
      break;
  }
  SLC_RETURN_IF_ERROR(need(width));
  SLC_RETURN_IF_ERROR(check_payload(t, pos_));
  pos_ += width;
  return Status::Ok();
}

Status StateReader::skip_values(int64_t n) {
  for (int64_t i = 0; i < n; ++i) SLC_RETURN_IF_ERROR(skip_value());
  return Status::Ok();
}

}  // namespace sluice::dataflow
