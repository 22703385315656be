#pragma once
// The classes of the extension module sluice._sluice, bound one group per file:
//   batch.cc      _Batch (a RecordBatch: to_pylist, to_pydict, to_numpy, the Arrow capsules);
//   database.cc   _Database, _Source, _Subscription (the C++ API with the GIL released
//                 wherever it may block, and callback sinks calling Python).
// sluice/__init__.py wraps them in the public, Pythonic classes.

#include <pybind11/pybind11.h>

namespace sluice::python {

void bind_batch(pybind11::module_& m);
void bind_database(pybind11::module_& m);

}  // namespace sluice::python
