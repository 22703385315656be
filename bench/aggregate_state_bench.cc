// The aggregate operator's state at checkpoints, with N live groups (default 1 M) of
// `SELECT k, COUNT(*), SUM(v), MAX(v) ... GROUP BY k, TUMBLE(ts, 1 hour)`, one process:
//   capture      how long capture() stops the compute thread (p50 / max of 20), against the
//                default capture (the snapshot written into a buffer at once, on the compute
//                thread: what a checkpoint cost it before state was copy-on-write);
//   after        a 64 K-row batch into groups an image still shares (chunks copied on write),
//                against the same batch with no image alive;
//   write        the image written on another thread while the operator goes on (MB/s);
//   restore      restore() of that state into a new operator (MB/s of state).
//   build/release/bench/aggregate_state_bench [--groups N]

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "dataflow/aggregate_operator.h"
#include "sluice/batch_builder.h"
#include "sql/binder.h"
#include "sql/parser.h"

namespace sluice {
namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

SchemaPtr schema() {
  return make_schema(
      {{"k", DataType::kInt64}, {"v", DataType::kInt64}, {"ts", DataType::kTimestamp}});
}

std::unique_ptr<dataflow::AggregateOperator> make_operator() {
  sql::Catalog catalog;
  auto source = std::make_shared<sql::SourceDef>();
  source->name = "t";
  source->schema = schema();
  source->watermark_column = 2;
  catalog.add(sql::Catalog::Entry{sql::ObjectKind::kSource, source, nullptr, nullptr});
  auto stmt = sql::parse_statement(
      "SELECT k, COUNT(*) AS n, SUM(v) AS s, MAX(v) AS m FROM t "
      "GROUP BY k, TUMBLE(ts, INTERVAL '1' HOUR) EMIT ON WINDOW CLOSE");
  auto q = sql::Binder(catalog).bind_query(*stmt->query);
  if (!q.ok()) {
    std::fprintf(stderr, "%s\n", q.status().to_string().c_str());
    std::exit(1);
  }
  return std::make_unique<dataflow::AggregateOperator>(
      std::make_shared<const sql::BoundQuery>(std::move(q).value()), false);
}

RecordBatch keys_batch(int64_t first, int64_t n, int64_t stride) {
  BatchBuilder b(schema());
  for (int64_t i = 0; i < n; ++i) {
    b.column(0).append_int64(first + i * stride);
    b.column(1).append_int64((first + i) % 1000);
    b.column(2).append_int64(1'000'000);
  }
  return b.finish();
}

void check(const Status& s) {
  if (!s.ok()) {
    std::fprintf(stderr, "%s\n", s.to_string().c_str());
    std::exit(1);
  }
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace
}  // namespace sluice

int main(int argc, char** argv) {
  using namespace sluice;
  int64_t groups = 1'000'000;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--groups") == 0 && i + 1 < argc) {
      groups = std::atoll(argv[++i]);
    } else {
      std::fprintf(stderr, "usage: %s [--groups N]\n", argv[0]);
      return 2;
    }
  }
  constexpr int64_t kBatch = 65536;
  auto op = make_operator();
  std::vector<RecordBatch> out;
  for (int64_t k = 0; k < groups; k += kBatch) {
    check(op->process(keys_batch(k, std::min(kBatch, groups - k), 1), out));
  }
  const dataflow::StateStats stats = op->state_stats();
  std::printf("aggregate state, %lld live groups: %.1f MB of state (%.0f B per group)\n\n",
              static_cast<long long>(stats.groups), static_cast<double>(stats.bytes) / 1e6,
              static_cast<double>(stats.bytes) / static_cast<double>(stats.groups));

  // A batch that touches groups spread over every chunk (stride), so that after a capture
  // each batch copies the chunks it writes to.
  const int64_t stride = std::max<int64_t>(1, groups / kBatch);
  const RecordBatch touch = keys_batch(0, std::min(kBatch, groups), stride);
  std::vector<double> capture_ms, after_ms, steady_ms, write_ms, buffered_ms;
  size_t state_bytes = 0;
  for (int round = 0; round < 20; ++round) {
    auto t = Clock::now();
    check(op->process(touch, out));
    steady_ms.push_back(ms_since(t));

    t = Clock::now();
    std::unique_ptr<dataflow::StateImage> image = op->capture();
    capture_ms.push_back(ms_since(t));
    double written = 0;
    std::thread writer([&] {
      const auto w0 = Clock::now();
      dataflow::StateWriter w;
      image->write(w);
      written = ms_since(w0);
      state_bytes = w.bytes().size();
      image.reset();  // the checkpoint thread drops the image when written
    });
    t = Clock::now();
    check(op->process(touch, out));
    after_ms.push_back(ms_since(t));
    writer.join();
    write_ms.push_back(written);

    if (round < 5) {
      t = Clock::now();
      auto buffered = op->Operator::capture();  // the default: the snapshot, taken now
      buffered_ms.push_back(ms_since(t));
    }
  }
  const double mb = static_cast<double>(state_bytes) / 1e6;
  std::printf("%-44s %10.3f ms p50 %10.3f ms max\n", "capture() (copy-on-write image)",
              median(capture_ms), *std::max_element(capture_ms.begin(), capture_ms.end()));
  std::printf("%-44s %10.3f ms p50 %10.3f ms max\n", "default capture (snapshot into a buffer)",
              median(buffered_ms), *std::max_element(buffered_ms.begin(), buffered_ms.end()));
  std::printf("%-44s %10.3f ms p50\n", "64 K-row batch, no image alive", median(steady_ms));
  std::printf("%-44s %10.3f ms p50\n", "64 K-row batch while an image is written",
              median(after_ms));
  std::printf("%-44s %10.3f ms p50 (%.1f MB, %.0f MB/s)\n", "image written (checkpoint thread)",
              median(write_ms), mb, mb / (median(write_ms) / 1e3));

  dataflow::StateWriter snapshot;
  op->snapshot(snapshot);
  std::vector<double> restore_ms;
  for (int round = 0; round < 3; ++round) {
    auto fresh = make_operator();
    dataflow::StateReader reader(snapshot.bytes());
    const auto t = Clock::now();
    check(fresh->restore(reader));
    restore_ms.push_back(ms_since(t));
    if (fresh->live_groups() != op->live_groups()) {
      std::fprintf(stderr, "restored %zu groups of %zu\n", fresh->live_groups(), op->live_groups());
      return 1;
    }
  }
  const double snapshot_mb = static_cast<double>(snapshot.bytes().size()) / 1e6;
  std::printf("%-44s %10.3f ms p50 (%.1f MB, %.0f MB/s)\n", "restore()", median(restore_ms),
              snapshot_mb, snapshot_mb / (median(restore_ms) / 1e3));
  return 0;
}
