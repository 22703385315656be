// CAST: one value (cast_value, also used by the binder's constant folding) and a whole column
// (with fast paths for the widening casts the binder inserts).

#include "sql/kernels.h"

#include <charconv>
#include <cmath>
#include <string>

#include "columnar/decimal.h"
#include "columnar/timestamp.h"
#include "columnar/value_parse.h"
#include "sluice/column_builder.h"
#include "sql/kernel_support.h"

namespace sluice::sql {
namespace {

Status cast_error(const Value& v, DataType to, std::string_view why = {}) {
  std::string msg = "cannot cast " + std::string(type_name(v.type)) + " '" + v.to_string() +
                    "' to " + std::string(type_name(to));
  if (!why.empty()) msg += ": " + std::string(why);
  return Status(ErrorCode::kValueConversion, std::move(msg));
}

// Every number and text to DECIMAL(p, s): exact where the source is, rounded half away from
// zero at the scale otherwise; too many integer digits for p is SLC-0006 (out of range).
Result<Value> cast_to_decimal(const Value& v, DataType to) {
  decimal::int128 out = 0;
  switch (v.type) {
    case DataType::kInt32:
    case DataType::kInt64:
      if (!decimal::from_integer(v.i, to, out)) return decimal::overflow(v.to_string(), to);
      return Value::Decimal(out, to);
    case DataType::kDecimal:
      if (!decimal::rescale(v.dec, v.type.scale(), to.scale(), out) ||
          !decimal::fits(out, to.precision())) {
        return decimal::overflow(v.to_string(), to);
      }
      return Value::Decimal(out, to);
    case DataType::kDouble:
      if (!std::isfinite(v.d)) return cast_error(v, to, "not a finite number");
      if (!decimal::from_double(v.d, to, out)) return decimal::overflow(v.to_string(), to);
      return Value::Decimal(out, to);
    case DataType::kVarchar: {
      auto parsed = decimal::parse(v.s, to);
      if (!parsed.ok()) return parsed.status();
      return Value::Decimal(*parsed, to);
    }
    default:
      return cast_error(v, to);
  }
}

}  // namespace

Result<Value> cast_value(const Value& v, DataType to) {
  if (v.null) return Value::Null(to);
  if (v.type == to) return v;
  switch (to) {
    case DataType::kVarchar:
      return Value::Varchar(v.to_string());
    case DataType::kBoolean:
      if (v.type == DataType::kVarchar) {
        bool b;
        if (Status s = parse_bool(v.s, b); !s.ok()) return cast_error(v, to);
        return Value::Bool(b);
      }
      if (v.type == DataType::kInt32 || v.type == DataType::kInt64) return Value::Bool(v.i != 0);
      return cast_error(v, to);
    case DataType::kInt32:
    case DataType::kInt64: {
      int64_t x;
      switch (v.type) {
        case DataType::kBoolean:
          x = v.b;
          break;
        case DataType::kInt32:
        case DataType::kInt64:
          x = v.i;
          break;
        case DataType::kDouble:
          if (!(std::fabs(v.d) < 9.2e18)) return cast_error(v, to, "out of range");
          // Half to even, as PostgreSQL and DuckDB cast a DOUBLE (rint): 2.5 → 2, 3.5 → 4.
          x = static_cast<int64_t>(std::nearbyint(v.d));
          break;
        case DataType::kVarchar:
          if (Status s = parse_int64(v.s, x); !s.ok()) return cast_error(v, to);
          break;
        case DataType::kTimestamp: {  // epoch milliseconds
          x = v.i / 1000;
          if (v.i % 1000 < 0) --x;
          break;
        }
        case DataType::kDecimal:  // rounded half away from zero, as PostgreSQL's numeric
          if (!decimal::to_integer(v.dec, v.type.scale(), x)) {
            return cast_error(v, to, "out of range");
          }
          break;
        default:
          return cast_error(v, to);
      }
      if (to == DataType::kInt32) {
        if (x < INT32_MIN || x > INT32_MAX) return cast_error(v, to, "out of range for INT");
        return Value::Int32(static_cast<int32_t>(x));
      }
      return Value::Int64(x);
    }
    case DataType::kDouble:
      switch (v.type) {
        case DataType::kBoolean:
          return Value::Double(v.b);
        case DataType::kInt32:
        case DataType::kInt64:
          return Value::Double(static_cast<double>(v.i));
        case DataType::kVarchar: {
          double d;
          if (Status s = parse_double(v.s, d); !s.ok()) return cast_error(v, to);
          return Value::Double(d);
        }
        case DataType::kDecimal:
          return Value::Double(decimal::to_double(v.dec, v.type.scale()));
        default:
          return cast_error(v, to);
      }
    case DataType::kTimestamp:
      if (v.type == DataType::kVarchar) {
        auto t = parse_timestamp(v.s);
        if (!t.ok()) return cast_error(v, to, t.status().message());
        return Value::Timestamp(*t);
      }
      if (v.type == DataType::kInt32 || v.type == DataType::kInt64) {  // epoch milliseconds
        if (v.i > INT64_MAX / 1000 || v.i < INT64_MIN / 1000)
          return cast_error(v, to, "out of range");
        return Value::Timestamp(v.i * 1000);
      }
      if (v.type == DataType::kDate) return Value::Timestamp(v.i * kMicrosPerDay);  // midnight
      return cast_error(v, to);
    case DataType::kInterval:
      return cast_error(v, to, "write an INTERVAL literal such as INTERVAL '5' SECOND");
    case DataType::kDecimal:
      return cast_to_decimal(v, to);
    case DataType::kDate:
      if (v.type == DataType::kVarchar) {
        auto d = parse_date(v.s);
        if (!d.ok()) return cast_error(v, to, d.status().message());
        return Value::Date(*d);
      }
      if (v.type == DataType::kTimestamp) {  // the day the instant falls on, in UTC
        int64_t days, micros_of_day;
        split_days(v.i, days, micros_of_day);
        return Value::Date(static_cast<int32_t>(days));
      }
      return cast_error(v, to);
  }
  return cast_error(v, to);
}

namespace kernel {

Result<Column> cast(const BoundExpr& e, const std::vector<Datum>& args, int64_t n) {
  const Datum& a = args[0];
  const DataType from = a.column.type();
  // Fast paths for the casts the binder inserts implicitly.
  if (e.type == DataType::kDouble && (from == DataType::kInt32 || from == DataType::kInt64)) {
    FixedOut<double> out(n);
    for (int64_t i = 0; i < n; ++i) {
      if (a.is_null(i)) {
        out.set_null(i);
      } else {
        out.set(i, from == DataType::kInt32 ? read<int32_t>(a, i)
                                            : static_cast<double>(read<int64_t>(a, i)));
      }
    }
    return out.finish(e.type);
  }
  if (e.type == DataType::kInt64 && from == DataType::kInt32) {
    FixedOut<int64_t> out(n);
    for (int64_t i = 0; i < n; ++i)
      a.is_null(i) ? out.set_null(i) : out.set(i, read<int32_t>(a, i));
    return out.finish(e.type);
  }
  // Integers to DECIMAL (what the binder inserts beside a DECIMAL): no Value per row.
  if (e.type == DataType::kDecimal && (from == DataType::kInt32 || from == DataType::kInt64)) {
    FixedOut<decimal::int128> out(n);
    for (int64_t i = 0; i < n; ++i) {
      if (a.is_null(i)) {
        out.set_null(i);
        continue;
      }
      const int64_t x = from == DataType::kInt32 ? read<int32_t>(a, i) : read<int64_t>(a, i);
      decimal::int128 v;
      if (!decimal::from_integer(x, e.type, v)) return decimal::overflow(std::to_string(x), e.type);
      out.set(i, v);
    }
    return out.finish(e.type);
  }
  ColumnBuilder out(e.type);
  out.reserve(n);
  for (int64_t i = 0; i < n; ++i) {
    SLC_ASSIGN_OR_RETURN(Value v, cast_value(Value::from_column(a.column, a.index(i)), e.type));
    append_value(out, v);
  }
  return out.finish();
}

}  // namespace kernel
}  // namespace sluice::sql
