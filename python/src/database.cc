#include <pybind11/stl.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "arrow_capsule.h"
#include "batch_in.h"
#include "bindings.h"
#include "errors.h"
#include "sluice/database.h"

namespace py = pybind11;

namespace sluice::python {
namespace {

// Runs `f` with the GIL released: every C++ call that may wait (for the compute thread, for
// credits, for a batch) goes through here, so that other Python threads and the callback sinks,
// which take the GIL on their own threads, keep running.
template <typename F>
auto without_gil(F&& f) {
  py::gil_scoped_release released;
  return f();
}

// False once the interpreter is finalizing: a sink thread must not take the GIL then.
bool python_running() {
#if PY_VERSION_HEX >= 0x030D0000
  return Py_IsInitialized() != 0 && Py_IsFinalizing() == 0;
#else
  return Py_IsInitialized() != 0 && _Py_IsFinalizing() == 0;
#endif
}

std::chrono::milliseconds seconds_option(py::handle value) {
  return std::chrono::milliseconds(static_cast<int64_t>(value.cast<double>() * 1000));
}

DatabaseOptions options_from(py::object data_dir, const py::dict& options) {
  DatabaseOptions o;
  if (!data_dir.is_none()) {
    o.data_dir = py::str(py::module_::import("os").attr("fspath")(data_dir));
  }
  for (auto [key, value] : options) {
    const std::string name = py::str(key);
    if (name == "checkpoint_interval") {
      o.checkpoint_interval = seconds_option(value);
    } else if (name == "keep_checkpoints") {
      o.keep_checkpoints = value.cast<int>();
    } else if (name == "accept_duplicates") {
      o.accept_duplicates = value.cast<bool>();
    } else if (name == "max_batch_rows") {
      o.max_batch_rows = value.cast<int64_t>();
    } else if (name == "source_credits") {
      o.source_credits = value.cast<int64_t>();
    } else if (name == "input_queue_batches") {
      o.input_queue_batches = value.cast<size_t>();
    } else if (name == "shutdown_grace") {
      o.shutdown_grace = seconds_option(value);
    } else if (name == "state_memory_max") {
      o.state_memory_max = value.cast<int64_t>();  // bytes; Database::open refuses a negative
    } else {
      throw_status(Status(ErrorCode::kInvalidArgument,
                          "unknown option '" + name +
                              "' of connect(); the options are checkpoint_interval, "
                              "keep_checkpoints, accept_duplicates, max_batch_rows, "
                              "source_credits, input_queue_batches, shutdown_grace, "
                              "state_memory_max"));
    }
  }
  return o;
}

// The Python function of a callback sink. It is released wherever the sink drops it (the
// sink's thread, DROP SINK on the compute thread), so the release takes the GIL.
struct PythonFunction {
  py::object function;
  ~PythonFunction() {
    if (python_running()) {
      py::gil_scoped_acquire gil;
      function = py::object();
    } else {
      function.release();  // the interpreter is gone: leak rather than touch it
    }
  }
};

// An exception from a callback as the Status the sink's on.error policy acts on.
Status callback_failed(const std::string& name, py::error_already_set& e) {
  std::string type = py::str(e.type().attr("__name__"));
  std::string text = py::str(e.value());
  return Status(ErrorCode::kCallbackFailed,
                "the Python function raised " + type + (text.empty() ? "" : ": " + text),
                "callback '" + name + "'");
}

// Database plus its closing: close() (and the destructor) shut it down with the GIL released,
// because shutting down waits for sink threads that may be waiting for the GIL.
// Thread: any Python thread; the GIL guards db_ itself. A call holds a reference of its own
// while it runs without the GIL, so close() on another thread meanwhile does not free the
// database under it (the call then gets SLC-0003).
class PyDatabase {
 public:
  explicit PyDatabase(std::unique_ptr<Database> db) : db_(std::move(db)) {}
  ~PyDatabase() {
    std::shared_ptr<Database> db = std::move(db_);
    if (!db) return;
    if (python_running()) {
      without_gil([&] { db.reset(); });
    } else {
      db.reset();
    }
  }

  // The database; ClosedError once closed.
  std::shared_ptr<Database> get() {
    if (!db_) throw_status(Status(ErrorCode::kClosed, "the database is closed"));
    return db_;
  }
  // f(Database&) with the GIL released; the reference is dropped before the GIL is taken
  // back, so that freeing the database (joining its threads) never holds it.
  template <typename F>
  auto call(F&& f) {
    std::shared_ptr<Database> db = get();
    return without_gil([&] {
      auto result = f(*db);
      db.reset();
      return result;
    });
  }
  bool closed() const { return db_ == nullptr; }

  void close() {
    std::shared_ptr<Database> db = std::move(db_);  // under the GIL: one close() takes it
    if (!db) return;
    Status done = without_gil([&] {
      Status s = db->shutdown();
      db.reset();
      return s;
    });
    check(done);
  }

 private:
  std::shared_ptr<Database> db_;
};

py::object optional_batch(bool has_rows, RecordBatch rows) {
  if (!has_rows) return py::none();
  return py::cast(std::move(rows));
}

py::dict source_metrics_dict(const SourceMetrics& m) {
  py::dict d;
  d["pushed_rows"] = m.pushed_rows;
  d["blocked"] = m.blocked;
  d["dropped_rows"] = m.dropped_rows;
  d["rejected"] = m.rejected;
  d["in_flight"] = m.in_flight;
  d["skipped_lines"] = m.skipped_lines;
  return d;
}

py::dict sink_metrics_dict(const SinkMetrics& m) {
  py::dict d;
  d["state"] = m.state;
  d["rows"] = m.rows;
  d["batches"] = m.batches;
  d["write_errors"] = m.write_errors;
  d["retries"] = m.retries;
  d["queue_depth"] = m.queue_depth;
  d["dropped_rows"] = m.dropped_rows;
  d["failed_rows"] = m.failed_rows;
  d["dead_lettered_rows"] = m.dead_lettered_rows;
  d["last_error"] = m.last_error;
  return d;
}

void push(SourceHandle& source, const RecordBatch& batch) {
  check(without_gil([&] { return source.push(batch); }));
}

py::object recv(Subscription& sub, std::optional<double> timeout) {
  using Clock = std::chrono::steady_clock;
  // Short waits without the GIL, checking for signals between them: Ctrl-C interrupts a
  // blocking recv (Python runs signal handlers only when the main thread comes back to it).
  constexpr auto kSlice = std::chrono::milliseconds(50);
  const auto deadline =
      timeout ? Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                   std::chrono::duration<double>(std::max(*timeout, 0.0)))
              : Clock::time_point::max();
  while (true) {
    const auto left = deadline - Clock::now();
    Result<RecordBatch> got = without_gil([&] {
      return sub.recv_for(std::min<Clock::duration>(std::max<Clock::duration>(left, {}), kSlice));
    });
    if (got.ok()) return py::cast(std::move(got).value());
    if (got.status().code() != ErrorCode::kTimeout) throw_status(got.status());
    if (PyErr_CheckSignals() != 0) throw py::error_already_set();
    if (Clock::now() >= deadline) {
      throw_status(Status(ErrorCode::kTimeout,
                          "no batch within " + std::string(py::str(py::float_(*timeout))) + " s",
                          "subscription '" + sub.name() + "'"));
    }
  }
}

}  // namespace

void bind_database(py::module_& m) {
  py::class_<PyDatabase>(m, "_Database")
      .def(py::init([](py::object data_dir, py::dict options) {
             DatabaseOptions o = options_from(std::move(data_dir), options);
             return std::make_unique<PyDatabase>(
                 take(without_gil([&] { return Database::open(std::move(o)); })));
           }),
           py::arg("data_dir") = py::none(), py::arg("options") = py::dict())
      .def("execute",
           [](PyDatabase& self, const std::string& sql) {
             QueryResult r = take(self.call([&](Database& db) { return db.execute(sql); }));
             return py::make_tuple(r.message, optional_batch(r.has_rows, std::move(r.rows)));
           })
      .def("declare",
           [](PyDatabase& self, const std::string& sql) {
             QueryResult r = take(self.call([&](Database& db) { return db.declare(sql); }));
             return py::make_tuple(r.message, optional_batch(r.has_rows, std::move(r.rows)));
           })
      .def("checkpoint",
           [](PyDatabase& self) {
             return take(self.call([&](Database& db) { return db.checkpoint(); }));
           })
      .def("flush",
           [](PyDatabase& self) { check(self.call([&](Database& db) { return db.flush(); })); })
      .def("start",
           [](PyDatabase& self) { check(self.call([&](Database& db) { return db.start(); })); })
      .def("status",
           [](PyDatabase& self) { check(self.call([](Database& db) { return db.status(); })); })
      .def("close", &PyDatabase::close)
      .def_property_readonly("closed", &PyDatabase::closed)
      .def("source",
           [](PyDatabase& self, const std::string& name) {
             // Statements and metrics go through the compute thread, which may be waiting for
             // a callback sink that waits for the GIL: never wait for it holding the GIL.
             return take(self.call([&](Database& db) { return db.source(name); }));
           })
      .def(
          "subscribe",
          [](PyDatabase& self, const std::string& name, size_t capacity, bool drop_oldest) {
            SubscribeOptions o;
            o.capacity = capacity;
            o.on_full =
                drop_oldest ? SubscriptionOverflow::kDropOldest : SubscriptionOverflow::kBlock;
            return take(self.call([&](Database& db) { return db.subscribe(name, o); }));
          },
          py::arg("name"), py::arg("capacity") = 64, py::arg("drop_oldest") = false)
      .def("register_callback",
           [](PyDatabase& self, const std::string& name, py::object function) {
             auto fn = std::make_shared<PythonFunction>(PythonFunction{std::move(function)});
             self.get()->register_fallible_callback(
                 name, [fn, name](const RecordBatch& batch) -> Status {
                   if (!python_running()) {
                     return Status(ErrorCode::kClosed, "Python is shutting down",
                                   "callback '" + name + "'");
                   }
                   py::gil_scoped_acquire gil;
                   try {
                     fn->function(batch);
                     return Status::Ok();
                   } catch (py::error_already_set& e) {
                     return callback_failed(name, e);
                   }
                 });
           })
      .def("sink_metrics",
           [](PyDatabase& self, const std::string& name) {
             return sink_metrics_dict(
                 take(self.call([&](Database& db) { return db.sink_metrics(name); })));
           })
      .def("source_metrics",
           [](PyDatabase& self, const std::string& name) {
             return source_metrics_dict(
                 take(self.call([&](Database& db) { return db.source_metrics(name); })));
           })
      .def("graph_json", [](PyDatabase& self) {
        return take(self.call([&](Database& db) { return db.graph_json(); }));
      });

  py::class_<SourceHandle>(m, "_Source")
      .def_property_readonly("name", &SourceHandle::name)
      .def_property_readonly("column_names",
                             [](const SourceHandle& s) {
                               std::vector<std::string> names;
                               for (const Field& f : s.schema()->fields()) names.push_back(f.name);
                               return names;
                             })
      .def("push_rows",
           [](SourceHandle& self, py::iterable rows) {
             push(self, take(rows_to_batch(self.schema(), std::move(rows))));
           })
      .def("push_columns",
           [](SourceHandle& self, py::list names, py::list arrays, py::list masks) {
             push(self, take(columns_to_batch(self.schema(), std::move(names), std::move(arrays),
                                              std::move(masks))));
           })
      .def("push_arrow_array",
           [](SourceHandle& self, py::object schema, py::object array) {
             RecordBatch batch = take(batch_from_capsules(schema, array));
             push(self, take(conform_to_schema(self.schema(), batch)));
           })
      .def("push_arrow_stream",
           [](SourceHandle& self, py::object stream) {
             // Every batch is checked before the first is pushed; each push is whole.
             std::vector<RecordBatch> batches;
             for (const RecordBatch& b : take(batches_from_stream(stream))) {
               batches.push_back(take(conform_to_schema(self.schema(), b)));
             }
             for (const RecordBatch& b : batches) push(self, b);
           })
      .def("advance_watermark",
           [](SourceHandle& self, int64_t micros) {
             check(without_gil([&] { return self.advance_watermark(micros); }));
           })
      .def("end", [](SourceHandle& self) { check(without_gil([&] { return self.end(); })); })
      .def("metrics", [](const SourceHandle& self) { return source_metrics_dict(self.metrics()); });

  py::class_<Subscription>(m, "_Subscription")
      .def_property_readonly("name", &Subscription::name)
      .def("recv", &recv, py::arg("timeout") = py::none())
      .def("poll",
           [](Subscription& self) -> py::object {
             std::optional<RecordBatch> b = self.poll();
             if (!b) return py::none();
             return py::cast(std::move(*b));
           })
      .def("close", &Subscription::close)
      .def_property_readonly("dropped_batches", &Subscription::dropped_batches)
      .def_property_readonly("dropped_rows", &Subscription::dropped_rows);
}

}  // namespace sluice::python
