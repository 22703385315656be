// What exactness costs: the same queries over a DECIMAL(10,2) column and over a DOUBLE column
// holding the same values, in one run (the ratios are what to watch):
//   project:     SELECT symbol, x * volume AS notional FROM trades WHERE volume > 5000
//   keyed tumble: SELECT symbol, window_start, SUM(x), AVG(x) FROM trades
//                 GROUP BY symbol, TUMBLE(ts, INTERVAL '1' SECOND)
//   build/release/bench/decimal_bench

#include <benchmark/benchmark.h>

#include "ratio_reporter.h"

#include <random>
#include <string>
#include <vector>

#include "sluice/batch_builder.h"
#include "support/test_graph.h"

namespace sluice {
namespace {

constexpr int kRows = 4096;
constexpr int kSymbols = 64;
constexpr int kBatches = 64;

SchemaPtr trades_schema() {
  return make_schema({{"symbol", DataType::kVarchar, false},
                      {"price", DataType::kDouble},
                      {"amount", DataType::Decimal(10, 2)},
                      {"volume", DataType::kInt64},
                      {"ts", DataType::kTimestamp}});
}

// `price` and `amount` hold the same values (cents / 100). Batch b covers event time
// [b, b+1) seconds, so each batch closes the previous window.
const std::vector<RecordBatch>& trades() {
  static const std::vector<RecordBatch> batches = [] {
    std::vector<RecordBatch> out;
    std::mt19937_64 rng(7);
    for (int b = 0; b < kBatches; ++b) {
      BatchBuilder builder(trades_schema());
      for (int i = 0; i < kRows; ++i) {
        const auto cents = static_cast<int64_t>(rng() % 50000);
        builder.column(0).append_string("SYM" + std::to_string(rng() % kSymbols));
        builder.column(1).append_double(static_cast<double>(cents) / 100);
        builder.column(2).append_decimal(cents);
        builder.column(3).append_int64(static_cast<int64_t>(rng() % 10000));
        builder.column(4).append_int64(1'795'514'400'000'000 + int64_t{b} * 1'000'000 + i * 200);
      }
      out.push_back(builder.finish());
    }
    return out;
  }();
  return batches;
}

void run_pipeline(benchmark::State& state, const std::string& query) {
  const auto& batches = trades();
  int64_t rows_out = 0;
  struct Counter : dataflow::Output {
    explicit Counter(int64_t& n) : rows(n) {}
    void deliver(const RecordBatch& b) override { rows += b.num_rows(); }
    int64_t& rows;
  } counter(rows_out);
  auto make = [&] {
    auto p = std::make_unique<TestGraph>();
    (void)p->execute("CREATE SOURCE trades (" + trades_schema()->to_string() +
                     ", WATERMARK FOR ts AS ts)");
    auto r = p->execute(query);
    if (!r.ok()) state.SkipWithError(r.status().to_string().c_str());
    for (dataflow::Node* n : p->graph.nodes()) {
      if (n->kind() != sql::ObjectKind::kSource) n->set_output(&counter);
    }
    return p;
  };
  auto pipeline = make();
  size_t next = 0;
  for (auto _ : state) {
    if (next == batches.size()) {
      state.PauseTiming();
      pipeline = make();
      next = 0;
      state.ResumeTiming();
    }
    Status s = pipeline->push("trades", batches[next++]);
    if (!s.ok()) state.SkipWithError(s.to_string().c_str());
  }
  state.SetItemsProcessed(state.iterations() * kRows);
  state.counters["rows_out"] = static_cast<double>(rows_out);
}

std::string project(const char* column) {
  return std::string("CREATE STREAM big AS SELECT symbol, ") + column +
         " * volume AS notional FROM trades WHERE volume > 5000";
}

std::string tumble(const char* column) {
  return std::string("CREATE STREAM per_second AS SELECT symbol, window_start, SUM(") + column +
         ") AS total, AVG(" + column +
         ") AS mean FROM trades GROUP BY symbol, TUMBLE(ts, INTERVAL '1' SECOND)";
}

void BM_Project_Double(benchmark::State& state) {
  run_pipeline(state, project("price"));
}
BENCHMARK(BM_Project_Double);

void BM_Project_Decimal(benchmark::State& state) {
  run_pipeline(state, project("amount"));
}
BENCHMARK(BM_Project_Decimal);

void BM_TumbleSumAvg_Double(benchmark::State& state) {
  run_pipeline(state, tumble("price"));
}
BENCHMARK(BM_TumbleSumAvg_Double);

void BM_TumbleSumAvg_Decimal(benchmark::State& state) {
  run_pipeline(state, tumble("amount"));
}
BENCHMARK(BM_TumbleSumAvg_Decimal);

}  // namespace
}  // namespace sluice

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  sluice::bench::RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.print_ratio("project decimal/double", "BM_Project_Decimal", "BM_Project_Double");
  reporter.print_ratio("tumble sum+avg decimal/double", "BM_TumbleSumAvg_Decimal",
                       "BM_TumbleSumAvg_Double");
  benchmark::Shutdown();
  return 0;
}
