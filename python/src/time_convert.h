#pragma once
// Python's datetime, date and timedelta objects and sluice's time values: TIMESTAMP
// (microseconds since the Unix epoch, UTC), DATE (days since 1970-01-01), INTERVAL
// (microseconds). All of Python's datetime C API is used here only: its PyDateTimeAPI pointer
// is per translation unit.
//
// Thread: callers hold the GIL.

#include <pybind11/pybind11.h>

#include <cstdint>

#include "sluice/status.h"

namespace sluice::python {

// An aware datetime in UTC; SLC-0006 outside Python's years 1-9999.
Result<pybind11::object> timestamp_to_py(int64_t micros);
Result<pybind11::object> date_to_py(int32_t days);
pybind11::object interval_to_py(int64_t micros);

bool is_datetime(pybind11::handle value);  // datetime.datetime (and pandas.Timestamp)
bool is_date(pybind11::handle value);      // datetime.date, not a datetime
bool is_timedelta(pybind11::handle value);

// A datetime as a TIMESTAMP: an aware one converted to UTC, a naive one taken as UTC (as
// sluice reads "2026-11-24 10:00:00"); a date is its midnight, UTC.
int64_t datetime_to_micros(pybind11::handle value);
int32_t date_to_days(pybind11::handle value);
int64_t timedelta_to_micros(pybind11::handle value);

}  // namespace sluice::python
