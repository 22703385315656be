#include "sluice/data_type.h"

#include <cctype>
#include <string>

namespace sluice {

std::string_view type_name(DataType type) {
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
  return std::nullopt;
}

int fixed_width(DataType type) {
  switch (type) {
    case DataType::kInt32:
      return 4;
    case DataType::kInt64:
    case DataType::kDouble:
    case DataType::kTimestamp:
    case DataType::kInterval:
      return 8;
    case DataType::kBoolean:
    case DataType::kVarchar:
      return 0;
  }
  return 0;
}

bool is_numeric(DataType type) {
  return type == DataType::kInt32 || type == DataType::kInt64 || type == DataType::kDouble;
}

}  // namespace sluice
