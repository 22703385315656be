#pragma once
// Value: one typed, nullable scalar. Used for SQL literals, group keys, aggregate results,
// row-at-a-time APIs and test expectations; never on a per-row hot path of an operator.

#include <cstdint>
#include <string>

#include "sluice/column.h"
#include "sluice/data_type.h"

namespace sluice {

struct Value {
  DataType type = DataType::kInt64;
  bool null = true;
  bool b = false;
  int64_t i = 0;  // INT, BIGINT, TIMESTAMP and INTERVAL (µs), DATE (days)
  double d = 0;
  std::string s;
  __int128 dec = 0;  // DECIMAL: units of 10^-scale of `type`

  static Value Null(DataType t) { return Value{t, true, false, 0, 0, {}, 0}; }
  static Value Bool(bool v) { return Value{DataType::kBoolean, false, v, 0, 0, {}, 0}; }
  static Value Int32(int32_t v) { return Value{DataType::kInt32, false, false, v, 0, {}, 0}; }
  static Value Int64(int64_t v) { return Value{DataType::kInt64, false, false, v, 0, {}, 0}; }
  static Value Double(double v) { return Value{DataType::kDouble, false, false, 0, v, {}, 0}; }
  static Value Varchar(std::string v) {
    return Value{DataType::kVarchar, false, false, 0, 0, std::move(v), 0};
  }
  static Value Timestamp(int64_t v) {
    return Value{DataType::kTimestamp, false, false, v, 0, {}, 0};
  }
  static Value Interval(int64_t v) { return Value{DataType::kInterval, false, false, v, 0, {}, 0}; }
  static Value Date(int32_t days) { return Value{DataType::kDate, false, false, days, 0, {}, 0}; }
  // `type` is a DECIMAL; `units` its value in 10^-scale units.
  static Value Decimal(__int128 units, DataType type) {
    return Value{type, false, false, 0, 0, {}, units};
  }

  // Row `row` of a column.
  static Value from_column(const Column& column, int64_t row);

  // Text form used by tests and the console: NULL, 42, 1.5, 12.30, text, 2026-11-24T10:00:00Z,
  // 2024-01-31.
  std::string to_string() const;
  bool operator==(const Value& other) const;
};

class ColumnBuilder;
// Appends `v` (of the builder's type, or NULL) to a builder.
void append_value(ColumnBuilder& builder, const Value& v);

}  // namespace sluice
