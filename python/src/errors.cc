#include "errors.h"

namespace py = pybind11;

namespace sluice::python {

void throw_status(const Status& status) {
  // The classes live in Python (sluice/errors.py), so that users subclass and catch them as
  // any other; the module picks the class from the code.
  py::object make = py::module_::import("sluice.errors").attr("_from_status");
  py::object error = make(static_cast<int>(status.code()), status.code_string(),
                          std::string(status.message()), std::string(status.location()));
  PyErr_SetObject(reinterpret_cast<PyObject*>(Py_TYPE(error.ptr())), error.ptr());
  throw py::error_already_set();
}

}  // namespace sluice::python
