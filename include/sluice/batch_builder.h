#pragma once
// BatchBuilder: one ColumnBuilder per field of a schema, finished together into a
// RecordBatch. Decoders and the source row builder append into it.
//
// Thread: belongs to one thread.

#include <cstdint>
#include <vector>

#include "sluice/column_builder.h"
#include "sluice/record_batch.h"
#include "sluice/schema.h"

namespace sluice {

class BatchBuilder {
 public:
  explicit BatchBuilder(SchemaPtr schema);

  const SchemaPtr& schema() const { return schema_; }
  ColumnBuilder& column(int i) { return columns_[static_cast<size_t>(i)]; }
  int64_t num_rows() const { return columns_.empty() ? 0 : columns_[0].length(); }
  size_t data_bytes() const;

  void reserve(int64_t rows);
  // Drops rows past `rows` in every column.
  void truncate(int64_t rows);
  // The batch so far; the builder is empty afterwards and ready for reuse.
  RecordBatch finish();

 private:
  SchemaPtr schema_;
  std::vector<ColumnBuilder> columns_;
};

}  // namespace sluice
