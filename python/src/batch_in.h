#pragma once
// Python rows and columns as a RecordBatch of a source's schema.
//   rows     an iterable of dicts, column name -> value (columns left out are NULL);
//   columns  names and numpy arrays with optional null masks (sluice/_columns.py turns a
//            pandas DataFrame or a dict of arrays into these). Numeric, boolean and
//            datetime64/timedelta64 arrays convert without Python work per row; object and
//            string arrays convert value by value.
// Values: None, NaN, pandas.NA and NaT are NULL; bool, int, float, str, decimal.Decimal,
// datetime (aware: converted to UTC; naive: taken as UTC), date, timedelta and numpy scalars
// convert where SQL would (an int into DOUBLE, an RFC 3339 str into TIMESTAMP). A value that
// does not fit its column refuses the whole batch, naming the row and the column.
//
// Thread: callers hold the GIL.

#include <pybind11/pybind11.h>

#include "sluice/record_batch.h"
#include "sluice/status.h"
#include "sluice/value.h"

namespace sluice::python {

// `value` as a Value for a column of type `type`; RowBuilder::set checks the fit.
Result<Value> py_to_value(pybind11::handle value, DataType type);

Result<RecordBatch> rows_to_batch(const SchemaPtr& schema, pybind11::iterable rows);
// names[i] names arrays[i]; masks[i] is a bool array (true = NULL) or None.
Result<RecordBatch> columns_to_batch(const SchemaPtr& schema, pybind11::list names,
                                     pybind11::list arrays, pybind11::list masks);

// A batch from elsewhere (Arrow) laid out as `schema`: its columns taken by name, in the
// schema's order; a column it lacks is NULL; one the schema lacks is refused (SLC-1002), as is
// a column of another type (SLC-2008; docs/arrow.md gives the mapping).
Result<RecordBatch> conform_to_schema(const SchemaPtr& schema, const RecordBatch& batch);

}  // namespace sluice::python
