// The temporal join operators driven directly, one process:
//   asof     left and right streams of BIGINT keys (--keys distinct, default 100 K) and rows
//            (--rows per side, default 4 M) in batches of 4096, in time order, each side's
//            watermark advanced after each of its batches: input rows per CPU-second, the
//            state kept (rows, bytes per row) and how long capture() stops the compute thread
//            (p50 / max of 20) with that state;
//   lookup   by arrival (PROCTIME()): a view of --keys rows (one per key), then --rows left
//            rows looked up: left rows per CPU-second; state and capture as above;
//   lookup-event  by event time (AS OF l.ts) against the latest row per key: the view's
//            changelog as a top-1 emits it (each row inserted, the key's previous one deleted)
//            and the left rows, as asof's: input rows (changes and left rows) per CPU-second,
//            state and capture as above.
//   build/release/bench/join_temporal_bench [--keys N] [--rows N]

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "dataflow/join_operator.h"
#include "run_cost.h"
#include "sluice/batch_builder.h"

namespace sluice {
namespace {

using Clock = std::chrono::steady_clock;
constexpr int64_t kBatch = 4096;

SchemaPtr stream_schema() {
  return make_schema(
      {{"k", DataType::kInt64}, {"v", DataType::kInt64}, {"ts", DataType::kTimestamp}});
}

std::shared_ptr<sql::BoundJoin> join_of(sql::JoinKind kind) {
  auto j = std::make_shared<sql::BoundJoin>();
  j->kind = kind;
  j->left_schema = stream_schema();
  j->right_schema = stream_schema();
  const SchemaPtr side = stream_schema();
  std::vector<Field> fields = side->fields();
  for (Field f : side->fields()) {
    f.name += "_r";
    fields.push_back(f);
  }
  j->output_schema = make_schema(fields);
  j->left_keys = {sql::make_column(0, DataType::kInt64, "k")};
  j->right_keys = {sql::make_column(0, DataType::kInt64, "k")};
  j->left_time = 2;
  j->right_time = 2;
  return j;
}

// Rows [from, from + kBatch) of a stream: key = a random one of `keys`, time = the row's
// number (µs), so times rise across batches.
RecordBatch batch(int64_t from, int64_t keys, std::mt19937_64& rng) {
  BatchBuilder b(stream_schema());
  for (int64_t i = 0; i < kBatch; ++i) {
    b.column(0).append_int64(static_cast<int64_t>(rng() % static_cast<uint64_t>(keys)));
    b.column(1).append_int64(i);
    b.column(2).append_int64(from + i);
  }
  return b.finish();
}

void report_capture(const char* name, const dataflow::JoinOperator& op) {
  std::vector<double> us;
  for (int i = 0; i < 20; ++i) {
    const auto t = Clock::now();
    auto image = op.capture();
    us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t).count());
  }
  std::sort(us.begin(), us.end());
  const dataflow::StateStats s = op.state_stats();
  std::printf("%-7s state %lld rows, %.1f MB (%.0f bytes/row); capture p50 %.0f us, max %.0f us\n",
              name, static_cast<long long>(s.groups), static_cast<double>(s.bytes) / 1e6,
              s.groups > 0 ? static_cast<double>(s.bytes) / static_cast<double>(s.groups) : 0.0,
              us[us.size() / 2], us.back());
}

int run(int64_t keys, int64_t rows) {
  std::mt19937_64 rng(19);
  const int64_t batches = std::max<int64_t>(1, rows / kBatch);
  {
    auto made = dataflow::make_join_operator(join_of(sql::JoinKind::kAsof));
    if (!made.ok()) {
      std::fprintf(stderr, "%s\n", made.status().to_string().c_str());
      return 1;
    }
    auto op = std::move(made).value();
    std::vector<RecordBatch> left, right;
    for (int64_t b = 0; b < batches; ++b) {
      left.push_back(batch(b * kBatch, keys, rng));
      right.push_back(batch(b * kBatch, keys, rng));
    }
    std::vector<RecordBatch> out;
    int64_t emitted = 0;
    bench::CostClock clock;
    for (int64_t b = 0; b < batches; ++b) {
      const int64_t wm = (b + 1) * kBatch - 1;
      if (!op->process(dataflow::kRightSide, right[static_cast<size_t>(b)], out).ok() ||
          !op->on_watermark(dataflow::kRightSide, wm, out).ok() ||
          !op->process(dataflow::kLeftSide, left[static_cast<size_t>(b)], out).ok() ||
          !op->on_watermark(dataflow::kLeftSide, wm, out).ok()) {
        std::fprintf(stderr, "asof join failed\n");
        return 1;
      }
      for (const RecordBatch& o : out) emitted += o.num_rows();
      out.clear();
    }
    const bench::RunCost cost = clock.stop(2 * batches * kBatch);
    std::printf("asof    %lld input rows, %lld out: %.2f M rows/s, %.2f M rows per CPU-second\n",
                static_cast<long long>(cost.rows), static_cast<long long>(emitted),
                cost.rows_per_second() / 1e6, 1.0 / cost.cpu_micros_per_row());
    report_capture("asof", *op);
  }
  {
    // The view's changelog: (k, v, ts, _op), a top-1's: the new row, then the old one's delete.
    auto j = join_of(sql::JoinKind::kLookup);
    std::vector<Field> view = stream_schema()->fields();
    view.push_back(Field{"_op", DataType::kVarchar, false});
    j->right_schema = make_schema(view);
    j->right_updating = true;
    auto made = dataflow::make_join_operator(j);
    if (!made.ok()) {
      std::fprintf(stderr, "%s\n", made.status().to_string().c_str());
      return 1;
    }
    auto op = std::move(made).value();
    std::vector<RecordBatch> left, right;
    std::vector<int64_t> last(static_cast<size_t>(keys), -1);  // each key's row (its ts), if any
    int64_t changes = 0;
    for (int64_t b = 0; b < batches; ++b) {
      left.push_back(batch(b * kBatch, keys, rng));
      const RecordBatch rows = batch(b * kBatch, keys, rng);
      BatchBuilder v(j->right_schema);
      for (int64_t r = 0; r < rows.num_rows(); ++r) {
        const int64_t k = rows.column(0).int64_value(r);
        const int64_t ts = rows.column(2).int64_value(r);
        v.column(0).append_int64(k);
        v.column(1).append_int64(rows.column(1).int64_value(r));
        v.column(2).append_int64(ts);
        v.column(3).append_string("insert");
        int64_t& prev = last[static_cast<size_t>(k)];
        if (prev >= 0) {
          v.column(0).append_int64(k);
          v.column(1).append_int64(prev % kBatch);
          v.column(2).append_int64(prev);
          v.column(3).append_string("delete");
        }
        prev = ts;
      }
      right.push_back(v.finish());
      changes += right.back().num_rows();
    }
    std::vector<RecordBatch> out;
    int64_t emitted = 0;
    bench::CostClock clock;
    for (int64_t b = 0; b < batches; ++b) {
      const int64_t wm = (b + 1) * kBatch - 1;
      if (!op->process(dataflow::kRightSide, right[static_cast<size_t>(b)], out).ok() ||
          !op->on_watermark(dataflow::kRightSide, wm, out).ok() ||
          !op->process(dataflow::kLeftSide, left[static_cast<size_t>(b)], out).ok() ||
          !op->on_watermark(dataflow::kLeftSide, wm, out).ok()) {
        std::fprintf(stderr, "lookup join by event time failed\n");
        return 1;
      }
      for (const RecordBatch& o : out) emitted += o.num_rows();
      out.clear();
    }
    const bench::RunCost cost = clock.stop(changes + batches * kBatch);
    std::printf(
        "lookup-event  %lld input rows (%lld view changes), %lld out: %.2f M rows/s, %.2f M rows "
        "per CPU-second\n",
        static_cast<long long>(cost.rows), static_cast<long long>(changes),
        static_cast<long long>(emitted), cost.rows_per_second() / 1e6,
        1.0 / cost.cpu_micros_per_row());
    report_capture("lookup-event", *op);
  }
  {
    auto j = join_of(sql::JoinKind::kLookup);
    j->processing_time = true;  // by arrival: each left row answered at once
    j->left_time = -1;
    auto op = std::move(dataflow::make_join_operator(j)).value();
    std::vector<RecordBatch> out;
    // The view: one row per key.
    for (int64_t from = 0; from < keys; from += kBatch) {
      BatchBuilder b(stream_schema());
      for (int64_t k = from; k < std::min(keys, from + kBatch); ++k) {
        b.column(0).append_int64(k);
        b.column(1).append_int64(k);
        b.column(2).append_int64(k);
      }
      if (!op->process(dataflow::kRightSide, b.finish(), out).ok()) return 1;
    }
    std::vector<RecordBatch> left;
    for (int64_t b = 0; b < batches; ++b) left.push_back(batch(b * kBatch, keys, rng));
    int64_t emitted = 0;
    bench::CostClock clock;
    for (const RecordBatch& l : left) {
      if (!op->process(dataflow::kLeftSide, l, out).ok()) return 1;
      for (const RecordBatch& o : out) emitted += o.num_rows();
      out.clear();
    }
    const bench::RunCost cost = clock.stop(batches * kBatch);
    std::printf("lookup  %lld left rows, %lld out: %.2f M rows/s, %.2f M rows per CPU-second\n",
                static_cast<long long>(cost.rows), static_cast<long long>(emitted),
                cost.rows_per_second() / 1e6, 1.0 / cost.cpu_micros_per_row());
    report_capture("lookup", *op);
  }
  return 0;
}

}  // namespace
}  // namespace sluice

int main(int argc, char** argv) {
  int64_t keys = 100'000, rows = 4'000'000;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--keys") == 0) keys = std::max<int64_t>(1, std::atoll(argv[i + 1]));
    if (std::strcmp(argv[i], "--rows") == 0) rows = std::max<int64_t>(1, std::atoll(argv[i + 1]));
  }
  return sluice::run(keys, rows);
}
