#pragma once
// A RecordBatch as Python values: rows as dicts, columns as lists, columns as numpy arrays.
//   BOOLEAN bool · INT, BIGINT int · DOUBLE float · VARCHAR str · DECIMAL decimal.Decimal ·
//   TIMESTAMP datetime (aware, UTC) · DATE date · INTERVAL timedelta · NULL None.
// numpy: bool, int32, int64, float64, object (str, Decimal), datetime64[us], datetime64[D],
// timedelta64[us]; NULL is NaN in float64, NaT in the time types, None in object arrays, and a
// numpy.ma.MaskedArray's mask for bool and integers.
//
// Thread: callers hold the GIL.

#include <pybind11/pybind11.h>

#include <cstdint>

#include "sluice/record_batch.h"

namespace sluice::python {

pybind11::object value_to_py(const Column& column, int64_t row);
pybind11::list batch_to_pylist(const RecordBatch& batch);
pybind11::dict batch_to_pydict(const RecordBatch& batch);
pybind11::dict batch_to_numpy(const RecordBatch& batch);

}  // namespace sluice::python
