#pragma once
// The Arrow PyCapsule interface (arrow.apache.org/docs/format/CDataInterface/PyCapsuleInterface)
// on top of sluice's Arrow C Data Interface (include/sluice/arrow.h, docs/arrow.md): batches go
// to pyarrow, polars and DuckDB, and come from them, without copying column data.
//   out  __arrow_c_schema__ / __arrow_c_array__ / __arrow_c_stream__ of a Batch;
//   in   any object with __arrow_c_array__ (one batch) or __arrow_c_stream__ (all its batches).
//
// Thread: callers hold the GIL. A capsule may be freed on any thread that holds it.

#include <pybind11/pybind11.h>

#include <vector>

#include "sluice/record_batch.h"
#include "sluice/status.h"

namespace sluice::python {

pybind11::object schema_capsule(const Schema& schema);
// (schema capsule, array capsule) of one batch, as __arrow_c_array__ returns them.
pybind11::tuple array_capsules(const RecordBatch& batch);
// An ArrowArrayStream capsule yielding `batches` (all of `schema`).
pybind11::object stream_capsule(SchemaPtr schema, std::vector<RecordBatch> batches);

// The batch an (__arrow_c_array__) capsule pair holds; takes ownership of both structures.
Result<RecordBatch> batch_from_capsules(pybind11::handle schema, pybind11::handle array);
// Every batch of an (__arrow_c_stream__) capsule, read to its end.
Result<std::vector<RecordBatch>> batches_from_stream(pybind11::handle stream);

}  // namespace sluice::python
