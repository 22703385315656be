#include "connectors/kafka/message_encoder.h"

#include "sql/bound_query.h"
#include "sql/names.h"

namespace sluice::connectors::kafka {

std::optional<std::string_view> EncodedMessages::key(size_t i) const {
  const Message& m = messages_[i];
  if (!m.has_key) return std::nullopt;
  return std::string_view(buffer_).substr(m.key_at, m.key_len);
}

std::optional<std::string_view> EncodedMessages::value(size_t i) const {
  const Message& m = messages_[i];
  if (m.tombstone) return std::nullopt;
  return std::string_view(buffer_).substr(m.value_at, m.value_len);
}

Result<MessageEncoder> MessageEncoder::make(const Schema& input, MessageFormat format,
                                            const std::vector<std::string>& key_columns) {
  MessageEncoder e;
  e.format_ = format;
  std::vector<Field> key_fields;
  for (const std::string& name : key_columns) {
    const int i = input.find(name);
    if (i < 0 || sql::to_lower(name) == sql::kChangeOpColumn) {
      return Status(
          ErrorCode::kSqlUnknownName,
          "key column '" + name + "' is not a column of the input (" + input.to_string() + ")");
    }
    e.key_indices_.push_back(i);
    key_fields.push_back(input.field(i));
  }
  const int op = input.find(sql::kChangeOpColumn);
  if (op >= 0 && !key_columns.empty()) e.op_column_ = op;
  std::vector<Field> value_fields;
  for (int i = 0; i < input.num_fields(); ++i) {
    if (i == e.op_column_) continue;
    e.value_indices_.push_back(i);
    value_fields.push_back(input.field(i));
  }
  e.value_is_input_ = e.op_column_ < 0;
  e.key_schema_ = make_schema(std::move(key_fields));
  e.value_schema_ = make_schema(std::move(value_fields));
  if (format == MessageFormat::kJson) {
    e.json_key_.emplace(*e.key_schema_);
    e.json_value_.emplace(*e.value_schema_);
  } else {
    e.csv_key_.emplace(*e.key_schema_);
    e.csv_value_.emplace(*e.value_schema_);
  }
  return e;
}

void MessageEncoder::encode_row(const RecordBatch& batch, int64_t row, bool key,
                                std::string& out) const {
  if (format_ == MessageFormat::kJson) {
    (key ? *json_key_ : *json_value_).encode_rows(batch, row, row + 1, out);
  } else {
    (key ? *csv_key_ : *csv_value_).encode_rows(batch, row, row + 1, out);
  }
  if (!out.empty() && out.back() == '\n') out.pop_back();  // a message is one record, no line end
}

namespace {

// The columns of `batch` at `indices`, under `schema` (zero-copy: columns share buffers).
RecordBatch project(const RecordBatch& batch, const std::vector<int>& indices,
                    const SchemaPtr& schema) {
  std::vector<Column> columns;
  columns.reserve(indices.size());
  for (int i : indices) columns.push_back(batch.column(i));
  auto projected = RecordBatch::make(schema, std::move(columns));
  return std::move(projected).value();  // the same columns as a batch of the input's schema
}

}  // namespace

void MessageEncoder::encode(const RecordBatch& batch, EncodedMessages& out) const {
  const int64_t rows = batch.num_rows();
  const bool keyed = !key_indices_.empty();
  const RecordBatch keys = keyed ? project(batch, key_indices_, key_schema_) : RecordBatch();
  const RecordBatch values =
      value_is_input_ ? batch : project(batch, value_indices_, value_schema_);
  const Column* op = op_column_ >= 0 ? &batch.column(op_column_) : nullptr;
  std::string& buffer = out.buffer_;
  out.messages_.reserve(out.messages_.size() + static_cast<size_t>(rows));
  for (int64_t r = 0; r < rows; ++r) {
    EncodedMessages::Message m;
    if (keyed) {
      m.has_key = true;
      m.key_at = buffer.size();
      encode_row(keys, r, true, buffer);
      m.key_len = buffer.size() - m.key_at;
    }
    m.tombstone = op != nullptr && !op->is_null(r) && op->string_value(r) == "delete";
    m.value_at = buffer.size();
    if (!m.tombstone) encode_row(values, r, false, buffer);
    m.value_len = buffer.size() - m.value_at;
    out.messages_.push_back(m);
  }
}

}  // namespace sluice::connectors::kafka
