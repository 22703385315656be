#pragma once
// CopyEncoder: rows of record batches → tuples of PostgreSQL's binary COPY format
// (`COPY ... FROM STDIN (FORMAT binary)`). Each tuple is an int16 field count, then per field
// an int32 byte length (-1 for NULL) and the value in the type's binary send format, all
// big-endian. A COPY's data is header() + tuples + trailer().
//
// Wire types: boolean (1 byte), integer (4), bigint (8), double precision (IEEE 754),
// text/varchar (the UTF-8 bytes), timestamp[tz] (µs since 2000-01-01, the engine's µs since
// 1970 shifted), interval (µs, days 0, months 0). An INT column may go into a bigint column.
//
// For an upsert's staging table the encoder appends two fields to every tuple: a sequence
// number (bigint; the newest row of a key wins) and whether the row deletes its key
// (boolean: the EMIT CHANGES `_op` column is 'delete').
//
// No libpq here: the encoder is plain bytes, tested on its own.
//
// Thread: owned by one sink task.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/record_batch.h"

namespace sluice::connectors::postgres {

// The PostgreSQL type a column is written as.
enum class WireType : uint8_t {
  kBool,
  kInt4,
  kInt8,
  kFloat8,
  kText,
  kTimestamp,
  kInterval,
  kNumeric,  // a DECIMAL as PostgreSQL's binary numeric: base-10000 digits, exact
  kDate,     // days since 2000-01-01
};

struct CopyColumn {
  int input = 0;  // column of the input batch
  WireType wire = WireType::kInt8;
};

// µs between 1970-01-01 and PostgreSQL's epoch, 2000-01-01.
inline constexpr int64_t kPostgresEpochShiftMicros = 946'684'800'000'000;
inline constexpr int32_t kPostgresEpochShiftDays = 10'957;

class CopyEncoder {
 public:
  CopyEncoder() = default;
  // `op_column` >= 0: stage mode, with the sequence and delete fields; -1: plain.
  CopyEncoder(std::vector<CopyColumn> columns, int op_column, bool stage);

  // Appends one tuple per row of `batch` to `out`. In stage mode rows are numbered from
  // `next_seq`, which advances. Returns how many rows delete their key.
  int64_t encode(const RecordBatch& batch, std::string& out, int64_t& next_seq) const;

  static std::string_view header();
  static std::string_view trailer();

 private:
  std::vector<CopyColumn> columns_;
  int op_column_ = -1;
  bool stage_ = false;
};

// The wire type an engine type is written as by default (what auto-create declares).
WireType default_wire_type(DataType type);

}  // namespace sluice::connectors::postgres
