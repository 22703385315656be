// Sink pipeline benchmarks:
//   fan-out     one stream into 0, 1, 4 and 16 blackhole sinks: events/s and events per
//               CPU-second; the 0-sink run is the same-run baseline each ratio is against;
//   hand-off    the compute thread's cost to give one batch to a sink's queue (SinkTask::submit)
//               beside a bare queue push of the same batch.
//   build/release/bench/sink_bench

#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

#include "common/bounded_queue.h"
#include "connectors/blackhole/blackhole_sink.h"
#include "sink/sink_task.h"
#include "sluice/batch_builder.h"
#include "sluice/database.h"

namespace sluice {
namespace {

using Clock = std::chrono::steady_clock;

double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

RecordBatch make_batch(int rows) {
  BatchBuilder b(make_schema({{"n", DataType::kInt64}, {"v", DataType::kDouble}}));
  for (int i = 0; i < rows; ++i) {
    b.column(0).append_int64(i);
    b.column(1).append_double(i * 0.25);
  }
  return b.finish();
}

struct Rate {
  double events_per_second;
  double events_per_cpu_second;
};

Rate fan_out(int sinks) {
  auto db = Database::open().value();
  std::string ddl =
      "CREATE SOURCE t (n BIGINT, v DOUBLE); CREATE STREAM s AS SELECT n, v FROM t WHERE n >= 0;";
  for (int i = 0; i < sinks; ++i)
    ddl += "CREATE SINK b" + std::to_string(i) + " FROM s INTO blackhole ();";
  (void)db->execute(ddl);
  auto src = db->source("t").value();
  const RecordBatch batch = make_batch(1024);
  constexpr int kBatches = 10000;
  const double cpu0 = cpu_seconds();
  const auto t0 = Clock::now();
  for (int i = 0; i < kBatches; ++i) (void)src.push(batch);
  (void)db->shutdown();  // drains: every sink has written every batch
  const double wall = std::chrono::duration<double>(Clock::now() - t0).count();
  const double cpu = cpu_seconds() - cpu0;
  for (int i = 0; i < sinks; ++i) {
    auto m = db->sink_metrics("b" + std::to_string(i));
    if (!m.ok() || m->rows != int64_t{kBatches} * 1024) std::fprintf(stderr, "sink b%d short\n", i);
  }
  const double events = double{kBatches} * 1024;
  return {events / wall, events / cpu};
}

void hand_off() {
  sink::SinkOptions options;
  options.queue_capacity = 1 << 16;
  sink::SinkTask task("b", connectors::blackhole::make_blackhole_sink(), options);
  (void)task
      .start({make_schema({{"n", DataType::kInt64}, {"v", DataType::kDouble}})}, nullptr, nullptr)
      ->wait();
  const RecordBatch batch = make_batch(16);
  std::atomic<bool> never{false};
  constexpr int kHandOffs = 1'000'000;
  auto t0 = Clock::now();
  for (int i = 0; i < kHandOffs; ++i) (void)task.submit(batch, never);
  const double submit_ns =
      std::chrono::duration<double, std::nano>(Clock::now() - t0).count() / kHandOffs;
  (void)task.close();

  MpscQueue<RecordBatch> queue(1 << 16);
  std::atomic<bool> done{false};
  std::thread consumer([&] {
    RecordBatch out;
    while (queue.pop(out) == QueueStatus::kOk) {
    }
    done = true;
  });
  t0 = Clock::now();
  for (int i = 0; i < kHandOffs; ++i) {
    RecordBatch copy = batch;
    (void)queue.push(copy);
  }
  const double push_ns =
      std::chrono::duration<double, std::nano>(Clock::now() - t0).count() / kHandOffs;
  queue.close();
  consumer.join();
  std::printf(
      "\nhand-off of one batch to a sink: %.0f ns (a bare queue push of it: %.0f ns; ratio %.2f)\n",
      submit_ns, push_ns, submit_ns / push_ns);
}

}  // namespace
}  // namespace sluice

int main() {
  std::printf("%-8s %16s %22s %12s\n", "sinks", "M events/s", "M events/CPU-second", "÷ 0 sinks");
  const sluice::Rate base = sluice::fan_out(0);
  std::printf("%-8d %16.1f %22.1f %12s\n", 0, base.events_per_second / 1e6,
              base.events_per_cpu_second / 1e6, "1.00");
  for (int sinks : {1, 4, 16}) {
    const sluice::Rate r = sluice::fan_out(sinks);
    std::printf("%-8d %16.1f %22.1f %12.2f\n", sinks, r.events_per_second / 1e6,
                r.events_per_cpu_second / 1e6, r.events_per_second / base.events_per_second);
  }
  sluice::hand_off();
  return 0;
}
