#include "sluice/value.h"

#include <charconv>
#include <cmath>

#include "columnar/decimal.h"
#include "columnar/timestamp.h"
#include "sluice/column_builder.h"

namespace sluice {

Value Value::from_column(const Column& column, int64_t row) {
  if (column.is_null(row)) return Null(column.type());
  switch (column.type()) {
    case DataType::kBoolean:
      return Bool(column.bool_value(row));
    case DataType::kInt32:
      return Int32(column.int32_value(row));
    case DataType::kInt64:
      return Int64(column.int64_value(row));
    case DataType::kDouble:
      return Double(column.double_value(row));
    case DataType::kVarchar:
      return Varchar(std::string(column.string_value(row)));
    case DataType::kTimestamp:
      return Timestamp(column.int64_value(row));
    case DataType::kInterval:
      return Interval(column.int64_value(row));
    case DataType::kDecimal:
      return Decimal(column.decimal_value(row), column.type());
    case DataType::kDate:
      return Date(column.int32_value(row));
  }
  return Null(column.type());
}

std::string Value::to_string() const {
  if (null) return "NULL";
  std::string out;
  switch (type) {
    case DataType::kBoolean:
      return b ? "true" : "false";
    case DataType::kInt32:
    case DataType::kInt64:
      return std::to_string(i);
    case DataType::kDouble: {
      if (std::isnan(d)) return "NaN";
      if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
      char buf[32];
      auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d);
      return std::string(buf, end);
    }
    case DataType::kVarchar:
      return s;
    case DataType::kTimestamp:
      append_timestamp(i, out);
      return out;
    case DataType::kInterval:
      append_interval(i, out);
      return out;
    case DataType::kDecimal:
      decimal::append(dec, type.scale(), out);
      return out;
    case DataType::kDate:
      append_date(i, out);
      return out;
  }
  return out;
}

bool Value::operator==(const Value& o) const {
  if (type != o.type || null != o.null) return false;
  if (null) return true;
  switch (type) {
    case DataType::kBoolean:
      return b == o.b;
    case DataType::kDouble:
      return d == o.d || (std::isnan(d) && std::isnan(o.d));
    case DataType::kVarchar:
      return s == o.s;
    case DataType::kDecimal:
      return dec == o.dec;
    default:
      return i == o.i;
  }
}

void append_value(ColumnBuilder& builder, const Value& v) {
  if (v.null) {
    builder.append_null();
    return;
  }
  switch (builder.type()) {
    case DataType::kBoolean:
      builder.append_bool(v.b);
      break;
    case DataType::kInt32:
    case DataType::kDate:
      builder.append_int32(static_cast<int32_t>(v.i));
      break;
    case DataType::kDecimal:
      builder.append_decimal(v.dec);
      break;
    case DataType::kDouble:
      builder.append_double(v.d);
      break;
    case DataType::kVarchar:
      builder.append_string(v.s);
      break;
    default:
      builder.append_int64(v.i);
      break;
  }
}

}  // namespace sluice
