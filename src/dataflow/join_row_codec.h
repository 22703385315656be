#pragma once
// JoinRowCodec: the rows a temporal join keeps (ASOF's right rows and waiting left rows, a
// lookup join's view rows), each as one run of bytes in an arena instead of a Value per
// column: per column a flag byte (0 NULL, 1 a value) and the value's bytes as the column holds
// them (BOOLEAN 1, INT/DATE 4, BIGINT/TIMESTAMP/INTERVAL/DOUBLE 8, DECIMAL 16, VARCHAR a
// 4-byte length and its bytes). Equal rows encode to equal bytes, so a view's delete finds its
// row by its bytes (as ViewTable does).
//
// A codec is made once for a side's columns; encoding appends to a reused string, decoding
// appends straight to column builders (no Value on the way). Rows read from a checkpoint are
// checked once by valid() before they are decoded.
//
// Thread: immutable after construction; any thread.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/batch_builder.h"
#include "sluice/data_type.h"
#include "sluice/record_batch.h"

namespace sluice::dataflow {

class JoinRowCodec {
 public:
  // The columns `columns` of a batch (their types), in that order.
  JoinRowCodec(std::vector<int> columns, std::vector<DataType> types);
  // All columns of `schema` but the last `drop_trailing` (a changelog's `_op`).
  static JoinRowCodec for_schema(const Schema& schema, int drop_trailing = 0);

  size_t width() const { return columns_.size(); }
  // Appends row `row` of `batch` (the codec's columns) to `out`.
  void encode(const RecordBatch& batch, int64_t row, std::string& out) const;
  // Appends the row encoded in `bytes` to out.column(first) … out.column(first + width - 1).
  void decode(std::string_view bytes, BatchBuilder& out, int first) const;
  // Appends NULL to those columns (a left outer join's missing right row).
  void append_nulls(BatchBuilder& out, int first) const;
  // Whether `bytes` is exactly one row of this codec's types (a checkpoint's row, checked
  // before it is decoded).
  bool valid(std::string_view bytes) const;

 private:
  std::vector<int> columns_;
  std::vector<DataType> types_;
};

}  // namespace sluice::dataflow
