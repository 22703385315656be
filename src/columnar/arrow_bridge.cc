#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "columnar/bitmap.h"
#include "sluice/arrow.h"

namespace sluice {
namespace {

// Arrow's format string of a type ("d:10,2" for DECIMAL(10,2): decimal128, 16-byte
// little-endian two's complement, which is how an __int128 lies in memory here).
std::string arrow_format(DataType type) {
  switch (type) {
    case DataType::kBoolean:
      return "b";
    case DataType::kInt32:
      return "i";
    case DataType::kInt64:
      return "l";
    case DataType::kDouble:
      return "g";
    case DataType::kVarchar:
      return "u";
    case DataType::kTimestamp:
      return "tsu:UTC";
    case DataType::kInterval:
      return "tDu";
    case DataType::kDecimal:
      return "d:" + std::to_string(type.precision()) + "," + std::to_string(type.scale());
    case DataType::kDate:
      return "tdD";
  }
  return "n";
}

// ---- export: schema ------------------------------------------------------------------

struct SchemaPrivate {
  std::string format;
  std::string name;
  std::vector<ArrowSchema> child_structs;
  std::vector<ArrowSchema*> child_pointers;
};

void release_schema(ArrowSchema* schema) {
  auto* priv = static_cast<SchemaPrivate*>(schema->private_data);
  for (ArrowSchema* child : priv->child_pointers) {
    if (child->release != nullptr) child->release(child);
  }
  delete priv;
  schema->release = nullptr;
}

void fill_schema(ArrowSchema* out, std::string format, std::string name, int64_t flags,
                 SchemaPrivate* priv) {
  priv->format = std::move(format);
  priv->name = std::move(name);
  out->format = priv->format.c_str();
  out->name = priv->name.c_str();
  out->metadata = nullptr;
  out->flags = flags;
  out->n_children = static_cast<int64_t>(priv->child_pointers.size());
  out->children = priv->child_pointers.empty() ? nullptr : priv->child_pointers.data();
  out->dictionary = nullptr;
  out->release = release_schema;
  out->private_data = priv;
}

// ---- export: arrays ------------------------------------------------------------------

struct ArrayPrivate {
  Column column;  // keeps the buffers alive
  const void* buffers[3] = {nullptr, nullptr, nullptr};
  std::vector<ArrowArray> child_structs;
  std::vector<ArrowArray*> child_pointers;
};

void release_array(ArrowArray* array) {
  auto* priv = static_cast<ArrayPrivate*>(array->private_data);
  for (ArrowArray* child : priv->child_pointers) {
    if (child->release != nullptr) child->release(child);
  }
  delete priv;
  array->release = nullptr;
}

void export_column(const Column& column, ArrowArray* out) {
  auto* priv = new ArrayPrivate;
  priv->column = column;
  priv->buffers[0] = column.validity_buffer().empty() ? nullptr : column.validity_buffer().data();
  priv->buffers[1] = column.values_buffer().data();
  priv->buffers[2] = column.data_buffer().data();
  out->length = column.length();
  out->null_count = column.null_count();
  out->offset = column.offset();
  out->n_buffers = column.type() == DataType::kVarchar ? 3 : 2;
  out->n_children = 0;
  out->buffers = priv->buffers;
  out->children = nullptr;
  out->dictionary = nullptr;
  out->release = release_array;
  out->private_data = priv;
}

// ---- import --------------------------------------------------------------------------

Status import_error(std::string msg) {
  return Status(ErrorCode::kArrowImport, std::move(msg));
}

Result<DataType> type_of_format(const char* format, const char* name) {
  const std::string_view f = format ? format : "";
  if (f == "b") return DataType(DataType::kBoolean);
  if (f == "i") return DataType(DataType::kInt32);
  if (f == "l") return DataType(DataType::kInt64);
  if (f == "g") return DataType(DataType::kDouble);
  if (f == "u") return DataType(DataType::kVarchar);
  if (f.starts_with("tsu:")) return DataType(DataType::kTimestamp);
  if (f == "tDu") return DataType(DataType::kInterval);
  if (f == "tdD") return DataType(DataType::kDate);
  if (f.starts_with("d:")) {
    // d:precision,scale[,bitwidth]: only decimal128 (no bitwidth, or 128).
    int precision = -1, scale = -1, bits = 128;
    const std::string text(f.substr(2));
    const int n = std::sscanf(text.c_str(), "%d,%d,%d", &precision, &scale, &bits);
    if (n >= 2 && bits == 128 && check_decimal(precision, scale).empty()) {
      return DataType::Decimal(precision, scale);
    }
  }
  return import_error("column '" + std::string(name ? name : "") + "': unsupported Arrow format '" +
                      std::string(f) + "'");
}

// Owns an imported ArrowArray; releases it when the last buffer referencing it goes.
struct ImportedArray {
  ArrowArray array;
  ~ImportedArray() {
    if (array.release != nullptr) array.release(&array);
  }
};

// A Buffer over producer memory, or an aligned copy when the producer's pointer is not
// aligned for the value type (the spec recommends but does not require alignment).
Buffer wrap(const std::shared_ptr<ImportedArray>& owner, const void* data, size_t size,
            size_t alignment) {
  if (data == nullptr) return Buffer();
  if (reinterpret_cast<uintptr_t>(data) % alignment != 0) return Buffer::copy_of(data, size);
  return Buffer(owner, static_cast<const uint8_t*>(data), size);
}

}  // namespace

Status export_schema(const Schema& schema, ArrowSchema* out) {
  auto* priv = new SchemaPrivate;
  priv->child_structs.resize(static_cast<size_t>(schema.num_fields()));
  for (int i = 0; i < schema.num_fields(); ++i) {
    const Field& f = schema.field(i);
    auto* child_priv = new SchemaPrivate;
    ArrowSchema* child = &priv->child_structs[static_cast<size_t>(i)];
    fill_schema(child, arrow_format(f.type), f.name, f.nullable ? ARROW_FLAG_NULLABLE : 0,
                child_priv);
    priv->child_pointers.push_back(child);
  }
  fill_schema(out, "+s", "", 0, priv);
  return Status::Ok();
}

Status export_record_batch(const RecordBatch& batch, ArrowArray* out_array,
                           ArrowSchema* out_schema) {
  if (out_schema != nullptr) SLC_RETURN_IF_ERROR(export_schema(*batch.schema(), out_schema));
  auto* priv = new ArrayPrivate;
  priv->child_structs.resize(static_cast<size_t>(batch.num_columns()));
  for (int i = 0; i < batch.num_columns(); ++i) {
    ArrowArray* child = &priv->child_structs[static_cast<size_t>(i)];
    export_column(batch.column(i), child);
    priv->child_pointers.push_back(child);
  }
  out_array->length = batch.num_rows();
  out_array->null_count = 0;
  out_array->offset = 0;
  out_array->n_buffers = 1;  // a struct array's validity; none (no null rows)
  out_array->n_children = batch.num_columns();
  out_array->buffers = priv->buffers;
  out_array->children = priv->child_pointers.empty() ? nullptr : priv->child_pointers.data();
  out_array->dictionary = nullptr;
  out_array->release = release_array;
  out_array->private_data = priv;
  return Status::Ok();
}

Result<SchemaPtr> import_schema(const ArrowSchema* schema) {
  if (schema == nullptr || schema->release == nullptr) {
    return import_error("the schema is null or already released");
  }
  if (schema->format == nullptr || std::string_view(schema->format) != "+s") {
    return import_error("a record batch must be a struct array ('+s'), got format '" +
                        std::string(schema->format ? schema->format : "") + "'");
  }
  std::vector<Field> fields;
  for (int64_t i = 0; i < schema->n_children; ++i) {
    const ArrowSchema* child = schema->children[i];
    if (child->dictionary != nullptr) {
      return import_error("column '" + std::string(child->name ? child->name : "") +
                          "': dictionary-encoded columns are not supported");
    }
    SLC_ASSIGN_OR_RETURN(DataType type, type_of_format(child->format, child->name));
    fields.push_back(
        Field{child->name ? child->name : "", type, (child->flags & ARROW_FLAG_NULLABLE) != 0});
  }
  return make_schema(std::move(fields));
}

Result<RecordBatch> import_record_batch(ArrowArray* array, ArrowSchema* schema) {
  // Take ownership first so that every path, error or not, releases both.
  auto owner = std::make_shared<ImportedArray>();
  if (array != nullptr) {
    owner->array = *array;
    array->release = nullptr;
  } else {
    owner->array.release = nullptr;
  }
  struct SchemaGuard {
    ArrowSchema* s;
    ~SchemaGuard() {
      if (s != nullptr && s->release != nullptr) s->release(s);
    }
  } schema_guard{schema};

  if (owner->array.release == nullptr) return import_error("the array is null or already released");
  SLC_ASSIGN_OR_RETURN(SchemaPtr sluice_schema, import_schema(schema));
  const ArrowArray& top = owner->array;
  if (top.n_children != sluice_schema->num_fields()) {
    return import_error("the array has " + std::to_string(top.n_children) +
                        " children but the schema has " +
                        std::to_string(sluice_schema->num_fields()) + " fields");
  }
  if (top.null_count != 0 && top.n_buffers > 0 && top.buffers[0] != nullptr) {
    return import_error("a struct array with null rows cannot be a record batch");
  }
  const int64_t rows = top.length;
  std::vector<Column> columns;
  for (int64_t i = 0; i < top.n_children; ++i) {
    const ArrowArray* child = top.children[i];
    const Field& field = sluice_schema->field(static_cast<int>(i));
    const DataType type = field.type;
    const int64_t offset = child->offset + top.offset;
    const int64_t end = offset + rows;
    if (child->length < top.offset + rows) {
      return import_error("column '" + field.name + "' is shorter than the batch");
    }
    const int64_t expected_buffers = type == DataType::kVarchar ? 3 : 2;
    if (child->n_buffers != expected_buffers) {
      return import_error("column '" + field.name + "' has " + std::to_string(child->n_buffers) +
                          " buffers, expected " + std::to_string(expected_buffers));
    }
    Buffer validity =
        wrap(owner, child->buffers[0], static_cast<size_t>(bitmap::bytes_for(end)), 1);
    Buffer values, data;
    switch (type) {
      case DataType::kBoolean:
        values = wrap(owner, child->buffers[1], static_cast<size_t>(bitmap::bytes_for(end)), 1);
        break;
      case DataType::kVarchar: {
        values = wrap(owner, child->buffers[1], static_cast<size_t>(end + 1) * 4, 4);
        const auto* offs = reinterpret_cast<const int32_t*>(values.data());
        data = wrap(owner, child->buffers[2], static_cast<size_t>(offs[end]), 1);
        if (data.empty()) data = Buffer::copy_of("", 0);
        break;
      }
      default: {
        const auto width = static_cast<size_t>(fixed_width(type));
        values = wrap(owner, child->buffers[1], static_cast<size_t>(end) * width, width);
      }
    }
    if (values.empty()) {
      return import_error("column '" + field.name + "' has no values buffer");
    }
    int64_t nulls = 0;
    if (!validity.empty()) nulls = rows - bitmap::count_set(validity.data(), offset, rows);
    columns.emplace_back(type, rows, nulls, std::move(validity), std::move(values), std::move(data),
                         offset);
  }
  return RecordBatch::make(std::move(sluice_schema), std::move(columns));
}

}  // namespace sluice
