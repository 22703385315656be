#include "batch_in.h"

#include <pybind11/numpy.h>

#include <climits>
#include <cmath>
#include <cstring>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "sluice/column_builder.h"
#include "sluice/source_handle.h"
#include "time_convert.h"

namespace py = pybind11;

namespace sluice::python {
namespace {

struct Numpy {
  py::object generic, datetime64, timedelta64, ascontiguousarray;
};

const Numpy& numpy() {
  static const Numpy* n = [] {
    py::module_ np = py::module_::import("numpy");
    return new Numpy{np.attr("generic"), np.attr("datetime64"), np.attr("timedelta64"),
                     np.attr("ascontiguousarray")};
  }();
  return *n;
}

bool type_name_ends_with(py::handle value, std::string_view suffix) {
  const std::string_view name = Py_TYPE(value.ptr())->tp_name;
  return name.size() >= suffix.size() && name.substr(name.size() - suffix.size()) == suffix;
}

Status does_not_fit(py::handle value, DataType type) {
  return Status(ErrorCode::kSchemaMismatch,
                "a Python " + std::string(Py_TYPE(value.ptr())->tp_name) + " (" +
                    std::string(py::repr(value)) + ") does not fit " + type_name(type));
}

// numpy datetime64 / timedelta64 scalars: their integer count in `unit`, or NULL for NaT.
std::optional<int64_t> numpy_time(py::handle value, const char* unit) {
  const int64_t v = value.attr("astype")(unit).attr("astype")("int64").cast<int64_t>();
  if (v == INT64_MIN) return std::nullopt;
  return v;
}

}  // namespace

Result<Value> py_to_value(py::handle value, DataType type) {
  PyObject* v = value.ptr();
  if (v == Py_None) return Value::Null(type);
  if (PyBool_Check(v)) return Value::Bool(v == Py_True);
  if (PyLong_Check(v)) {
    int overflow = 0;
    const long long i = PyLong_AsLongLongAndOverflow(v, &overflow);
    if (overflow != 0) {
      return Status(ErrorCode::kValueConversion,
                    std::string(py::str(value)) + " does not fit " + type_name(type));
    }
    if (type == DataType::kInt32) {
      if (i < INT32_MIN || i > INT32_MAX) {
        return Status(ErrorCode::kValueConversion, std::to_string(i) + " does not fit INT");
      }
      return Value::Int32(static_cast<int32_t>(i));
    }
    return Value::Int64(i);
  }
  if (PyFloat_Check(v)) {
    const double d = PyFloat_AS_DOUBLE(v);
    if (std::isnan(d)) return Value::Null(type);  // pandas' missing value
    if (type == DataType::kDecimal) return Value::Varchar(py::repr(value));
    return Value::Double(d);
  }
  if (PyUnicode_Check(v)) {
    Py_ssize_t size = 0;
    const char* s = PyUnicode_AsUTF8AndSize(v, &size);
    if (s == nullptr) throw py::error_already_set();
    return Value::Varchar(std::string(s, static_cast<size_t>(size)));
  }
  // pandas.NA and pandas.NaT (NaT is a datetime subclass: test it first).
  if (type_name_ends_with(value, "NAType") || type_name_ends_with(value, "NaTType")) {
    return Value::Null(type);
  }
  if (is_datetime(value)) {
    const int64_t micros = datetime_to_micros(value);
    return Value::Timestamp(micros);
  }
  if (is_date(value)) {
    const int32_t days = date_to_days(value);
    if (type == DataType::kTimestamp) return Value::Timestamp(int64_t{days} * 86'400'000'000);
    return Value::Date(days);
  }
  if (is_timedelta(value)) return Value::Interval(timedelta_to_micros(value));
  if (type_name_ends_with(value, "Decimal")) {
    if (type == DataType::kDouble) return Value::Double(value.cast<double>());
    return Value::Varchar(py::str(value));
  }
  const Numpy& np = numpy();
  if (py::isinstance(value, np.datetime64)) {
    std::optional<int64_t> t =
        numpy_time(value, type == DataType::kDate ? "datetime64[D]" : "datetime64[us]");
    if (!t) return Value::Null(type);
    if (type == DataType::kDate) return Value::Date(static_cast<int32_t>(*t));
    return Value::Timestamp(*t);
  }
  if (py::isinstance(value, np.timedelta64)) {
    std::optional<int64_t> t = numpy_time(value, "timedelta64[us]");
    return t ? Value::Interval(*t) : Value::Null(type);
  }
  if (py::isinstance(value, np.generic)) {
    return py_to_value(value.attr("item")(), type);  // numpy int64, float32, bool_, str_
  }
  return does_not_fit(value, type);
}

Result<RecordBatch> rows_to_batch(const SchemaPtr& schema, py::iterable rows) {
  RowBuilder builder(schema);
  int64_t row = 0;
  for (py::handle item : rows) {
    const std::string where = "row " + std::to_string(row);
    if (!PyDict_Check(item.ptr())) {
      return Status(ErrorCode::kInvalidArgument,
                    "a row is a dict of column name to value, not a " +
                        std::string(Py_TYPE(item.ptr())->tp_name),
                    where);
    }
    PyObject* key = nullptr;
    PyObject* value = nullptr;
    Py_ssize_t pos = 0;
    while (PyDict_Next(item.ptr(), &pos, &key, &value)) {
      if (!PyUnicode_Check(key)) {
        return Status(ErrorCode::kInvalidArgument,
                      "column names are str, got " + std::string(py::repr(key)), where);
      }
      Py_ssize_t size = 0;
      const char* name = PyUnicode_AsUTF8AndSize(key, &size);
      if (name == nullptr) throw py::error_already_set();
      const int column = schema->find(std::string_view(name, static_cast<size_t>(size)));
      if (column < 0) {
        return Status(ErrorCode::kSqlUnknownName,
                      "unknown column '" + std::string(name, static_cast<size_t>(size)) +
                          "'; the source has (" + schema->to_string() + ")",
                      where);
      }
      const Field& field = schema->field(column);
      Result<Value> converted = py_to_value(value, field.type);
      if (!converted.ok()) {
        return converted.status().with_location(where + ", column '" + field.name + "'");
      }
      builder.set(column, *converted);
    }
    Status added = builder.end_row();
    if (!added.ok()) return added.with_location(where);
    ++row;
  }
  return builder.finish();
}

namespace {

Column null_column(DataType type, int64_t rows) {
  ColumnBuilder nulls(type);
  for (int64_t r = 0; r < rows; ++r) nulls.append_null();
  return nulls.finish();
}

// One numpy array (with its null mask) as a column of `field`'s type.
class ColumnConverter {
 public:
  ColumnConverter(const Field& field, py::array values, py::object mask)
      : field_(field), values_(std::move(values)), length_(values_.shape(0)) {
    if (!mask.is_none()) {
      mask_ = py::array_t<bool, py::array::c_style | py::array::forcecast>::ensure(mask);
      if (!*mask_ || mask_->ndim() != 1 || mask_->shape(0) != length_) mask_.reset();
    }
  }

  Result<Column> convert() {
    const char kind = values_.dtype().kind();
    const DataType type = field_.type;
    switch (type.id()) {
      case TypeId::kDouble:
        if (kind == 'f' || kind == 'i' || kind == 'u') return numeric<double>();
        break;
      case TypeId::kInt64:
        if (kind == 'i' || kind == 'u') return numeric<int64_t>();
        break;
      case TypeId::kInt32:
        if (kind == 'i' || kind == 'u') return numeric<int32_t>();
        break;
      case TypeId::kBoolean:
        if (kind == 'b') return numeric<bool>();
        break;
      case TypeId::kTimestamp:
        if (kind == 'M') return time_values("datetime64[us]");
        break;
      case TypeId::kDate:
        if (kind == 'M') return time_values("datetime64[D]");
        break;
      case TypeId::kInterval:
        if (kind == 'm') return time_values("timedelta64[us]");
        break;
      case TypeId::kVarchar:
      case TypeId::kDecimal:
        break;
    }
    if (kind == 'O' || kind == 'U' || kind == 'S' || type == DataType::kDecimal) {
      return objects();
    }
    return Status(ErrorCode::kSchemaMismatch, "column '" + field_.name + "' is " + type_name(type) +
                                                  ", got a numpy " +
                                                  std::string(py::str(values_.dtype())) + " array");
  }

 private:
  bool masked(int64_t i) const { return mask_ && mask_->data()[i]; }

  // Numbers and booleans: each value converted in C++, no Python object per row.
  template <typename To>
  Result<Column> numeric() {
    const py::dtype dt = values_.dtype();
    const char kind = dt.kind();
    const int64_t size = static_cast<int64_t>(dt.itemsize());
    const void* data = values_.data();
    switch (kind) {
      case 'f':
        if (size == 8) return from<double, To>(static_cast<const double*>(data));
        if (size == 4) return from<float, To>(static_cast<const float*>(data));
        break;
      case 'i':
        if (size == 8) return from<int64_t, To>(static_cast<const int64_t*>(data));
        if (size == 4) return from<int32_t, To>(static_cast<const int32_t*>(data));
        if (size == 2) return from<int16_t, To>(static_cast<const int16_t*>(data));
        if (size == 1) return from<int8_t, To>(static_cast<const int8_t*>(data));
        break;
      case 'u':
        if (size == 8) return from<uint64_t, To>(static_cast<const uint64_t*>(data));
        if (size == 4) return from<uint32_t, To>(static_cast<const uint32_t*>(data));
        if (size == 2) return from<uint16_t, To>(static_cast<const uint16_t*>(data));
        if (size == 1) return from<uint8_t, To>(static_cast<const uint8_t*>(data));
        break;
      case 'b':
        return from<bool, To>(static_cast<const bool*>(data));
    }
    return Status(ErrorCode::kSchemaMismatch, "column '" + field_.name + "': numpy " +
                                                  std::string(py::str(py::object(dt))) +
                                                  " arrays are not supported");
  }

  template <typename From, typename To>
  Result<Column> from(const From* in) {
    // The common case, same type and no NULL, is one copy of the values.
    bool any_null = mask_.has_value();
    if constexpr (std::is_floating_point_v<From>) {
      for (int64_t i = 0; i < length_ && !any_null; ++i) any_null = std::isnan(in[i]);
    }
    if constexpr (std::is_same_v<From, To> && !std::is_same_v<To, bool>) {
      if (!any_null) {
        return Column(field_.type, length_, 0, Buffer(),
                      Buffer::copy_of(in, sizeof(To) * static_cast<size_t>(length_)));
      }
    }
    ColumnBuilder builder(field_.type);
    builder.reserve(length_);
    for (int64_t i = 0; i < length_; ++i) {
      const From v = in[i];
      if (masked(i)) {
        builder.append_null();
        continue;
      }
      if constexpr (std::is_floating_point_v<From>) {
        if (std::isnan(v)) {
          builder.append_null();
          continue;
        }
      }
      if constexpr (std::is_same_v<To, bool>) {
        builder.append_bool(v != From{});
      } else if constexpr (std::is_same_v<To, double>) {
        builder.append_double(static_cast<double>(v));
      } else if constexpr (std::is_floating_point_v<From> || std::is_same_v<From, bool>) {
        // convert() sends only integer arrays to INT and BIGINT columns.
        return Status(ErrorCode::kSchemaMismatch, "column '" + field_.name + "' is " +
                                                      type_name(field_.type) +
                                                      ", got a non-integer array");
      } else {
        // Integers into INT or BIGINT: checked (an int64 into INT, a uint64 past 2^63).
        if (!std::in_range<To>(v)) {
          return Status(ErrorCode::kValueConversion,
                        std::to_string(v) + " does not fit " + type_name(field_.type),
                        "row " + std::to_string(i) + ", column '" + field_.name + "'");
        }
        if constexpr (std::is_same_v<To, int32_t>) {
          builder.append_int32(static_cast<int32_t>(v));
        } else {
          builder.append_int64(static_cast<int64_t>(v));
        }
      }
    }
    return builder.finish();
  }

  // datetime64 / timedelta64: numpy converts the unit (vectorized), NaT is NULL.
  Result<Column> time_values(const char* unit) {
    py::array counts = values_.attr("astype")(unit).attr("view")("int64");
    counts = numpy().ascontiguousarray(counts);
    const int64_t* in = static_cast<const int64_t*>(counts.data());
    ColumnBuilder builder(field_.type);
    builder.reserve(length_);
    for (int64_t i = 0; i < length_; ++i) {
      if (masked(i) || in[i] == INT64_MIN) {
        builder.append_null();
      } else if (field_.type == DataType::kDate) {
        if (!std::in_range<int32_t>(in[i])) {
          return Status(ErrorCode::kValueConversion, "a date out of DATE's range",
                        "row " + std::to_string(i) + ", column '" + field_.name + "'");
        }
        builder.append_int32(static_cast<int32_t>(in[i]));
      } else {
        builder.append_int64(in[i]);
      }
    }
    return builder.finish();
  }

  // Strings, decimals and mixed objects: value by value, as a row push converts them.
  Result<Column> objects() {
    RowBuilder builder(make_schema({Field{field_.name, field_.type, true}}));
    py::object items = values_.attr("tolist")();
    int64_t i = 0;
    for (py::handle item : items) {
      const std::string where = "row " + std::to_string(i) + ", column '" + field_.name + "'";
      if (masked(i)) {
        builder.set(0, Value::Null(field_.type));
      } else {
        Result<Value> v = py_to_value(item, field_.type);
        if (!v.ok()) return v.status().with_location(where);
        builder.set(0, *v);
      }
      Status added = builder.end_row();
      if (!added.ok()) return added.with_location(where);
      ++i;
    }
    return builder.finish().column(0);
  }

  const Field& field_;
  py::array values_;
  int64_t length_;
  std::optional<py::array_t<bool, py::array::c_style | py::array::forcecast>> mask_;
};

}  // namespace

Result<RecordBatch> columns_to_batch(const SchemaPtr& schema, py::list names, py::list arrays,
                                     py::list masks) {
  const int n = schema->num_fields();
  std::vector<int> input_of(static_cast<size_t>(n), -1);
  int64_t length = -1;
  for (size_t i = 0; i < names.size(); ++i) {
    const std::string name = names[i].cast<std::string>();
    const int column = schema->find(name);
    if (column < 0) {
      return Status(ErrorCode::kSqlUnknownName,
                    "unknown column '" + name + "'; the source has (" + schema->to_string() + ")");
    }
    if (input_of[static_cast<size_t>(column)] >= 0) {
      return Status(ErrorCode::kInvalidArgument, "column '" + name + "' is given twice");
    }
    input_of[static_cast<size_t>(column)] = static_cast<int>(i);
    py::array a = numpy().ascontiguousarray(arrays[i]);
    if (a.ndim() != 1) {
      return Status(ErrorCode::kInvalidArgument,
                    "column '" + name + "' is a " + std::to_string(a.ndim()) +
                        "-dimensional array; columns are 1-dimensional");
    }
    if (length >= 0 && a.shape(0) != length) {
      return Status(ErrorCode::kInvalidArgument,
                    "column '" + name + "' has " + std::to_string(a.shape(0)) +
                        " values, the columns before it " + std::to_string(length));
    }
    length = a.shape(0);
    arrays[i] = a;
  }
  if (length < 0) length = 0;
  std::vector<Column> columns;
  columns.reserve(static_cast<size_t>(n));
  for (int c = 0; c < n; ++c) {
    const Field& field = schema->field(c);
    const int i = input_of[static_cast<size_t>(c)];
    if (i < 0) {  // a column not given is NULL, as in a row push
      columns.push_back(null_column(field.type, length));
      continue;
    }
    ColumnConverter converter(field, arrays[static_cast<size_t>(i)], masks[static_cast<size_t>(i)]);
    Result<Column> column = converter.convert();
    if (!column.ok()) return column.status();
    columns.push_back(std::move(column).value());
  }
  return RecordBatch::make(schema, std::move(columns));
}

Result<RecordBatch> conform_to_schema(const SchemaPtr& schema, const RecordBatch& batch) {
  std::vector<Column> columns;
  for (const Field& field : schema->fields()) {
    const int i = batch.schema()->find(field.name);
    if (i < 0) {
      columns.push_back(null_column(field.type, batch.num_rows()));
      continue;
    }
    if (batch.column(i).type() != field.type) {
      return Status(ErrorCode::kSchemaMismatch,
                    "column '" + field.name + "' is " + type_name(field.type) +
                        ", the Arrow batch has " + type_name(batch.column(i).type()));
    }
    columns.push_back(batch.column(i));
  }
  for (const Field& f : batch.schema()->fields()) {
    if (schema->find(f.name) < 0) {
      return Status(
          ErrorCode::kSqlUnknownName,
          "unknown column '" + f.name + "'; the source has (" + schema->to_string() + ")");
    }
  }
  return RecordBatch::make(schema, std::move(columns));
}

}  // namespace sluice::python
