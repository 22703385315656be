#include "batch_out.h"

#include <pybind11/numpy.h>

#include <cstring>
#include <limits>

#include "errors.h"
#include "sluice/value.h"
#include "time_convert.h"

namespace py = pybind11;

namespace sluice::python {
namespace {

py::object decimal_to_py(const Column& column, int64_t row) {
  static py::handle decimal_class =
      py::object(py::module_::import("decimal").attr("Decimal")).release();
  return decimal_class(Value::from_column(column, row).to_string());
}

// A copy of a fixed-width column's values as a numpy array of `dtype`.
template <typename T>
py::array fixed_array(const Column& column) {
  py::array_t<T> out(column.length());
  if (column.length() > 0) {
    std::memcpy(out.mutable_data(), column.values<T>(), sizeof(T) * column.length());
  }
  return out;
}

py::array null_mask(const Column& column) {
  py::array_t<bool> mask(column.length());
  bool* m = mask.mutable_data();
  for (int64_t i = 0; i < column.length(); ++i) m[i] = column.is_null(i);
  return mask;
}

// Integers and booleans have no NULL of their own in numpy: a masked array carries it.
py::object masked_if_nulls(const Column& column, py::array values) {
  if (column.null_count() == 0) return values;
  static py::handle masked =
      py::object(py::module_::import("numpy.ma").attr("MaskedArray")).release();
  return masked(values, py::arg("mask") = null_mask(column));
}

// NaN (float64) or NaT (datetime64, timedelta64) where a row is NULL.
template <typename T>
void fill_nulls(const Column& column, py::array& values, T null) {
  if (column.null_count() == 0) return;
  T* v = static_cast<T*>(values.mutable_data());
  for (int64_t i = 0; i < column.length(); ++i) {
    if (column.is_null(i)) v[i] = null;
  }
}

py::array object_array(const Column& column) {
  py::list items(column.length());
  for (int64_t i = 0; i < column.length(); ++i) {
    items[static_cast<size_t>(i)] = value_to_py(column, i);
  }
  static py::handle numpy_array = py::object(py::module_::import("numpy").attr("array")).release();
  return numpy_array(items, py::arg("dtype") = "object");
}

py::object column_to_numpy(const Column& column) {
  constexpr int64_t kNaT = INT64_MIN;  // numpy's NaT
  switch (column.type().id()) {
    case TypeId::kBoolean: {
      py::array_t<bool> out(column.length());
      bool* v = out.mutable_data();
      for (int64_t i = 0; i < column.length(); ++i) v[i] = column.bool_value(i);
      return masked_if_nulls(column, out);
    }
    case TypeId::kInt32:
      return masked_if_nulls(column, fixed_array<int32_t>(column));
    case TypeId::kInt64:
      return masked_if_nulls(column, fixed_array<int64_t>(column));
    case TypeId::kDouble: {
      py::array out = fixed_array<double>(column);
      fill_nulls<double>(column, out, std::numeric_limits<double>::quiet_NaN());
      return out;
    }
    case TypeId::kTimestamp:
    case TypeId::kInterval: {
      py::array out = fixed_array<int64_t>(column);
      fill_nulls<int64_t>(column, out, kNaT);
      return out.attr("view")(column.type() == TypeId::kTimestamp ? "datetime64[us]"
                                                                  : "timedelta64[us]");
    }
    case TypeId::kDate: {
      py::array_t<int64_t> out(column.length());
      int64_t* v = out.mutable_data();
      for (int64_t i = 0; i < column.length(); ++i) {
        v[i] = column.is_null(i) ? kNaT : column.int32_value(i);
      }
      return out.attr("view")("datetime64[D]");
    }
    case TypeId::kVarchar:
    case TypeId::kDecimal:
      return object_array(column);
  }
  return py::none();
}

}  // namespace

py::object value_to_py(const Column& column, int64_t row) {
  if (column.is_null(row)) return py::none();
  switch (column.type().id()) {
    case TypeId::kBoolean:
      return py::bool_(column.bool_value(row));
    case TypeId::kInt32:
      return py::int_(column.int32_value(row));
    case TypeId::kInt64:
      return py::int_(column.int64_value(row));
    case TypeId::kDouble:
      return py::float_(column.double_value(row));
    case TypeId::kVarchar: {
      const std::string_view s = column.string_value(row);
      return py::str(s.data(), s.size());
    }
    case TypeId::kTimestamp:
      return take(timestamp_to_py(column.int64_value(row)));
    case TypeId::kInterval:
      return interval_to_py(column.int64_value(row));
    case TypeId::kDate:
      return take(date_to_py(column.int32_value(row)));
    case TypeId::kDecimal:
      return decimal_to_py(column, row);
  }
  return py::none();
}

py::list batch_to_pylist(const RecordBatch& batch) {
  py::list rows(batch.num_rows());
  if (batch.num_rows() == 0) return rows;
  const Schema& schema = *batch.schema();
  std::vector<py::str> names;
  for (const Field& f : schema.fields()) names.emplace_back(f.name);
  for (int64_t r = 0; r < batch.num_rows(); ++r) {
    py::dict row;
    for (int c = 0; c < batch.num_columns(); ++c) {
      row[names[static_cast<size_t>(c)]] = value_to_py(batch.column(c), r);
    }
    rows[static_cast<size_t>(r)] = std::move(row);
  }
  return rows;
}

py::dict batch_to_pydict(const RecordBatch& batch) {
  py::dict out;
  if (!batch.schema()) return out;
  for (int c = 0; c < batch.num_columns(); ++c) {
    const Column& column = batch.column(c);
    py::list values(column.length());
    for (int64_t r = 0; r < column.length(); ++r) {
      values[static_cast<size_t>(r)] = value_to_py(column, r);
    }
    out[py::str(batch.schema()->field(c).name)] = std::move(values);
  }
  return out;
}

py::dict batch_to_numpy(const RecordBatch& batch) {
  py::dict out;
  if (!batch.schema()) return out;
  for (int c = 0; c < batch.num_columns(); ++c) {
    out[py::str(batch.schema()->field(c).name)] = column_to_numpy(batch.column(c));
  }
  return out;
}

}  // namespace sluice::python
