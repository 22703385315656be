#pragma once
// sluice's errors in Python: a Status becomes the exception class of its category
// (sluice/errors.py: SqlError for SLC-1xxx, DataError for SLC-2xxx, ...) carrying the code,
// the message and the location.
//
// Thread: callers hold the GIL.

#include <pybind11/pybind11.h>

#include <utility>

#include "sluice/status.h"

namespace sluice::python {

// Sets the Python error for `status` (not OK) and throws pybind11::error_already_set.
[[noreturn]] void throw_status(const Status& status);

inline void check(const Status& status) {
  if (!status.ok()) throw_status(status);
}

template <typename T>
T take(Result<T> result) {
  if (!result.ok()) throw_status(result.status());
  return std::move(result).value();
}

}  // namespace sluice::python
