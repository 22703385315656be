// The extension module sluice._sluice; the package (sluice/__init__.py) imports it.
#include "bindings.h"

PYBIND11_MODULE(_sluice, m) {
  m.doc() = "sluice's C++ API; use the sluice package, which wraps it";
  sluice::python::bind_batch(m);
  sluice::python::bind_database(m);
}
