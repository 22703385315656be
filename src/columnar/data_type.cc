#include "sluice/data_type.h"

#include <cctype>
#include <string>

namespace sluice {

std::string type_name(DataType type) {
  switch (type) {
    case DataType::kBoolean:
      return "BOOLEAN";
    case DataType::kInt32:
      return "INT";
    case DataType::kInt64:
      return "BIGINT";
    case DataType::kDouble:
      return "DOUBLE";
    case DataType::kVarchar:
      return "VARCHAR";
    case DataType::kTimestamp:
      return "TIMESTAMP";
    case DataType::kInterval:
      return "INTERVAL";
    case DataType::kDecimal:
      return "DECIMAL(" + std::to_string(type.precision()) + "," + std::to_string(type.scale()) +
             ")";
    case DataType::kDate:
      return "DATE";
  }
  return "UNKNOWN";
}

std::optional<DataType> parse_type_name(std::string_view name) {
  std::string upper(name);
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (upper == "BOOLEAN" || upper == "BOOL") return DataType::kBoolean;
  if (upper == "INT" || upper == "INTEGER" || upper == "INT4") return DataType::kInt32;
  if (upper == "BIGINT" || upper == "INT8" || upper == "LONG") return DataType::kInt64;
  if (upper == "DOUBLE" || upper == "FLOAT8" || upper == "FLOAT" || upper == "REAL") {
    return DataType::kDouble;
  }
  if (upper == "VARCHAR" || upper == "TEXT" || upper == "STRING") return DataType::kVarchar;
  if (upper == "TIMESTAMP" || upper == "TIMESTAMPTZ") return DataType::kTimestamp;
  if (upper == "INTERVAL") return DataType::kInterval;
  if (upper == "DECIMAL" || upper == "NUMERIC" || upper == "DEC") {
    return DataType::Decimal(DataType::kDefaultDecimalPrecision, DataType::kDefaultDecimalScale);
  }
  if (upper == "DATE") return DataType::kDate;
  return std::nullopt;
}

std::string check_decimal(int64_t precision, int64_t scale) {
  if (precision < 1 || precision > DataType::kMaxDecimalPrecision) {
    return "DECIMAL precision must be between 1 and " +
           std::to_string(DataType::kMaxDecimalPrecision) + ", got " + std::to_string(precision);
  }
  if (scale < 0 || scale > precision) {
    return "DECIMAL scale must be between 0 and the precision (" + std::to_string(precision) +
           "), got " + std::to_string(scale);
  }
  return {};
}

int fixed_width(DataType type) {
  switch (type) {
    case DataType::kInt32:
    case DataType::kDate:
      return 4;
    case DataType::kInt64:
    case DataType::kDouble:
    case DataType::kTimestamp:
    case DataType::kInterval:
      return 8;
    case DataType::kDecimal:
      return 16;
    case DataType::kBoolean:
    case DataType::kVarchar:
      return 0;
  }
  return 0;
}

bool is_numeric(DataType type) {
  return type == DataType::kInt32 || type == DataType::kInt64 || type == DataType::kDouble ||
         type == DataType::kDecimal;
}

}  // namespace sluice
