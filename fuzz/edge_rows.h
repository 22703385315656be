#pragma once
// edge_rows(schema): a few rows of edge values for any schema — type limits, zero, -0.0, NaN,
// ±infinity, empty and non-ASCII strings, timestamps far from now, NULLs where allowed — so a
// target that builds queries (sql) or restores state (state) also runs them on values that
// stress every kernel and window computation.

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "sluice/batch_builder.h"
#include "sluice/value.h"

namespace sluice::fuzz {

inline std::vector<Value> edge_values(DataType type) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  constexpr int64_t kNov24 = 1795514400000000;  // 2026-11-24T10:00:00Z in µs
  switch (type) {
    case DataType::kBoolean:
      return {Value::Bool(true), Value::Bool(false)};
    case DataType::kInt32:
      return {Value::Int32(0), Value::Int32(1), Value::Int32(-1),
              Value::Int32(std::numeric_limits<int32_t>::max()),
              Value::Int32(std::numeric_limits<int32_t>::min())};
    case DataType::kInt64:
      return {Value::Int64(0), Value::Int64(1), Value::Int64(-1), Value::Int64(kMax),
              Value::Int64(kMin)};
    case DataType::kDouble:
      return {Value::Double(0),
              Value::Double(-0.0),
              Value::Double(1.5),
              Value::Double(1e308),
              Value::Double(-1e308),
              Value::Double(std::nan("")),
              Value::Double(std::numeric_limits<double>::infinity()),
              Value::Double(-std::numeric_limits<double>::infinity())};
    case DataType::kVarchar:
      return {Value::Varchar(""), Value::Varchar("a"), Value::Varchar("Zürich"),
              Value::Varchar("%_\\'\"")};
    case DataType::kTimestamp:
      return {Value::Timestamp(kNov24), Value::Timestamp(kNov24 + 61000000),
              Value::Timestamp(0),      Value::Timestamp(-1),
              Value::Timestamp(kMax),   Value::Timestamp(kMin)};
    case DataType::kInterval:
      return {Value::Interval(0), Value::Interval(1000000), Value::Interval(-1),
              Value::Interval(kMax), Value::Interval(kMin)};
    case DataType::kDecimal: {  // zero, ± one unit, ± the largest the precision holds
      __int128 largest = 1;
      for (int i = 0; i < type.precision(); ++i) largest *= 10;
      --largest;
      return {Value::Decimal(0, type), Value::Decimal(1, type), Value::Decimal(-1, type),
              Value::Decimal(largest, type), Value::Decimal(-largest, type)};
    }
    case DataType::kDate:
      return {Value::Date(0), Value::Date(20483), Value::Date(-1),
              Value::Date(std::numeric_limits<int32_t>::max()),
              Value::Date(std::numeric_limits<int32_t>::min())};
  }
  return {};
}

// Row r, column c takes value (r + c) of its type's list, or NULL every fifth time where the
// column allows it: each column meets every edge value, in different company.
inline RecordBatch edge_rows(const SchemaPtr& schema, int rows = 8) {
  BatchBuilder b(schema);
  for (int r = 0; r < rows; ++r) {
    for (int c = 0; c < schema->num_fields(); ++c) {
      const Field& field = schema->field(c);
      const std::vector<Value> values = edge_values(field.type);
      if (field.nullable && (r + c) % 5 == 4) {
        b.column(c).append_null();
      } else {
        append_value(b.column(c), values[static_cast<size_t>(r + c) % values.size()]);
      }
    }
  }
  return b.finish();
}

}  // namespace sluice::fuzz
