// Runtime benchmarks, each beside floors measured in the same run:
//   floors      one-way hand-off between two threads: spinning on a cache line, and a futex
//               wake of a sleeping thread (the cost a sleeping compute thread pays per wake);
//   latency     push → subscription, one-row events at a fixed rate (10 K and 100 K /s):
//               p50 / p99 / p99.9, and p50 ÷ the futex floor;
//   throughput  pass-through of 1,024-row batches: events/s and events per CPU-second.
//   build/release/bench/runtime_bench [seconds per latency run, default 1]

#include <linux/futex.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "common/backoff.h"
#include "common/histogram.h"
#include "sluice/batch_builder.h"
#include "sluice/database.h"

namespace sluice {
namespace {

using Clock = std::chrono::steady_clock;

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
      .count();
}

double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

void print_row(const char* name, const HistogramSummary& s) {
  std::printf("%-34s %9.2f %9.2f %9.2f %9.2f  (%llu samples)\n", name,
              static_cast<double>(s.p50) / 1000, static_cast<double>(s.p99) / 1000,
              static_cast<double>(s.p999) / 1000, static_cast<double>(s.max) / 1000,
              static_cast<unsigned long long>(s.count));
}

// One-way latency of a ping-pong: half of each round trip.
HistogramSummary spin_floor() {
  std::atomic<int64_t> ball{0};
  Histogram h;
  constexpr int kRounds = 200000;
  std::thread other([&] {
    for (int64_t i = 1; i <= kRounds; ++i) {
      while (ball.load(std::memory_order_acquire) != 2 * i - 1) Backoff::cpu_relax();
      ball.store(2 * i, std::memory_order_release);
    }
  });
  for (int64_t i = 1; i <= kRounds; ++i) {
    const int64_t start = now_ns();
    ball.store(2 * i - 1, std::memory_order_release);
    while (ball.load(std::memory_order_acquire) != 2 * i) Backoff::cpu_relax();
    h.record(static_cast<uint64_t>((now_ns() - start) / 2));
  }
  other.join();
  return h.summary();
}

void futex_wait(std::atomic<uint32_t>& word, uint32_t value) {
  syscall(SYS_futex, reinterpret_cast<uint32_t*>(&word), FUTEX_WAIT_PRIVATE, value, nullptr,
          nullptr, 0);
}
void futex_wake(std::atomic<uint32_t>& word) {
  syscall(SYS_futex, reinterpret_cast<uint32_t*>(&word), FUTEX_WAKE_PRIVATE, INT_MAX, nullptr,
          nullptr, 0);
}

HistogramSummary futex_floor() {
  std::atomic<uint32_t> ping{0}, pong{0};
  Histogram h;
  constexpr uint32_t kRounds = 20000;
  std::thread other([&] {
    for (uint32_t i = 1; i <= kRounds; ++i) {
      while (ping.load(std::memory_order_acquire) != i) futex_wait(ping, i - 1);
      pong.store(i, std::memory_order_release);
      futex_wake(pong);
    }
  });
  for (uint32_t i = 1; i <= kRounds; ++i) {
    const int64_t start = now_ns();
    ping.store(i, std::memory_order_release);
    futex_wake(ping);
    while (pong.load(std::memory_order_acquire) != i) futex_wait(pong, i - 1);
    h.record(static_cast<uint64_t>((now_ns() - start) / 2));
  }
  other.join();
  return h.summary();
}

// Events carry their send time; the subscriber records receive - send.
HistogramSummary push_to_subscription(int rate_per_second, double seconds) {
  auto db = Database::open().value();
  (void)db->execute("CREATE SOURCE e (sent BIGINT); CREATE STREAM s AS SELECT sent FROM e");
  SubscribeOptions options;
  options.capacity = 4096;
  auto sub = db->subscribe("s", options).value();
  auto src = db->source("e").value();
  const auto events = static_cast<int64_t>(rate_per_second * seconds);
  Histogram h;
  std::thread receiver([&] {
    int64_t seen = 0;
    while (seen < events) {
      auto b = sub.recv();
      if (!b.ok()) return;
      const int64_t now = now_ns();
      for (int64_t r = 0; r < b->num_rows(); ++r)
        h.record(static_cast<uint64_t>(now - b->column(0).int64_value(r)));
      seen += b->num_rows();
    }
  });
  const SchemaPtr schema = src.schema();
  const int64_t interval = 1'000'000'000 / rate_per_second;
  int64_t next = now_ns();
  for (int64_t i = 0; i < events; ++i) {
    // Pace the producer: sleep until just before the send time, then spin the rest, so the
    // pacing itself does not occupy a core of this 2-vCPU machine.
    if (next - now_ns() > 80'000)
      std::this_thread::sleep_for(std::chrono::nanoseconds(next - now_ns() - 60'000));
    while (now_ns() < next) Backoff::cpu_relax();
    next += interval;
    BatchBuilder b(schema);
    b.column(0).append_int64(now_ns());
    (void)src.push(b.finish());
  }
  receiver.join();
  (void)db->shutdown();
  return h.summary();
}

void throughput() {
  auto db = Database::open().value();
  (void)db->execute("CREATE SOURCE e (n BIGINT, v DOUBLE); CREATE STREAM s AS SELECT n, v FROM e");
  SubscribeOptions options;
  options.capacity = 1024;
  auto sub = db->subscribe("s", options).value();
  auto src = db->source("e").value();
  BatchBuilder builder(src.schema());
  for (int i = 0; i < 1024; ++i) {
    builder.column(0).append_int64(i);
    builder.column(1).append_double(i * 0.5);
  }
  const RecordBatch batch = builder.finish();
  constexpr int64_t kBatches = 20000;
  std::atomic<int64_t> received{0};
  std::thread receiver([&] {
    while (received.load() < kBatches * 1024) {
      auto b = sub.recv();
      if (!b.ok()) return;
      received += b->num_rows();
    }
  });
  const double cpu0 = cpu_seconds();
  const auto t0 = Clock::now();
  for (int64_t i = 0; i < kBatches; ++i) (void)src.push(batch);
  receiver.join();
  const double wall = std::chrono::duration<double>(Clock::now() - t0).count();
  const double cpu = cpu_seconds() - cpu0;
  const double events = static_cast<double>(kBatches * 1024);
  std::printf(
      "\npass-through, 1,024-row batches: %.1f M events/s wall, %.1f M events per CPU-second "
      "(%.2f CPU-s for %.0f M events; pusher, compute and subscriber threads all counted)\n",
      events / wall / 1e6, events / cpu / 1e6, cpu, events / 1e6);
}

}  // namespace
}  // namespace sluice

int main(int argc, char** argv) {
  const double seconds = argc > 1 ? std::atof(argv[1]) : 1.0;
  using sluice::print_row;
  std::printf("%-34s %9s %9s %9s %9s   (microseconds, one way)\n", "", "p50", "p99", "p99.9",
              "max");
  const auto spin = sluice::spin_floor();
  const auto futex = sluice::futex_floor();
  print_row("floor: spinning hand-off", spin);
  print_row("floor: futex wake of a sleeper", futex);
  for (int rate : {10000, 100000}) {
    const auto s = sluice::push_to_subscription(rate, seconds);
    char name[64];
    std::snprintf(name, sizeof name, "push -> subscription @ %dK/s", rate / 1000);
    print_row(name, s);
    std::printf("%-34s p50 = %.1f x futex floor, %.1f x spin floor\n", "",
                static_cast<double>(s.p50) / static_cast<double>(futex.p50),
                static_cast<double>(s.p50) / static_cast<double>(std::max<uint64_t>(spin.p50, 1)));
  }
  sluice::throughput();
  return 0;
}
