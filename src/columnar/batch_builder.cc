#include "sluice/batch_builder.h"

namespace sluice {

BatchBuilder::BatchBuilder(SchemaPtr schema) : schema_(std::move(schema)) {
  columns_.reserve(static_cast<size_t>(schema_->num_fields()));
  for (const Field& f : schema_->fields()) columns_.emplace_back(f.type);
}

size_t BatchBuilder::data_bytes() const {
  size_t total = 0;
  for (const ColumnBuilder& c : columns_) total += c.data_bytes();
  return total;
}

void BatchBuilder::reserve(int64_t rows) {
  for (ColumnBuilder& c : columns_) c.reserve(rows);
}

void BatchBuilder::truncate(int64_t rows) {
  for (ColumnBuilder& c : columns_) c.truncate(rows);
}

RecordBatch BatchBuilder::finish() {
  std::vector<Column> columns;
  columns.reserve(columns_.size());
  for (ColumnBuilder& c : columns_) columns.push_back(c.finish());
  auto batch = RecordBatch::make(schema_, std::move(columns));
  // The builders share the schema's types, so make() cannot fail here.
  return std::move(batch).value();
}

}  // namespace sluice
