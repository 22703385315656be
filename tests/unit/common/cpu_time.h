#pragma once
// CPU time helpers for tests that prove waits do not burn CPU.

#include <sys/resource.h>

#include <chrono>

namespace sluice::test {

// CPU seconds (user + system) used so far by the calling thread.
inline double thread_cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_THREAD, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

}  // namespace sluice::test
