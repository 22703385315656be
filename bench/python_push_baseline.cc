// The C++ side of bench/python_bench.py: pushes a 1 M-row batch of 4 numeric columns (two
// BIGINT, two DOUBLE) through the C++ API and waits for it to be processed (a materialized
// aggregate over it), from data held in plain arrays as a pandas DataFrame holds it: each
// column copied once into a Buffer, the batch made and pushed, then flush(). Best of `runs`,
// after one run not counted (as the Python side, whose allocator is warm after its first run).
//   build/release/bench/python_push_baseline [rows] [runs]
// prints "cpp_columnar_push <rows/s>".

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "sluice/database.h"

namespace sluice {
namespace {

using Clock = std::chrono::steady_clock;

// Same statements as bench/python_bench.py.
constexpr const char* kDdl =
    "CREATE SOURCE t (a BIGINT, b BIGINT, c DOUBLE, d DOUBLE);"
    "CREATE MATERIALIZED VIEW m AS SELECT COUNT(*) AS n, SUM(a) AS sa, SUM(c) AS sc FROM t";

template <typename T>
Column column_of(DataType type, const std::vector<T>& values) {
  return Column(type, static_cast<int64_t>(values.size()), 0, Buffer(),
                Buffer::copy_of(values.data(), values.size() * sizeof(T)));
}

double run(int64_t rows) {
  std::vector<int64_t> a(static_cast<size_t>(rows)), b(static_cast<size_t>(rows));
  std::vector<double> c(static_cast<size_t>(rows)), d(static_cast<size_t>(rows));
  for (int64_t i = 0; i < rows; ++i) {
    a[static_cast<size_t>(i)] = i;
    b[static_cast<size_t>(i)] = i % 1000;
    c[static_cast<size_t>(i)] = static_cast<double>(i) * 0.5;
    d[static_cast<size_t>(i)] = static_cast<double>(i % 7);
  }
  auto db = Database::open().value();
  if (!db->execute(kDdl).ok()) std::abort();
  SourceHandle source = db->source("t").value();
  const auto t0 = Clock::now();
  std::vector<Column> columns = {column_of(DataType::kInt64, a), column_of(DataType::kInt64, b),
                                 column_of(DataType::kDouble, c), column_of(DataType::kDouble, d)};
  RecordBatch batch = RecordBatch::make(source.schema(), std::move(columns)).value();
  if (!source.push(batch).ok() || !db->flush().ok()) std::abort();
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

}  // namespace
}  // namespace sluice

int main(int argc, char** argv) {
  const int64_t rows = argc > 1 ? std::atoll(argv[1]) : 1'000'000;
  const int runs = argc > 2 ? std::atoi(argv[2]) : 5;
  sluice::run(rows);  // warm-up: the allocator's first touch of this much memory is not counted
  double best = 1e9;
  for (int i = 0; i < runs; ++i) best = std::min(best, sluice::run(rows));
  std::printf("cpp_columnar_push %.0f\n", static_cast<double>(rows) / best);
  return 0;
}
