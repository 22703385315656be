// Nexmark q0, q1, q2 into a blackhole sink, each in its own child process so that its CPU
// time and peak RSS are its own. The generator's cost is measured alone, in the same run,
// and stated: events per CPU-second with the generator included and excluded.
//
//   build/release/bench/nexmark [--events N] [--credits ROWS] [--event-rate N] [--only Q,...]
//                               [--rss-every SECONDS] [--json FILE]
// (--credits: DatabaseOptions::source_credits, the source's rows in flight; default the
// database's. --event-rate: events per second of event time, the source's 'event.rate'
// (default 10 M: 10 M events span 1 s). --only: these queries, e.g. q5-agg,q7-agg; the
// operator-alone run comes with q5-agg. --rss-every: each query's resident set and the events
// (bids) its source has read, printed to stderr every so many seconds while it runs.)
//
// q5-agg and q7-agg are the windowed aggregation halves of q5 and q7 (the full queries join
// their result back to the bids, and joins are not built yet).
//
// Events are all Nexmark events (2% persons, 6% auctions, 92% bids); the queries read bids.
//
// Last, q5-agg's aggregate operator alone, fed by the generator on one thread: its peak RSS
// less the generator's, per live group, is the operator's memory per group (in a pipeline the
// source's buffer of in-flight rows fills while the aggregate is slower than the generator,
// and its rows count in the pipeline's peak RSS).
//
// One run each at 10 M events (2 vCPU shared with other work, load ~5; the generator alone
// 6.5 M events/CPU-s, 4 MB). Nexmark's event time runs at 10 M events/s, so 10 M events
// span 1 s: no q5 HOP window (10 s) or q7 TUMBLE window (10 s) closes in the run, and every
// q5-agg group (3.0 M) is live at the end.
//   main at 4ce2b5c, source credits 1 M rows:
//     q5-agg  2.25 M events/CPU-s with the generator, 3.43 without; peak RSS 541 MB, 189 B
//             per live group (the operator alone: 7.76 M events/CPU-s, 164 MB, 56 B)
//     q7-agg  4.71 M events/CPU-s with, 16.9 without; peak RSS 22 MB (one live group)
//   --credits 65536: q5-agg 2.66 / 4.71, 190 MB (66 B per live group); q7-agg 30 MB
//   --credits 16384 (the default since): q5-agg 2.47 / 6.56, 178 MB (62 B per live group,
//     goal ≤ 64); q7-agg 4.47 with, 15 MB
// At 50 M events (5 s of event time; default credits 16384): q5-agg 2.57 / 4.74, 601 MB peak
// RSS with 11.4 M groups live at most (55 B per live group; only the windows ending at 2 s
// and 4 s close, so live state still grows); q7-agg 4.24 / 17.6, 16 MB (flat: one group).
// With --event-rate 1000000 (50 M events span 50 s; q5's windows close from 10 s on), load
// 9-14: q5-agg's peak RSS 109 MB at 10 M and 25 M events, 129 MB at 50 M; its operator alone
// 97 / 92 / 96 MB with 1.80 M groups live at most in each. --rss-every 5 at 50 M: 105 MB once
// 11.3 M bids were read (the first windows closing), then 107-113 MB from 13.5 M to 46 M bids
// (flat, within allocator slack); q7-agg 15-16 MB throughout.

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "connectors/generator/nexmark.h"
#include "dataflow/aggregate_operator.h"
#include "sluice/database.h"
#include "sql/binder.h"
#include "sql/parser.h"

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

// The generator's options: the run's event rate (events per second of event time).
connectors::NexmarkOptions generator_options(int64_t event_rate) {
  connectors::NexmarkOptions o;
  o.event_rate = static_cast<double>(event_rate);
  return o;
}

// The process's resident set now, in MB (/proc/self/statm's second field, in pages).
double rss_mb() {
  long pages = 0, resident = 0;
  if (std::FILE* f = std::fopen("/proc/self/statm", "r")) {
    if (std::fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
    std::fclose(f);
  }
  return static_cast<double>(resident) * static_cast<double>(sysconf(_SC_PAGESIZE)) / 1048576;
}

// Prints the query's resident set and the bids its source has read every `every_s`
// seconds until destroyed: whether state stays flat once windows close, not only its peak.
// Thread: made and destroyed on one thread; samples on its own.
class RssTimeline {
 public:
  RssTimeline(const char* name, double every_s, Database& db) {
    if (every_s <= 0) return;
    thread_ = std::thread([this, name, every_s, &db] {
      const auto t0 = std::chrono::steady_clock::now();
      std::unique_lock lock(mutex_);
      while (!stop_) {
        stopped_.wait_for(lock, std::chrono::duration<double>(every_s));
        const auto source = db.source_metrics("bid");
        std::fprintf(stderr, "  %s: %6.1f s  %11lld bids read  %7.1f MB RSS\n", name,
                     std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(),
                     static_cast<long long>(source.ok() ? source->pushed_rows : -1), rss_mb());
      }
    });
  }
  ~RssTimeline() {
    if (!thread_.joinable()) return;
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    stopped_.notify_all();
    thread_.join();
  }

 private:
  std::mutex mutex_;
  std::condition_variable stopped_;
  bool stop_ = false;
  std::thread thread_;
};

int64_t run_query(int64_t events, int64_t credits, int64_t event_rate, const std::string& select,
                  const char* name, double rss_every_s) {
  DatabaseOptions options;
  if (credits > 0) options.source_credits = credits;
  auto db = Database::open(options).value();
  auto r = db->execute("CREATE SOURCE bid WITH (connector = 'nexmark', table = 'bid', limit = '" +
                       std::to_string(events) + "', 'event.rate' = '" + std::to_string(event_rate) +
                       "'); CREATE SINK q AS " + select + " INTO blackhole ()");
  if (!r.ok()) {
    std::fprintf(stderr, "%s\n", r.status().to_string().c_str());
    return -1;
  }
  {
    RssTimeline timeline(name, rss_every_s, *db);
    if (!db->start().ok() || !db->wait_for_bounded_sources().ok()) return -1;
  }
  if (!db->shutdown().ok()) return -1;
  return db->sink_metrics("q")->rows;
}

// The generator alone: the same events, built into the same batches, going nowhere.
int64_t run_generator(int64_t events, int64_t event_rate) {
  using connectors::NexmarkTable;
  connectors::NexmarkGenerator generator(NexmarkTable::kBid, generator_options(event_rate));
  BatchBuilder builder(connectors::nexmark_schema(NexmarkTable::kBid));
  int64_t rows = 0;
  for (int64_t first = 0; first < events; first += 4096) {
    rows += generator.generate(first, std::min<int64_t>(4096, events - first), builder);
    RecordBatch batch = builder.finish();
    if (batch.num_rows() < 0) return -1;
  }
  return rows;
}

// q5-agg's aggregate operator alone, fed by the generator on the same thread: no source
// buffer, so the peak RSS above the generator's is the operator's (its state and the rows it
// emits at the end). Returns rows out; `live` gets the most groups live at once.
int64_t run_q5_operator(int64_t events, int64_t event_rate, const char* select, int64_t& live) {
  using connectors::NexmarkTable;
  sql::Catalog catalog;
  auto source = std::make_shared<sql::SourceDef>();
  source->name = "bid";
  source->schema = connectors::nexmark_schema(NexmarkTable::kBid);
  source->watermark_column = source->schema->find("date_time");
  catalog.add(sql::Catalog::Entry{sql::ObjectKind::kSource, source, nullptr, nullptr});
  auto stmt = sql::parse_statement(select);
  if (!stmt.ok()) return -1;
  auto query = sql::Binder(catalog).bind_query(*stmt->query);
  if (!query.ok()) return -1;
  dataflow::AggregateOperator op(std::make_shared<const sql::BoundQuery>(std::move(query).value()),
                                 false);
  connectors::NexmarkGenerator generator(NexmarkTable::kBid, generator_options(event_rate));
  BatchBuilder builder(source->schema);
  int64_t rows = 0, watermark = dataflow::kNoWatermark;
  std::vector<RecordBatch> out;
  for (int64_t first = 0; first < events; first += 4096) {
    generator.generate(first, std::min<int64_t>(4096, events - first), builder);
    RecordBatch batch = builder.finish();
    const Column& ts = batch.column(source->watermark_column);
    for (int64_t r = 0; r < batch.num_rows(); ++r)
      watermark = std::max(watermark, ts.int64_value(r));
    if (!op.process(batch, out).ok() || !op.on_watermark(watermark, out).ok()) return -1;
    live = std::max(live, static_cast<int64_t>(op.live_groups()));
    for (const RecordBatch& b : out) rows += b.num_rows();
    out.clear();
  }
  if (!op.on_watermark(dataflow::kFinalWatermark, out).ok()) return -1;
  for (const RecordBatch& b : out) rows += b.num_rows();
  return rows;
}

}  // namespace
}  // namespace sluice

int main(int argc, char** argv) {
  int64_t events = 5'000'000;
  const char* json_path = nullptr;
  int64_t credits = 0;
  int64_t event_rate = 10'000'000;
  std::string only;
  double rss_every_s = 0;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--events") == 0 && i + 1 < argc) {
      events = std::atoll(argv[++i]);
    } else if (std::strcmp(argv[i], "--credits") == 0 && i + 1 < argc) {
      credits = std::atoll(argv[++i]);
    } else if (std::strcmp(argv[i], "--event-rate") == 0 && i + 1 < argc) {
      event_rate = std::max<int64_t>(1, std::atoll(argv[++i]));
    } else if (std::strcmp(argv[i], "--rss-every") == 0 && i + 1 < argc) {
      rss_every_s = std::atof(argv[++i]);
    } else if (std::strcmp(argv[i], "--only") == 0 && i + 1 < argc) {
      only = "," + std::string(argv[++i]) + ",";
    } else if (std::strcmp(argv[i], "--json") == 0 && i + 1 < argc) {
      json_path = argv[++i];
    } else {
      std::fprintf(stderr,
                   "usage: %s [--events N] [--credits ROWS] [--event-rate N] [--only Q,...] "
                   "[--rss-every SECONDS] [--json FILE]\n",
                   argv[0]);
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
  const auto wanted = [&](const char* name) {
    return only.empty() || only.find("," + std::string(name) + ",") != std::string::npos;
  };
  const sluice::Measure gen =
      sluice::in_child([&] { return sluice::run_generator(events, event_rate); });
  std::printf(
      "Nexmark, %lld events (%.0f%% bids, %.1f s of event time), 2 vCPU; generator alone: "
      "%.2f M events per CPU-second\n\n",
      static_cast<long long>(events), 92.0,
      static_cast<double>(events) / static_cast<double>(event_rate),
      static_cast<double>(events) / gen.cpu / 1e6);
  std::printf("%-7s %12s %16s %26s %26s %10s %10s\n", "query", "M events/s", "CPU seconds",
              "M events/CPU-s (with gen)", "M events/CPU-s (w/o gen)", "rows out", "peak RSS");
  std::string json = "{\"events\":" + std::to_string(events) +
                     ",\"event_rate\":" + std::to_string(event_rate) +
                     ",\"generator_cpu_s\":" + std::to_string(gen.cpu) + ",\"queries\":[";
  bool all_ok = gen.ok;
  for (size_t i = 0; i < std::size(queries); ++i) {
    const auto& q = queries[i];
    if (!wanted(q.name)) continue;
    const sluice::Measure m = sluice::in_child(
        [&] { return sluice::run_query(events, credits, event_rate, q.sql, q.name, rss_every_s); });
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
        json.back() == '[' ? "" : ",", q.name, rate * 1e6, m.cpu, per_cpu * 1e6, without * 1e6,
        static_cast<long long>(m.rows_out), m.peak_rss_mb, m.ok ? "true" : "false");
    json += entry;
  }
  json += "]";
  const auto finish = [&] {
    json += "}\n";
    std::printf("\n%s", json.c_str());
    if (json_path != nullptr) {
      if (std::FILE* f = std::fopen(json_path, "w")) {
        std::fputs(json.c_str(), f);
        std::fclose(f);
      }
    }
    return all_ok ? 0 : 1;
  };
  if (!wanted("q5-agg")) return finish();
  // The aggregate alone (no runtime, no source buffer): its memory per live group.
  const sluice::Measure op = sluice::in_child([&] {
    int64_t most = 0;
    const int64_t rows = sluice::run_q5_operator(events, event_rate, queries[3].sql, most);
    return rows < 0 ? rows : rows * 100'000'000 + most;  // both through the child's one value
  });
  const int64_t op_rows = op.rows_out / 100'000'000, op_live = op.rows_out % 100'000'000;
  const double op_without =
      op.cpu > gen.cpu ? static_cast<double>(events) / (op.cpu - gen.cpu) / 1e6 : 0;
  const double per_group =
      op_live > 0 ? (op.peak_rss_mb - gen.peak_rss_mb) * 1024 * 1024 / static_cast<double>(op_live)
                  : 0;
  std::printf(
      "\nq5-agg's operator alone (generator → AggregateOperator, one thread): %.2f M events/CPU-s "
      "w/o gen, %lld rows out, %lld live groups at most, peak RSS %.0f MB (generator alone %.0f "
      "MB): %.0f bytes per live group%s\n",
      op_without, static_cast<long long>(op_rows), static_cast<long long>(op_live), op.peak_rss_mb,
      gen.peak_rss_mb, per_group, op.ok ? "" : "  FAILED");
  all_ok &= op.ok;
  char entry[300];
  std::snprintf(entry, sizeof entry,
                ",\"q5_operator\":{\"events_per_cpu_s_without_generator\":%.0f,\"rows_out\":%lld,"
                "\"live_groups\":%lld,\"peak_rss_mb\":%.1f,\"bytes_per_live_group\":%.0f}",
                op_without * 1e6, static_cast<long long>(op_rows), static_cast<long long>(op_live),
                op.peak_rss_mb, per_group);
  json += entry;
  return finish();
}
