#pragma once
// The engine's column types. Every column is nullable at the storage level; NOT NULL is a
// schema constraint checked where data enters.
//
// A type is a small value: its kind (`TypeId`) plus, for DECIMAL, a precision and a scale.
// `DataType` converts to its `TypeId`, so `switch (type)` with `case DataType::kInt32:` and
// `type == DataType::kDecimal` test the kind alone; `DataType == DataType` compares the whole
// type (DECIMAL(10,2) is not DECIMAL(12,2)).
//
// Thread: a value; any thread.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sluice {

enum class TypeId : uint8_t {
  kBoolean,    // bit-packed, LSB first (Arrow "b")
  kInt32,      // SQL INT (Arrow "i")
  kInt64,      // SQL BIGINT (Arrow "l")
  kDouble,     // SQL DOUBLE (Arrow "g")
  kVarchar,    // UTF-8; int32 offsets + bytes (Arrow "u")
  kTimestamp,  // microseconds since the Unix epoch, UTC (Arrow "tsu:UTC")
  kInterval,   // a duration in microseconds (Arrow "tDu"); calendar months are not supported
  kDecimal,    // DECIMAL(p, s): an exact __int128 count of 10^-s units, |v| < 10^p (Arrow "d:p,s")
  kDate,       // days since 1970-01-01 as int32 (Arrow "tdD")
};
inline constexpr uint8_t kLastTypeId = static_cast<uint8_t>(TypeId::kDate);

class DataType {
 public:
  static constexpr TypeId kBoolean = TypeId::kBoolean;
  static constexpr TypeId kInt32 = TypeId::kInt32;
  static constexpr TypeId kInt64 = TypeId::kInt64;
  static constexpr TypeId kDouble = TypeId::kDouble;
  static constexpr TypeId kVarchar = TypeId::kVarchar;
  static constexpr TypeId kTimestamp = TypeId::kTimestamp;
  static constexpr TypeId kInterval = TypeId::kInterval;
  static constexpr TypeId kDecimal = TypeId::kDecimal;
  static constexpr TypeId kDate = TypeId::kDate;

  // The widest DECIMAL (what an __int128 holds), and DECIMAL / NUMERIC written without
  // parameters (DuckDB's default: DECIMAL(18, 3)).
  static constexpr int kMaxDecimalPrecision = 38;
  static constexpr int kDefaultDecimalPrecision = 18;
  static constexpr int kDefaultDecimalScale = 3;

  constexpr DataType() = default;
  constexpr DataType(TypeId id) : id_(id) {}  // NOLINT: a kind converts to its type
  // DECIMAL(precision, scale); the caller checks 1 <= precision <= 38, 0 <= scale <= precision
  // (check_decimal says what is wrong).
  static constexpr DataType Decimal(int precision, int scale) {
    DataType t(TypeId::kDecimal);
    t.precision_ = static_cast<uint8_t>(precision);
    t.scale_ = static_cast<uint8_t>(scale);
    return t;
  }

  constexpr TypeId id() const { return id_; }
  constexpr operator TypeId() const { return id_; }  // NOLINT: for switch and kind tests
  // DECIMAL's digits in all and after the point; 0 for other types.
  constexpr int precision() const { return precision_; }
  constexpr int scale() const { return scale_; }

  friend constexpr bool operator==(DataType a, DataType b) {
    return a.id_ == b.id_ && a.precision_ == b.precision_ && a.scale_ == b.scale_;
  }
  friend constexpr bool operator==(DataType a, TypeId b) { return a.id_ == b; }

 private:
  TypeId id_ = TypeId::kInt64;
  uint8_t precision_ = 0;
  uint8_t scale_ = 0;
};

// SQL spelling: BOOLEAN, INT, BIGINT, DOUBLE, VARCHAR, TIMESTAMP, INTERVAL, DATE; a decimal
// with its parameters, DECIMAL(10,2).
std::string type_name(DataType type);
// Parses a SQL type name without parameters (case-insensitive; INTEGER, INT4, INT8, FLOAT8,
// TEXT, STRING, NUMERIC, ...). DECIMAL and NUMERIC give the default DECIMAL(18,3).
std::optional<DataType> parse_type_name(std::string_view name);
// Empty when DECIMAL(precision, scale) is a valid type; otherwise what is wrong with it.
std::string check_decimal(int64_t precision, int64_t scale);
// Bytes per value for fixed-width types; 0 for BOOLEAN (bits) and VARCHAR (variable).
int fixed_width(DataType type);
// INT, BIGINT, DOUBLE and DECIMAL.
bool is_numeric(DataType type);

}  // namespace sluice
