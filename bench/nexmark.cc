// Nexmark q0, q1, q2 into a blackhole sink, each in its own child process so that its CPU
// time and peak RSS are its own. The generator's cost is measured alone, in the same run,
// and stated: events per CPU-second with the generator included and excluded.
//
//   build/release/bench/nexmark [--events N] [--json FILE]
//
// q5-agg and q7-agg are the windowed aggregation halves of q5 and q7 (the full queries join
// their result back to the bids, and joins are not built yet).
//
// Events are all Nexmark events (2% persons, 6% auctions, 92% bids); the queries read bids.

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "connectors/generator/nexmark.h"
#include "sluice/database.h"

namespace sluice {
namespace {

struct Measure {
  double wall = 0;
  double cpu = 0;
  double peak_rss_mb = 0;
  int64_t rows_out = 0;
  bool ok = false;
};

double cpu_of(const rusage& u) {
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// Runs `work` in a child; the child reports wall time and output rows through a pipe, the
// parent reads the child's CPU time and peak RSS from wait4.
template <typename Work>
Measure in_child(Work work) {
  int fds[2];
  if (pipe(fds) != 0) return {};
  const pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    const auto t0 = std::chrono::steady_clock::now();
    const int64_t rows = work();
    const double wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const ssize_t written = write(fds[1], &wall, sizeof wall) + write(fds[1], &rows, sizeof rows);
    _exit(rows >= 0 && written == static_cast<ssize_t>(sizeof wall + sizeof rows) ? 0 : 1);
  }
  close(fds[1]);
  Measure m;
  const bool got = read(fds[0], &m.wall, sizeof m.wall) == sizeof m.wall &&
                   read(fds[0], &m.rows_out, sizeof m.rows_out) == sizeof m.rows_out;
  close(fds[0]);
  int status = 0;
  rusage usage{};
  wait4(pid, &status, 0, &usage);
  m.cpu = cpu_of(usage);
  m.peak_rss_mb = static_cast<double>(usage.ru_maxrss) / 1024;
  m.ok = got && WIFEXITED(status) && WEXITSTATUS(status) == 0;
  return m;
}

int64_t run_query(int64_t events, const std::string& select) {
  auto db = Database::open().value();
  auto r =
      db->execute("CREATE SOURCE bid WITH (connector = 'nexmark', table = 'bid', limit = '" +
                  std::to_string(events) + "'); CREATE SINK q AS " + select + " INTO blackhole ()");
  if (!r.ok()) {
    std::fprintf(stderr, "%s\n", r.status().to_string().c_str());
    return -1;
  }
  if (!db->start().ok() || !db->wait_for_bounded_sources().ok() || !db->shutdown().ok()) return -1;
  return db->sink_metrics("q")->rows;
}

// The generator alone: the same events, built into the same batches, going nowhere.
int64_t run_generator(int64_t events) {
  using connectors::NexmarkTable;
  connectors::NexmarkGenerator generator(NexmarkTable::kBid, {});
  BatchBuilder builder(connectors::nexmark_schema(NexmarkTable::kBid));
  int64_t rows = 0;
  for (int64_t first = 0; first < events; first += 4096) {
    rows += generator.generate(first, std::min<int64_t>(4096, events - first), builder);
    RecordBatch batch = builder.finish();
    if (batch.num_rows() < 0) return -1;
  }
  return rows;
}

}  // namespace
}  // namespace sluice

int main(int argc, char** argv) {
  int64_t events = 5'000'000;
  const char* json_path = nullptr;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--events") == 0 && i + 1 < argc) {
      events = std::atoll(argv[++i]);
    } else if (std::strcmp(argv[i], "--json") == 0 && i + 1 < argc) {
      json_path = argv[++i];
    } else {
      std::fprintf(stderr, "usage: %s [--events N] [--json FILE]\n", argv[0]);
      return 2;
    }
  }
  struct Query {
    const char* name;
    const char* sql;
  };
  const Query queries[] = {
      {"q0", "SELECT * FROM bid"},
      {"q1", "SELECT auction, bidder, 0.908 * price AS price, date_time FROM bid"},
      {"q2", "SELECT auction, price FROM bid WHERE auction % 123 = 0"},
      // The stateful queries' windowed halves (the full q5 and q7 need joins, not built yet):
      // bids per auction over a sliding 10 s window every 2 s, and the top price per 10 s.
      {"q5-agg",
       "SELECT auction, window_start, COUNT(*) AS bids FROM bid "
       "GROUP BY auction, HOP(date_time, INTERVAL '2' SECOND, INTERVAL '10' SECOND)"},
      {"q7-agg",
       "SELECT window_start, MAX(price) AS top FROM bid GROUP BY TUMBLE(date_time, INTERVAL '10' "
       "SECOND)"},
  };
  const sluice::Measure gen = sluice::in_child([&] { return sluice::run_generator(events); });
  std::printf(
      "Nexmark, %lld events (%.0f%% bids), 2 vCPU; generator alone: %.2f M events per "
      "CPU-second\n\n",
      static_cast<long long>(events), 92.0, static_cast<double>(events) / gen.cpu / 1e6);
  std::printf("%-7s %12s %16s %26s %26s %10s %10s\n", "query", "M events/s", "CPU seconds",
              "M events/CPU-s (with gen)", "M events/CPU-s (w/o gen)", "rows out", "peak RSS");
  std::string json = "{\"events\":" + std::to_string(events) +
                     ",\"generator_cpu_s\":" + std::to_string(gen.cpu) + ",\"queries\":[";
  bool all_ok = gen.ok;
  for (size_t i = 0; i < std::size(queries); ++i) {
    const auto& q = queries[i];
    const sluice::Measure m = sluice::in_child([&] { return sluice::run_query(events, q.sql); });
    all_ok &= m.ok;
    const double rate = static_cast<double>(events) / m.wall / 1e6;
    const double per_cpu = static_cast<double>(events) / m.cpu / 1e6;
    const double without =
        m.cpu > gen.cpu ? static_cast<double>(events) / (m.cpu - gen.cpu) / 1e6 : 0;
    std::printf("%-7s %12.2f %16.2f %26.2f %26.2f %10lld %7.0f MB%s\n", q.name, rate, m.cpu,
                per_cpu, without, static_cast<long long>(m.rows_out), m.peak_rss_mb,
                m.ok ? "" : "  FAILED");
    char entry[400];
    std::snprintf(
        entry, sizeof entry,
        "%s{\"query\":\"%s\",\"events_per_s\":%.0f,\"cpu_s\":%.3f,\"events_per_cpu_s\":%.0f,"
        "\"events_per_cpu_s_without_generator\":%.0f,\"rows_out\":%lld,\"peak_rss_mb\":%.1f,\"ok\":"
        "%s}",
        i ? "," : "", q.name, rate * 1e6, m.cpu, per_cpu * 1e6, without * 1e6,
        static_cast<long long>(m.rows_out), m.peak_rss_mb, m.ok ? "true" : "false");
    json += entry;
  }
  json += "]}\n";
  std::printf("\n%s", json.c_str());
  if (json_path != nullptr) {
    if (std::FILE* f = std::fopen(json_path, "w")) {
      std::fputs(json.c_str(), f);
      std::fclose(f);
    }
  }
  return all_ok ? 0 : 1;
}
