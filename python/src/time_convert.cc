#include "time_convert.h"

#include <datetime.h>

#include "columnar/timestamp.h"

namespace py = pybind11;

namespace sluice::python {
namespace {

// The datetime C API, imported on first use (the GIL is held: no race).
void ensure_api() {
  if (PyDateTimeAPI == nullptr) {
    PyDateTime_IMPORT;
    if (PyDateTimeAPI == nullptr) throw py::error_already_set();
  }
}

constexpr int64_t kMinYear = 1;
constexpr int64_t kMaxYear = 9999;

Status out_of_range(int64_t micros, const char* what) {
  return Status(ErrorCode::kOutOfRange, std::string(what) + " " + std::to_string(micros) +
                                            " is outside Python's years 1-9999");
}

}  // namespace

Result<py::object> timestamp_to_py(int64_t micros) {
  ensure_api();
  int64_t days = 0;
  int64_t of_day = 0;
  split_days(micros, days, of_day);
  int64_t year = 0;
  unsigned month = 0;
  unsigned day = 0;
  civil_from_days(days, year, month, day);
  if (year < kMinYear || year > kMaxYear) return out_of_range(micros, "TIMESTAMP");
  const int64_t seconds = of_day / kMicrosPerSecond;
  PyObject* dt = PyDateTimeAPI->DateTime_FromDateAndTime(
      static_cast<int>(year), static_cast<int>(month), static_cast<int>(day),
      static_cast<int>(seconds / 3600), static_cast<int>(seconds / 60 % 60),
      static_cast<int>(seconds % 60), static_cast<int>(of_day % kMicrosPerSecond),
      PyDateTime_TimeZone_UTC, PyDateTimeAPI->DateTimeType);
  if (dt == nullptr) throw py::error_already_set();
  return py::reinterpret_steal<py::object>(dt);
}

Result<py::object> date_to_py(int32_t days) {
  ensure_api();
  int64_t year = 0;
  unsigned month = 0;
  unsigned day = 0;
  civil_from_days(days, year, month, day);
  if (year < kMinYear || year > kMaxYear) return out_of_range(days, "DATE");
  PyObject* d =
      PyDate_FromDate(static_cast<int>(year), static_cast<int>(month), static_cast<int>(day));
  if (d == nullptr) throw py::error_already_set();
  return py::reinterpret_steal<py::object>(d);
}

py::object interval_to_py(int64_t micros) {
  ensure_api();
  // timedelta normalizes: days may be negative, seconds and microseconds are not.
  const int64_t days =
      micros >= 0 ? micros / kMicrosPerDay : -((-micros + kMicrosPerDay - 1) / kMicrosPerDay);
  const int64_t rest = micros - days * kMicrosPerDay;
  PyObject* td = PyDelta_FromDSU(static_cast<int>(days), static_cast<int>(rest / kMicrosPerSecond),
                                 static_cast<int>(rest % kMicrosPerSecond));
  if (td == nullptr) throw py::error_already_set();
  return py::reinterpret_steal<py::object>(td);
}

bool is_datetime(py::handle value) {
  ensure_api();
  return PyDateTime_Check(value.ptr());
}

bool is_date(py::handle value) {
  ensure_api();
  return PyDate_Check(value.ptr()) && !PyDateTime_Check(value.ptr());
}

bool is_timedelta(py::handle value) {
  ensure_api();
  return PyDelta_Check(value.ptr());
}

int64_t datetime_to_micros(py::handle value) {
  ensure_api();
  PyObject* v = value.ptr();
  const int64_t days =
      days_from_civil(PyDateTime_GET_YEAR(v), static_cast<unsigned>(PyDateTime_GET_MONTH(v)),
                      static_cast<unsigned>(PyDateTime_GET_DAY(v)));
  if (!PyDateTime_Check(v)) return days * kMicrosPerDay;
  int64_t micros = days * kMicrosPerDay +
                   (PyDateTime_DATE_GET_HOUR(v) * 3600LL + PyDateTime_DATE_GET_MINUTE(v) * 60LL +
                    PyDateTime_DATE_GET_SECOND(v)) *
                       kMicrosPerSecond +
                   PyDateTime_DATE_GET_MICROSECOND(v);
  py::object offset = py::reinterpret_borrow<py::object>(value).attr("utcoffset")();
  if (!offset.is_none()) micros -= timedelta_to_micros(offset);
  return micros;
}

int32_t date_to_days(py::handle value) {
  ensure_api();
  PyObject* v = value.ptr();
  return static_cast<int32_t>(days_from_civil(PyDateTime_GET_YEAR(v),
                                              static_cast<unsigned>(PyDateTime_GET_MONTH(v)),
                                              static_cast<unsigned>(PyDateTime_GET_DAY(v))));
}

int64_t timedelta_to_micros(py::handle value) {
  ensure_api();
  PyObject* v = value.ptr();
  return static_cast<int64_t>(PyDateTime_DELTA_GET_DAYS(v)) * kMicrosPerDay +
         static_cast<int64_t>(PyDateTime_DELTA_GET_SECONDS(v)) * kMicrosPerSecond +
         PyDateTime_DELTA_GET_MICROSECONDS(v);
}

}  // namespace sluice::python
