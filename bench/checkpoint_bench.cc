// Checkpoint benchmarks, one process, every figure from this run:
//   throughput  a datagen source → a filtered stream and a keyed 1 s TUMBLE aggregate → file
//               sinks, run to the end of its input: without a data_dir (the baseline), with a
//               data_dir and 1 s checkpoints (at-least-once sinks), and with exactly-once
//               sinks. Reported as events/s and as ratios of the baseline.
//   duration    how long an on-demand checkpoint takes, cut to commit, while that pipeline
//               runs (p50 / max over the run), and its state size.
//   state       a materialized view of 1 M rows (a plain view, then an aggregate view of 1 M
//               groups): the compute thread's longest pause inside a checkpoint cut (max over
//               5 checkpoints, from Database::checkpoint_metrics), beside the checkpoint's whole
//               time (cut → commit) and its state size; then the time Database::open takes to
//               recover it, as MB/s of state. Then an OVER frame as changes over 1 M rows
//               (every row kept, one partition per 1,000 keys): its operator state's capture.
//   build/release/bench/checkpoint_bench [--events N] [--state-only] [--over-only]
//                                        [--recoveries N]

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

#include "run_cost.h"
#include "sluice/database.h"

namespace sluice {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

std::string pipeline(const fs::path& out, int64_t events, bool exactly_once) {
  const std::string delivery = exactly_once ? ", delivery = 'exactly-once')" : std::string(")");
  return "CREATE SOURCE e (id BIGINT NOT NULL, k BIGINT, v DOUBLE, ts TIMESTAMP NOT NULL, "
         "WATERMARK FOR ts AS ts) WITH (connector = 'datagen', limit = '" +
         std::to_string(events) +
         "', 'fields.id.kind' = 'sequence', 'fields.k.min' = '0', 'fields.k.max' = '1000', "
         "'fields.ts.kind' = 'sequence', 'fields.ts.step' = '1');"
         "CREATE SINK sample FROM e WHERE id % 100 = 0 INTO file (path = '" +
         (out / "sample").string() + "'" + delivery +
         ";"
         "CREATE SINK per_second AS SELECT k, window_start, COUNT(*) AS n, SUM(v) AS s FROM e "
         "GROUP BY k, TUMBLE(ts, INTERVAL '1' SECOND) INTO file (path = '" +
         (out / "per_second").string() + "'" + delivery;
}

struct Run {
  double events_per_second = 0;
  std::vector<double> checkpoint_ms;
};

Run run(const fs::path& work, int64_t events, bool durable, bool exactly_once,
        bool measure_checkpoints) {
  fs::remove_all(work);
  DatabaseOptions o;
  if (durable) o.data_dir = (work / "data").string();
  auto db = Database::open(o).value();
  if (auto r = db->declare(pipeline(work, events, exactly_once)); !r.ok()) {
    std::fprintf(stderr, "%s\n", r.status().to_string().c_str());
    std::exit(1);
  }
  Run result;
  const auto t0 = Clock::now();
  (void)db->start();
  std::thread waiter([&] { (void)db->wait_for_bounded_sources(); });
  if (measure_checkpoints) {
    // On-demand checkpoints every 250 ms while the input flows (periodic ones continue).
    for (int i = 0; i < 400 && seconds_since(t0) < 60; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
      const auto c0 = Clock::now();
      auto e = db->checkpoint();
      if (!e.ok()) break;
      result.checkpoint_ms.push_back(seconds_since(c0) * 1000);
      if (db->sink_metrics("sample")->rows >= events / 100) break;
    }
  }
  waiter.join();
  if (Status s = db->shutdown(); !s.ok()) {
    std::fprintf(stderr, "%s\n", s.to_string().c_str());
    std::exit(1);
  }
  result.events_per_second = static_cast<double>(events) / seconds_since(t0);
  return result;
}

// A data_dir whose state holds `groups` rows of one view (`view` over a datagen source e of
// `groups` distinct keys k): `checkpoints` on-demand checkpoints, then a recovery. Reports the
// compute thread's longest pause inside a cut (CheckpointMetrics), beside the whole checkpoint
// (cut → commit), the state's size, and recovery's speed.
void state_checkpoints(const fs::path& work, const char* label, const std::string& view,
                       int64_t groups, int checkpoints, int recoveries) {
  fs::remove_all(work);
  DatabaseOptions o;
  o.data_dir = (work / "data").string();
  o.checkpoint_interval = std::chrono::hours(1);  // only the checkpoints asked for
  const std::string script =
      "CREATE SOURCE e (k BIGINT NOT NULL, v DOUBLE) WITH (connector = 'datagen', limit = '" +
      std::to_string(groups) + "', 'fields.k.kind' = 'sequence');" + view;
  CheckpointMetrics m;
  {
    auto db = Database::open(o).value();
    (void)db->declare(script);
    (void)db->start();
    (void)db->wait_for_bounded_sources();
    for (int i = 0; i < checkpoints; ++i) (void)db->checkpoint();
    m = db->checkpoint_metrics();
    (void)db->shutdown();
  }
  uintmax_t state_bytes = 0;
  for (const auto& f : fs::directory_iterator(work / "data" / "checkpoints")) {
    if (f.path().filename().string().rfind("state-", 0) == 0)
      state_bytes = std::max(state_bytes, f.file_size());
  }
  // Recovery `recoveries` times (the state is only read): the fastest open is reported, the
  // others being the same work with more of the machine's noise.
  // The CPU time beside it (every thread's: the file is read on the caller's, the state
  // restored on the compute thread's) is steadier on a shared machine.
  double open_ms = 0, open_cpu_ms = 0;
  std::unique_ptr<Database> db;
  for (int i = 0; i < recoveries; ++i) {
    db.reset();
    const double cpu0 = bench::process_cpu_seconds();
    const auto t0 = Clock::now();
    db = Database::open(o).value();
    const double ms = seconds_since(t0) * 1000;
    const double cpu_ms = (bench::process_cpu_seconds() - cpu0) * 1000;
    open_ms = i == 0 ? ms : std::min(open_ms, ms);
    open_cpu_ms = i == 0 ? cpu_ms : std::min(open_cpu_ms, cpu_ms);
  }
  auto n = db->execute("SELECT COUNT(*) FROM v");
  const double mean_ms = m.duration_count == 0 ? 0.0
                                               : static_cast<double>(m.duration_sum_ns) / 1e6 /
                                                     static_cast<double>(m.duration_count);
  std::printf("%s, %lld groups, %lld checkpoints:\n", label, static_cast<long long>(groups),
              static_cast<long long>(m.completed));
  std::printf("  compute-thread pause per cut: max %.2f ms (last %.2f ms)\n",
              static_cast<double>(m.max_pause_ns) / 1e6,
              static_cast<double>(m.last_pause_ns) / 1e6);
  std::printf("  checkpoint cut → commit: mean %.0f ms; state %.1f MB; pause / total %.4f\n",
              mean_ms, static_cast<double>(m.last_state_bytes) / 1e6,
              mean_ms > 0 ? static_cast<double>(m.max_pause_ns) / 1e6 / mean_ms : 0.0);
  std::printf(
      "  recovery: Database::open of the %.1f MB checkpoint took %.0f ms (%.0f MB/s), %.0f ms "
      "of CPU (%.0f MB/CPU-s), best of %d; the view answers %s rows\n",
      static_cast<double>(state_bytes) / 1e6, open_ms,
      static_cast<double>(state_bytes) / 1e6 / (open_ms / 1000), open_cpu_ms,
      static_cast<double>(state_bytes) / 1e6 / (open_cpu_ms / 1000), recoveries,
      n.ok() ? n->rows.column(0).value_to_string(0).c_str() : "?");
}

void throughput(const fs::path& work, int64_t events) {
  const Run base = run(work, events, false, false, false);
  const Run checkpointed = run(work, events, true, false, false);
  const Run exactly_once = run(work, events, true, true, true);
  std::printf("throughput, %lld events (datagen → filter + keyed 1 s TUMBLE → file sinks):\n",
              static_cast<long long>(events));
  std::printf("  no data_dir (baseline)           %6.2f M events/s\n",
              base.events_per_second / 1e6);
  std::printf("  1 s checkpoints, at-least-once   %6.2f M events/s  %.2fx baseline\n",
              checkpointed.events_per_second / 1e6,
              checkpointed.events_per_second / base.events_per_second);
  std::printf(
      "  1 s checkpoints, exactly-once    %6.2f M events/s  %.2fx baseline"
      " (plus on-demand checkpoints every 250 ms)\n",
      exactly_once.events_per_second / 1e6,
      exactly_once.events_per_second / base.events_per_second);
  std::vector<double> ms = exactly_once.checkpoint_ms;
  std::sort(ms.begin(), ms.end());
  if (!ms.empty()) {
    std::printf(
        "checkpoint duration while running (cut → commit, %zu checkpoints): p50 %.1f ms, "
        "max %.1f ms\n",
        ms.size(), ms[ms.size() / 2], ms.back());
  }
}

}  // namespace
}  // namespace sluice

int main(int argc, char** argv) {
  using namespace sluice;
  int64_t events = 20'000'000;
  bool state_only = false;
  bool over_only = false;
  int recoveries = 3;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--events") == 0 && i + 1 < argc) events = std::atoll(argv[++i]);
    if (std::strcmp(argv[i], "--state-only") == 0) state_only = true;
    if (std::strcmp(argv[i], "--over-only") == 0) over_only = true;
    if (std::strcmp(argv[i], "--recoveries") == 0 && i + 1 < argc) {
      recoveries = std::max(1, std::atoi(argv[++i]));
    }
  }
  // One directory per process: two runs at once must not share it.
  const fs::path work =
      fs::temp_directory_path() / ("sluice_checkpoint_bench_" + std::to_string(getpid()));
  if (!state_only && !over_only) throughput(work, events);
  // A non-aggregate view's table (copy-on-write capture), then an aggregate view (the
  // aggregate operator's capture and the view's table).
  if (!over_only) {
    state_checkpoints(work, "view of rows (SELECT k, v FROM e)",
                      "CREATE MATERIALIZED VIEW v AS SELECT k, v FROM e", 1'000'000, 5, recoveries);
    state_checkpoints(work, "aggregate view (GROUP BY k)",
                      "CREATE MATERIALIZED VIEW v AS SELECT k, SUM(v) AS s, COUNT(*) AS n FROM e "
                      "GROUP BY k",
                      1'000'000, 5, recoveries);
  }
  // An OVER frame as changes (no watermark settles its order): every row kept, 1 M of them in
  // 1,000 partitions. Its output goes to a blackhole sink, so the state is the frame's alone.
  state_checkpoints(work, "OVER frame as changes (1 M rows kept)",
                    "CREATE SINK v AS SELECT k, SUM(k) OVER (PARTITION BY k % 1000 ORDER BY k "
                    "ROWS BETWEEN 10 PRECEDING AND CURRENT ROW) AS s FROM e INTO blackhole ()",
                    1'000'000, 5, recoveries);
  fs::remove_all(work);
  return 0;
}
