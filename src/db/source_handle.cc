#include "sluice/source_handle.h"

#include "columnar/row_decoder.h"
#include "runtime/ingest.h"
#include "sql/expr_eval.h"

namespace sluice {

// ---- RowBuilder --------------------------------------------------------------------------

RowBuilder::RowBuilder(SchemaPtr schema)
    : schema_(schema),
      builder_(schema),
      row_(static_cast<size_t>(schema->num_fields())),
      set_(static_cast<size_t>(schema->num_fields()), false) {}

RowBuilder& RowBuilder::set(std::string_view column, const Value& value) {
  const int index = schema_->find(column);
  if (index < 0) {
    if (error_.ok()) {
      error_ = Status(ErrorCode::kSqlUnknownName, "unknown column '" + std::string(column) + "'");
    }
    return *this;
  }
  return set(index, value);
}

RowBuilder& RowBuilder::set(int column, const Value& value) {
  if (column < 0 || column >= schema_->num_fields()) {
    if (error_.ok()) {
      error_ = Status(ErrorCode::kOutOfRange,
                      "column index " + std::to_string(column) + " out of range");
    }
    return *this;
  }
  const Field& f = schema_->field(column);
  auto converted = sql::cast_value(value, f.type);
  const bool widening_or_same =
      value.null || value.type == f.type ||
      (is_numeric(value.type) && is_numeric(f.type) &&
       (f.type == DataType::kDouble || value.type == DataType::kInt32)) ||
      ((value.type == DataType::kInt32 || value.type == DataType::kInt64) &&
       f.type == DataType::kDecimal) ||
      (value.type == DataType::kVarchar &&
       (f.type == DataType::kTimestamp || f.type == DataType::kDecimal ||
        f.type == DataType::kDate));
  if (!converted.ok() || !widening_or_same) {
    if (error_.ok()) {
      error_ = Status(ErrorCode::kSchemaMismatch,
                      "column '" + f.name + "' is " + std::string(type_name(f.type)) + ", got " +
                          std::string(type_name(value.type)) + " '" + value.to_string() + "'");
    }
    return *this;
  }
  row_[static_cast<size_t>(column)] = std::move(converted).value();
  set_[static_cast<size_t>(column)] = true;
  return *this;
}

Status RowBuilder::end_row() {
  Status error = std::move(error_);
  error_ = Status::Ok();
  if (error.ok()) {
    for (int c = 0; c < schema_->num_fields(); ++c) {
      const Field& f = schema_->field(c);
      const bool null = !set_[static_cast<size_t>(c)] || row_[static_cast<size_t>(c)].null;
      if (null && !f.nullable) {
        error = Status(ErrorCode::kMissingValue, "column '" + f.name + "' is NOT NULL");
        break;
      }
    }
  }
  if (error.ok()) {
    for (int c = 0; c < schema_->num_fields(); ++c) {
      if (set_[static_cast<size_t>(c)]) {
        append_value(builder_.column(c), row_[static_cast<size_t>(c)]);
      } else {
        builder_.column(c).append_null();
      }
    }
  }
  std::fill(set_.begin(), set_.end(), false);
  return error;
}

// ---- SourceHandle ------------------------------------------------------------------------

SourceHandle::SourceHandle(std::shared_ptr<runtime::Ingest> ingest,
                           std::shared_ptr<runtime::SourceRuntime> source)
    : ingest_(std::move(ingest)), source_(std::move(source)) {}

const std::string& SourceHandle::name() const {
  return source_->name();
}
const SchemaPtr& SourceHandle::schema() const {
  return source_->schema();
}

Status SourceHandle::push(const RecordBatch& batch) {
  return ingest_->push(*source_, batch);
}

Status SourceHandle::push_json(std::string_view lines) {
  SLC_ASSIGN_OR_RETURN(RecordBatch batch, decode_json_lines(source_->schema(), lines));
  return push(batch);
}

Status SourceHandle::push(RowBuilder& rows) {
  return push(rows.finish());
}

Status SourceHandle::advance_watermark(int64_t micros) {
  return ingest_->advance_watermark(*source_, micros);
}

Status SourceHandle::end() {
  return ingest_->end_input(*source_);
}

SourceMetrics SourceHandle::metrics() const {
  const runtime::CreditMetrics c = source_->gate.metrics();
  SourceMetrics m;
  m.pushed_rows = c.acquired_rows;
  m.blocked = c.blocked;
  m.dropped_rows = c.dropped_rows;
  m.rejected = c.rejected;
  m.in_flight = c.in_flight;
  if (source_->alignment != nullptr) {
    const runtime::AlignmentStats a = source_->alignment->stats();
    m.alignment_pauses = a.pauses;
    m.alignment_paused_micros = a.paused_micros;
    m.alignment_paused = a.paused;
  }
  return m;
}

}  // namespace sluice
