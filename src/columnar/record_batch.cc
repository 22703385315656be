#include "sluice/record_batch.h"

#include <algorithm>

#include "sluice/column_builder.h"

namespace sluice {
namespace {
const SchemaPtr kNoSchema = make_schema({});
const std::vector<Column> kNoColumns;
}  // namespace

RecordBatch RecordBatch::from_columns(SchemaPtr schema, std::vector<Column> columns, int64_t rows) {
  auto data = std::make_shared<Data>();
  data->schema = std::move(schema);
  data->columns = std::move(columns);
  data->num_rows = rows;
  return RecordBatch(std::move(data));
}

Result<RecordBatch> RecordBatch::make(SchemaPtr schema, std::vector<Column> columns) {
  if (!schema) return Status(ErrorCode::kInvalidArgument, "a batch needs a schema");
  if (static_cast<int>(columns.size()) != schema->num_fields()) {
    return Status(ErrorCode::kSchemaMismatch, "schema has " + std::to_string(schema->num_fields()) +
                                                  " fields but " + std::to_string(columns.size()) +
                                                  " columns were given");
  }
  const int64_t rows = columns.empty() ? 0 : columns[0].length();
  for (size_t i = 0; i < columns.size(); ++i) {
    const Field& f = schema->fields()[i];
    if (columns[i].type() != f.type) {
      return Status(ErrorCode::kSchemaMismatch,
                    "column '" + f.name + "' is " + std::string(type_name(columns[i].type())) +
                        " but the schema says " + std::string(type_name(f.type)));
    }
    if (columns[i].length() != rows) {
      return Status(ErrorCode::kSchemaMismatch,
                    "column '" + f.name + "' has " + std::to_string(columns[i].length()) +
                        " rows, the first column has " + std::to_string(rows));
    }
  }
  return from_columns(std::move(schema), std::move(columns), rows);
}

RecordBatch RecordBatch::empty(SchemaPtr schema) {
  std::vector<Column> columns;
  for (const Field& f : schema->fields()) columns.push_back(ColumnBuilder(f.type).finish());
  return from_columns(std::move(schema), std::move(columns), 0);
}

const SchemaPtr& RecordBatch::schema() const {
  return data_ ? data_->schema : kNoSchema;
}
const std::vector<Column>& RecordBatch::columns() const {
  return data_ ? data_->columns : kNoColumns;
}

RecordBatch RecordBatch::slice(int64_t offset, int64_t length) const {
  if (!data_) return *this;
  offset = std::clamp<int64_t>(offset, 0, data_->num_rows);
  if (length < 0 || offset + length > data_->num_rows) length = data_->num_rows - offset;
  if (offset == 0 && length == data_->num_rows) return *this;
  std::vector<Column> columns;
  columns.reserve(data_->columns.size());
  for (const Column& c : data_->columns) columns.push_back(c.slice(offset, length));
  return from_columns(data_->schema, std::move(columns), length);
}

RecordBatch RecordBatch::take(std::span<const uint32_t> selection) const {
  if (!data_) return *this;
  std::vector<Column> columns;
  columns.reserve(data_->columns.size());
  for (const Column& c : data_->columns) columns.push_back(c.take(selection));
  return from_columns(data_->schema, std::move(columns), static_cast<int64_t>(selection.size()));
}

Result<RecordBatch> RecordBatch::concat(std::span<const RecordBatch> batches) {
  if (batches.empty()) return RecordBatch();
  const SchemaPtr& schema = batches[0].schema();
  int64_t rows = 0;
  for (const RecordBatch& b : batches) {
    if (b.schema() != schema && !(*b.schema() == *schema)) {
      return Status(ErrorCode::kSchemaMismatch, "cannot concatenate batches of schemas (" +
                                                    schema->to_string() + ") and (" +
                                                    b.schema()->to_string() + ")");
    }
    rows += b.num_rows();
  }
  if (batches.size() == 1) return batches[0];
  std::vector<Column> columns;
  for (int c = 0; c < schema->num_fields(); ++c) {
    ColumnBuilder builder(schema->field(c).type);
    builder.reserve(rows);
    for (const RecordBatch& b : batches) builder.append_column(b.column(c));
    columns.push_back(builder.finish());
  }
  return from_columns(schema, std::move(columns), rows);
}

bool RecordBatch::equals(const RecordBatch& other) const {
  if (num_rows() != other.num_rows() || num_columns() != other.num_columns()) return false;
  if (!(*schema() == *other.schema())) return false;
  for (int c = 0; c < num_columns(); ++c) {
    if (!column(c).equals(other.column(c))) return false;
  }
  return true;
}

std::string RecordBatch::to_string(int64_t max_rows) const {
  const int ncols = num_columns();
  const int64_t rows = std::min(num_rows(), max_rows);
  std::vector<std::vector<std::string>> cells(static_cast<size_t>(rows) + 1);
  std::vector<size_t> width(static_cast<size_t>(ncols), 0);
  for (int c = 0; c < ncols; ++c) {
    cells[0].push_back(schema()->field(c).name);
    for (int64_t r = 0; r < rows; ++r) {
      cells[static_cast<size_t>(r) + 1].push_back(column(c).value_to_string(r));
    }
  }
  for (const auto& row : cells) {
    for (size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], row[c].size());
  }
  std::string out;
  for (size_t r = 0; r < cells.size(); ++r) {
    for (size_t c = 0; c < cells[r].size(); ++c) {
      if (c != 0) out += " | ";
      out += cells[r][c];
      if (c + 1 < cells[r].size()) out.append(width[c] - cells[r][c].size(), ' ');
    }
    out += '\n';
    if (r == 0) {
      for (size_t c = 0; c < width.size(); ++c) {
        if (c != 0) out += "-+-";
        out.append(width[c], '-');
      }
      out += '\n';
    }
  }
  if (num_rows() > rows) out += "... (" + std::to_string(num_rows()) + " rows)\n";
  return out;
}

}  // namespace sluice
