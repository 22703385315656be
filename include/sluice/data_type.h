#pragma once
// The engine's column types. Every column is nullable at the storage level; NOT NULL is a
// schema constraint checked where data enters.

#include <cstdint>
#include <optional>
#include <string_view>

namespace sluice {

enum class DataType : uint8_t {
  kBoolean,    // bit-packed, LSB first (Arrow "b")
  kInt32,      // SQL INT (Arrow "i")
  kInt64,      // SQL BIGINT (Arrow "l")
  kDouble,     // SQL DOUBLE (Arrow "g")
  kVarchar,    // UTF-8; int32 offsets + bytes (Arrow "u")
  kTimestamp,  // microseconds since the Unix epoch, UTC (Arrow "tsu:UTC")
  kInterval,   // a duration in microseconds (Arrow "tDu"); calendar months are not supported
};

// SQL spelling: BOOLEAN, INT, BIGINT, DOUBLE, VARCHAR, TIMESTAMP, INTERVAL.
std::string_view type_name(DataType type);
// Parses a SQL type name (case-insensitive; INTEGER, INT4, INT8, FLOAT8, TEXT, STRING, ...).
std::optional<DataType> parse_type_name(std::string_view name);
// Bytes per value for fixed-width types; 0 for BOOLEAN (bits) and VARCHAR (variable).
int fixed_width(DataType type);
bool is_numeric(DataType type);

}  // namespace sluice
