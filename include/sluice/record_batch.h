#pragma once
// RecordBatch: an immutable set of equal-length columns under a schema: the unit in which
// data moves through sluice. Copying one costs one reference count; slices share buffers.
//
// Thread: immutable; share freely between threads.

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "sluice/column.h"
#include "sluice/schema.h"
#include "sluice/status.h"

namespace sluice {

class RecordBatch {
 public:
  // An empty batch: no schema, no rows.
  RecordBatch() = default;

  // Checks that there is one column per field, of the field's type and of equal length.
  static Result<RecordBatch> make(SchemaPtr schema, std::vector<Column> columns);
  // A batch with every column empty.
  static RecordBatch empty(SchemaPtr schema);

  const SchemaPtr& schema() const;
  int64_t num_rows() const { return data_ ? data_->num_rows : 0; }
  int num_columns() const { return data_ ? static_cast<int>(data_->columns.size()) : 0; }
  const Column& column(int i) const { return data_->columns[static_cast<size_t>(i)]; }
  const std::vector<Column>& columns() const;

  // Rows [offset, offset + length), zero-copy. Out-of-range requests are clamped.
  RecordBatch slice(int64_t offset, int64_t length) const;
  // The rows at the given indices (a selection vector), in that order.
  RecordBatch take(std::span<const uint32_t> selection) const;
  // The rows of several batches with equal schemas, one after another.
  static Result<RecordBatch> concat(std::span<const RecordBatch> batches);

  // Same schema and same values row by row.
  bool equals(const RecordBatch& other) const;
  // A small aligned text table, for tests, errors and the console.
  std::string to_string(int64_t max_rows = 50) const;

 private:
  struct Data {
    SchemaPtr schema;
    std::vector<Column> columns;
    int64_t num_rows = 0;
  };
  explicit RecordBatch(std::shared_ptr<const Data> data) : data_(std::move(data)) {}
  static RecordBatch from_columns(SchemaPtr schema, std::vector<Column> columns, int64_t rows);

  std::shared_ptr<const Data> data_;
};

}  // namespace sluice
