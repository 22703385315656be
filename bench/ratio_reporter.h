#pragma once
// Google Benchmark's console output, plus each run's items/s kept so a benchmark can print
// the ratio of its run to a baseline run from the same process.

#include <benchmark/benchmark.h>

#include <cstdio>
#include <map>
#include <string>
#include <vector>

namespace sluice::bench {

class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& run : runs) {
      auto it = run.counters.find("items_per_second");
      if (it != run.counters.end()) rates_[run.benchmark_name()] = it->second.value;
    }
    ConsoleReporter::ReportRuns(runs);
  }

  // Prints "ratio NAME  X  (ours M rows/s, baseline M rows/s)" when both runs happened.
  void print_ratio(const char* name, const char* ours, const char* baseline) const {
    const auto a = rates_.find(ours), b = rates_.find(baseline);
    if (a == rates_.end() || b == rates_.end() || b->second <= 0) return;
    std::printf("ratio %-32s %6.2f  (%.2f M rows/s vs %.2f M rows/s)\n", name,
                a->second / b->second, a->second / 1e6, b->second / 1e6);
  }

 private:
  std::map<std::string, double> rates_;
};

}  // namespace sluice::bench
