#pragma once
// What one timed run of a benchmark cost: its wall-clock seconds and the CPU seconds of the whole
// process meanwhile (every thread: the caller's, the database's, librdkafka's; a broker in a
// process of its own is not counted), and the medians of several runs. CPU time per row is the
// steadier figure on a shared machine: other processes' load stretches a run's wall-clock time,
// much less the CPU it used. Used by the Kafka benches (sink ÷ producer, source ÷ consumer).
//
// Thread: a CostClock is read on one thread; the process's CPU time is every thread's.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <vector>

namespace sluice::bench {

inline double process_cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

struct RunCost {
  int64_t rows = 0;
  double wall_seconds = 0;
  double cpu_seconds = 0;
  double rows_per_second() const { return static_cast<double>(rows) / wall_seconds; }
  double cpu_micros_per_row() const { return cpu_seconds * 1e6 / static_cast<double>(rows); }
};

// Started at construction (or restart()); stop() gives the run's cost for `rows` rows.
class CostClock {
 public:
  CostClock() { restart(); }
  void restart() {
    wall_ = std::chrono::steady_clock::now();
    cpu_ = process_cpu_seconds();
  }
  RunCost stop(int64_t rows) const {
    return {rows, std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_).count(),
            process_cpu_seconds() - cpu_};
  }

 private:
  std::chrono::steady_clock::time_point wall_;
  double cpu_ = 0;
};

inline double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v.size() % 2 == 1 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

// The medians of several runs: rows/s and CPU µs per row (each its own median).
struct MedianCost {
  double rows_per_second = 0;
  double cpu_micros_per_row = 0;
};
inline MedianCost median_cost(const std::vector<RunCost>& runs) {
  std::vector<double> rate, cpu;
  for (const RunCost& r : runs) {
    rate.push_back(r.rows_per_second());
    cpu.push_back(r.cpu_micros_per_row());
  }
  return {median(rate), median(cpu)};
}

// "ratio NAME  wall X (a vs b rows/s)  per CPU-second Y (a vs b CPU µs/row)": ours ÷ baseline
// both ways, the per-CPU-second ratio being the baseline's CPU per row over ours.
inline void print_cost_ratio(const char* name, const MedianCost& ours, const MedianCost& baseline) {
  std::printf(
      "ratio %-28s wall-clock %5.2f (%.0f vs %.0f rows/s)   per CPU-second %5.2f (%.2f vs "
      "%.2f CPU us/row)\n",
      name, ours.rows_per_second / baseline.rows_per_second, ours.rows_per_second,
      baseline.rows_per_second, baseline.cpu_micros_per_row / ours.cpu_micros_per_row,
      ours.cpu_micros_per_row, baseline.cpu_micros_per_row);
}

}  // namespace sluice::bench
