#include "arrow_capsule.h"

#include <cerrno>
#include <cstring>
#include <string>

#include "errors.h"
#include "sluice/arrow.h"

#ifndef ARROW_C_STREAM_INTERFACE
#define ARROW_C_STREAM_INTERFACE
// The Arrow C Stream Interface, as the specification defines it.
extern "C" {
struct ArrowArrayStream {
  int (*get_schema)(struct ArrowArrayStream*, struct ArrowSchema* out);
  int (*get_next)(struct ArrowArrayStream*, struct ArrowArray* out);
  const char* (*get_last_error)(struct ArrowArrayStream*);
  void (*release)(struct ArrowArrayStream*);
  void* private_data;
};
}
#endif  // ARROW_C_STREAM_INTERFACE

namespace py = pybind11;

namespace sluice::python {
namespace {

constexpr const char* kSchemaName = "arrow_schema";
constexpr const char* kArrayName = "arrow_array";
constexpr const char* kStreamName = "arrow_array_stream";

// Capsule destructors: release what the consumer did not move out, then free the struct.
void free_schema_capsule(PyObject* capsule) {
  auto* s = static_cast<ArrowSchema*>(PyCapsule_GetPointer(capsule, kSchemaName));
  if (s == nullptr) return;
  if (s->release != nullptr) s->release(s);
  delete s;
}
void free_array_capsule(PyObject* capsule) {
  auto* a = static_cast<ArrowArray*>(PyCapsule_GetPointer(capsule, kArrayName));
  if (a == nullptr) return;
  if (a->release != nullptr) a->release(a);
  delete a;
}
void free_stream_capsule(PyObject* capsule) {
  auto* s = static_cast<ArrowArrayStream*>(PyCapsule_GetPointer(capsule, kStreamName));
  if (s == nullptr) return;
  if (s->release != nullptr) s->release(s);
  delete s;
}

template <typename T>
py::object make_capsule(T* value, const char* name, PyCapsule_Destructor destructor) {
  PyObject* capsule = PyCapsule_New(value, name, destructor);
  if (capsule == nullptr) {
    if (value->release != nullptr) value->release(value);
    delete value;
    throw py::error_already_set();
  }
  return py::reinterpret_steal<py::object>(capsule);
}

// The producer side of a stream over batches already made.
struct BatchStream {
  SchemaPtr schema;
  std::vector<RecordBatch> batches;
  size_t next = 0;
  std::string error;

  static BatchStream* of(ArrowArrayStream* s) { return static_cast<BatchStream*>(s->private_data); }

  static int get_schema(ArrowArrayStream* s, ArrowSchema* out) {
    BatchStream* self = of(s);
    Status st = export_schema(*self->schema, out);
    if (!st.ok()) {
      self->error = st.to_string();
      return EINVAL;
    }
    return 0;
  }
  static int get_next(ArrowArrayStream* s, ArrowArray* out) {
    BatchStream* self = of(s);
    if (self->next == self->batches.size()) {
      std::memset(out, 0, sizeof *out);  // release == nullptr: the end of the stream
      return 0;
    }
    Status st = export_record_batch(self->batches[self->next], out);
    if (!st.ok()) {
      self->error = st.to_string();
      return EINVAL;
    }
    ++self->next;
    return 0;
  }
  static const char* get_last_error(ArrowArrayStream* s) {
    BatchStream* self = of(s);
    return self->error.empty() ? nullptr : self->error.c_str();
  }
  static void release(ArrowArrayStream* s) {
    delete of(s);
    s->release = nullptr;
  }
};

// A capsule's structure, moved out (its release set to null, as the interface asks of a
// consumer), so that the capsule's destructor leaves it alone.
template <typename T>
Result<T> move_out(py::handle capsule, const char* name) {
  if (!PyCapsule_IsValid(capsule.ptr(), name)) {
    return Status(ErrorCode::kArrowImport,
                  std::string("expected a PyCapsule named '") + name + "'");
  }
  T* in = static_cast<T*>(PyCapsule_GetPointer(capsule.ptr(), name));
  if (in->release == nullptr) {
    return Status(ErrorCode::kArrowImport,
                  std::string("the '") + name + "' capsule was consumed already");
  }
  T out = *in;
  in->release = nullptr;
  return out;
}

}  // namespace

py::object schema_capsule(const Schema& schema) {
  auto* s = new ArrowSchema{};
  Status st = export_schema(schema, s);
  if (!st.ok()) {
    delete s;
    throw_status(st);
  }
  return make_capsule(s, kSchemaName, free_schema_capsule);
}

py::tuple array_capsules(const RecordBatch& batch) {
  auto* a = new ArrowArray{};
  auto* s = new ArrowSchema{};
  Status st = export_record_batch(batch, a, s);
  if (!st.ok()) {
    delete a;
    delete s;
    throw_status(st);
  }
  py::object schema = make_capsule(s, kSchemaName, free_schema_capsule);
  py::object array = make_capsule(a, kArrayName, free_array_capsule);
  return py::make_tuple(schema, array);
}

py::object stream_capsule(SchemaPtr schema, std::vector<RecordBatch> batches) {
  auto* s = new ArrowArrayStream{};
  s->get_schema = &BatchStream::get_schema;
  s->get_next = &BatchStream::get_next;
  s->get_last_error = &BatchStream::get_last_error;
  s->release = &BatchStream::release;
  s->private_data = new BatchStream{std::move(schema), std::move(batches), 0, {}};
  return make_capsule(s, kStreamName, free_stream_capsule);
}

Result<RecordBatch> batch_from_capsules(py::handle schema, py::handle array) {
  SLC_ASSIGN_OR_RETURN(ArrowSchema s, move_out<ArrowSchema>(schema, kSchemaName));
  Result<ArrowArray> a = move_out<ArrowArray>(array, kArrayName);
  if (!a.ok()) {
    s.release(&s);
    return a.status();
  }
  return import_record_batch(&*a, &s);
}

Result<std::vector<RecordBatch>> batches_from_stream(py::handle capsule) {
  SLC_ASSIGN_OR_RETURN(ArrowArrayStream stream, move_out<ArrowArrayStream>(capsule, kStreamName));
  struct Releaser {
    ArrowArrayStream* s;
    ~Releaser() {
      if (s->release != nullptr) s->release(s);
    }
  } releaser{&stream};
  auto failed = [&](const char* what, int code) {
    const char* detail = stream.get_last_error(&stream);
    return Status(ErrorCode::kArrowImport, std::string(what) + " failed (" + std::strerror(code) +
                                               (detail ? std::string("): ") + detail : ")"));
  };
  ArrowSchema arrow_schema{};
  if (int rc = stream.get_schema(&stream, &arrow_schema); rc != 0) {
    return failed("the stream's get_schema", rc);
  }
  Result<SchemaPtr> schema = import_schema(&arrow_schema);
  arrow_schema.release(&arrow_schema);
  if (!schema.ok()) return schema.status();
  std::vector<RecordBatch> batches;
  while (true) {
    ArrowArray array{};
    if (int rc = stream.get_next(&stream, &array); rc != 0)
      return failed("the stream's get_next", rc);
    if (array.release == nullptr) break;
    // Each import takes a schema of its own: the stream's, exported again.
    ArrowSchema batch_schema{};
    Status st = export_schema(**schema, &batch_schema);
    if (!st.ok()) {
      array.release(&array);
      return st;
    }
    SLC_ASSIGN_OR_RETURN(RecordBatch batch, import_record_batch(&array, &batch_schema));
    batches.push_back(std::move(batch));
  }
  return batches;
}

}  // namespace sluice::python
