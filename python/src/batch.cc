#include <pybind11/stl.h>

#include "arrow_capsule.h"
#include "batch_out.h"
#include "bindings.h"
#include "sluice/record_batch.h"

namespace py = pybind11;

namespace sluice::python {

void bind_batch(py::module_& m) {
  py::class_<RecordBatch>(m, "_Batch")
      .def_property_readonly("num_rows", &RecordBatch::num_rows)
      .def("__len__", &RecordBatch::num_rows)
      .def_property_readonly("column_names",
                             [](const RecordBatch& b) {
                               std::vector<std::string> names;
                               if (b.schema()) {
                                 for (const Field& f : b.schema()->fields())
                                   names.push_back(f.name);
                               }
                               return names;
                             })
      .def_property_readonly("schema",
                             [](const RecordBatch& b) {
                               std::vector<std::tuple<std::string, std::string, bool>> fields;
                               if (b.schema()) {
                                 for (const Field& f : b.schema()->fields()) {
                                   fields.emplace_back(f.name, type_name(f.type), f.nullable);
                                 }
                               }
                               return fields;
                             })
      .def("to_pylist", &batch_to_pylist)
      .def("to_pydict", &batch_to_pydict)
      .def("to_numpy", &batch_to_numpy)
      .def("__arrow_c_schema__",
           [](const RecordBatch& b) { return schema_capsule(b.schema() ? *b.schema() : Schema()); })
      .def(
          "__arrow_c_array__",
          [](const RecordBatch& b, py::object /*requested_schema*/) { return array_capsules(b); },
          py::arg("requested_schema") = py::none())
      .def(
          "__arrow_c_stream__",
          [](const RecordBatch& b, py::object /*requested_schema*/) {
            SchemaPtr schema = b.schema() ? b.schema() : make_schema({});
            return stream_capsule(schema, {b});
          },
          py::arg("requested_schema") = py::none())
      .def("equals", &RecordBatch::equals)
      .def("to_string", &RecordBatch::to_string, py::arg("max_rows") = 50);
}

}  // namespace sluice::python
