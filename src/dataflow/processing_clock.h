#pragma once
// ProcessingClock: the wall clock that PROCTIME() reads and that closes processing-time windows
// (sql/processing_time.h), as a TIMESTAMP (µs since 1970 UTC). It never moves back: a row stamped
// after a window closed never falls into it, even when the system clock is stepped back, and after
// a restore it starts no earlier than the processing time the checkpoint had reached.
//
// Thread: the compute thread (or a test's) only, as the graph that owns it.

#include <cstdint>
#include <functional>

namespace sluice::dataflow {

class ProcessingClock {
 public:
  // The time now: the system clock, or the test's source, never below what it returned before.
  int64_t now();
  // The wall clock, microseconds since the Unix epoch (what now() reads without a test source).
  static int64_t wall_micros();
  // From now on it reads no earlier than `micros` (a restored window's processing time).
  void not_before(int64_t micros);
  // Tests: read `source` instead of the system clock.
  void set_source(std::function<int64_t()> source) { source_ = std::move(source); }

 private:
  std::function<int64_t()> source_;
  int64_t last_ = INT64_MIN;
};

}  // namespace sluice::dataflow
