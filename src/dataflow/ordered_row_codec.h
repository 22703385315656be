#pragma once
// OrderedRowCodec: a row's values as bytes whose plain byte order (memcmp, then length) is the
// row's order — column after column, each ascending or descending, NULLs first or last — so an
// ordered container of rows compares bytes and never decodes. Decoded back into values exactly
// (a double's bits, a DECIMAL's units at its column's type).
//
// Per value: a flag byte (NULL before or after every value), then, when not NULL: BOOLEAN one
// byte; INT, BIGINT, DATE, TIMESTAMP, INTERVAL 8 bytes big-endian with the sign bit flipped;
// DOUBLE its bits ordered (negatives inverted, one NaN above every number; -0.0 before 0.0);
// DECIMAL 16 bytes as the integers; VARCHAR its bytes with 0x00 written 0x00 0xFF, ended by
// 0x00 0x00. A descending column has all its bytes inverted.
//
// Thread: immutable after construction; use it from any thread.

#include <string>
#include <string_view>
#include <vector>

#include "sluice/status.h"
#include "sluice/value.h"

namespace sluice::dataflow {

struct OrderedColumn {
  DataType type;
  bool descending = false;
  bool nulls_first = false;
};

class OrderedRowCodec {
 public:
  explicit OrderedRowCodec(std::vector<OrderedColumn> columns) : columns_(std::move(columns)) {}

  size_t width() const { return columns_.size(); }
  // Appends value `v` of column `c` (of its type, or NULL).
  void append(size_t c, const Value& v, std::string& out) const;
  // Decodes a whole row into `out` (width() values); kDataCorrupt when the bytes are not one.
  Status decode(std::string_view bytes, std::vector<Value>& out) const;
  // Decodes the row `bytes` begins with (more may follow it: a row's bytes never begin
  // another row's) and sets `used` to its length; kDataCorrupt when they do not begin with one.
  Status decode_prefix(std::string_view bytes, std::vector<Value>& out, size_t& used) const;

 private:
  std::vector<OrderedColumn> columns_;
};

}  // namespace sluice::dataflow
