#include "run_command.h"

#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "common/wait_signal.h"
#include "error_marker.h"
#include "sluice/database.h"

namespace sluice::cli {
namespace {

std::atomic<bool> g_interrupted{false};
// The first Ctrl-C (or SIGTERM) stops the run in order: input ends, what was accepted is
// delivered and checkpointed. A second one stops the process at once, whatever the drain
// waits on (a sink retrying an unreachable server): a durable pipeline recovers from that as
// from a crash. Only async-signal-safe calls here.
extern "C" void on_signal(int signal) {
  if (!g_interrupted.exchange(true)) {
    constexpr char kFirst[] = "\nsluice: stopping (interrupt again to stop at once)\n";
    ::write(STDERR_FILENO, kFirst, sizeof kFirst - 1);
    return;
  }
  std::signal(signal, SIG_DFL);
  std::raise(signal);
}

// The pipeline's sources and sinks, read once: a run declares them up front.
struct Names {
  std::vector<std::string> sources, sinks;
};

Names names(Database& db) {
  Names n;
  if (auto r = db.execute("SHOW SOURCES"); r.ok()) {
    for (int64_t i = 0; i < r->rows.num_rows(); ++i)
      n.sources.emplace_back(r->rows.column(0).string_value(i));
  }
  if (auto r = db.execute("SHOW SINKS"); r.ok()) {
    for (int64_t i = 0; i < r->rows.num_rows(); ++i)
      n.sinks.emplace_back(r->rows.column(0).string_value(i));
  }
  return n;
}

struct Totals {
  int64_t in = 0;
  int64_t out = 0;
  std::string sinks;  // "name rows (queue n), ..." and, for a sink in trouble, its state
};

// A sink's last error on the status line: long ones are cut (a terminal line must not wrap).
constexpr size_t kShownErrorChars = 160;

// "name rows (queue n)"; a sink that is not simply running also shows its state and last
// error ("(queue n, retrying: SLC-3001 ...)"), so an outage is visible as it happens.
std::string sink_summary(const SinkMetrics& m) {
  std::string out =
      m.name + " " + std::to_string(m.rows) + " (queue " + std::to_string(m.queue_depth);
  if (m.state != "running" && m.state != "closed") {
    out += ", " + m.state;
    if (!m.last_error.empty()) {
      out += ": ";
      out += m.last_error.size() > kShownErrorChars
                 ? m.last_error.substr(0, kShownErrorChars) + "..."
                 : m.last_error;
    }
  }
  return out + ")";
}

// Counters by name; they keep working after shutdown, for the final line.
Totals totals(Database& db, const Names& n) {
  Totals t;
  for (const std::string& s : n.sources) {
    if (auto m = db.source_metrics(s); m.ok()) t.in += m->pushed_rows;
  }
  for (const std::string& s : n.sinks) {
    auto m = db.sink_metrics(s);
    if (!m.ok()) continue;
    t.out += m->rows;
    if (!t.sinks.empty()) t.sinks += ", ";
    t.sinks += sink_summary(*m);
  }
  return t;
}

std::string status_line(const Totals& t, const Totals& last, double elapsed, double seconds) {
  char counts[160];
  std::snprintf(counts, sizeof counts,
                "[%6.1fs] in %lld (%.0f/s)  out %lld (%.0f/s)  sinks: ", elapsed,
                static_cast<long long>(t.in),
                seconds > 0 ? static_cast<double>(t.in - last.in) / seconds : 0.0,
                static_cast<long long>(t.out),
                seconds > 0 ? static_cast<double>(t.out - last.out) / seconds : 0.0);
  return counts + (t.sinks.empty() ? std::string("none") : t.sinks);
}

}  // namespace

int run_file(const RunOptions& options) {
  std::ifstream in(options.file, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "sluice: cannot read %s\n", options.file.c_str());
    return 2;
  }
  std::stringstream text;
  text << in.rdbuf();
  const std::string sql = text.str();

  DatabaseOptions db_options;
  db_options.data_dir = options.data_dir;
  db_options.checkpoint_interval = options.checkpoint_interval;
  db_options.accept_duplicates = options.accept_duplicates;
  db_options.state_memory_max = options.state_memory_max;
  auto opened = Database::open(db_options);
  if (!opened.ok()) {
    std::fprintf(stderr, "sluice: %s\n", opened.status().to_string().c_str());
    return 1;
  }
  std::unique_ptr<Database> db = std::move(opened).value();
  // declare(): on a data_dir that already holds this script's pipeline, the run resumes it.
  auto created = db->declare(sql);
  if (!created.ok()) {
    report_file_error(options.file, sql, created.status(), *db);
    return 1;
  }
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  if (Status s = db->start(); !s.ok()) {
    std::fprintf(stderr, "sluice: %s\n", s.to_string().c_str());
    return 1;
  }
  const bool bounded = db->all_sources_bounded();
  if (!options.duration && !bounded) {
    std::fprintf(stderr,
                 "sluice: some sources never end; running until Ctrl-C (or pass --for DURATION)\n");
  }

  // Watch for the end of bounded input and for a failure, each on its own thread; the main
  // thread reports. A failure ends the run at once: with an endless source nothing else would.
  std::atomic<bool> input_done{false};
  std::atomic<bool> failed{false};
  WaitSignal wake;
  std::thread waiter;
  if (bounded && !options.duration) {
    waiter = std::thread([&] {
      db->wait_for_bounded_sources().ignore();  // an error shows in shutdown() below
      input_done.store(true);
      wake.notify_all();
    });
  }
  std::thread failure_watch([&] {
    // Returns on a failure, or once shutdown() below has finished.
    if (!db->wait_for_failure().ok()) failed.store(true);
    wake.notify_all();
  });
  const Names objects = names(*db);
  const bool terminal = isatty(STDERR_FILENO);
  const auto every = options.status_every.value_or(terminal ? std::chrono::milliseconds(1000)
                                                            : std::chrono::milliseconds(5000));
  const auto start = SteadyClock::now();
  const Deadline end = options.duration ? start + *options.duration : kNoDeadline;
  auto seconds_since = [](SteadyClock::time_point t) {
    return std::chrono::duration<double>(SteadyClock::now() - t).count();
  };
  Totals last;
  auto last_time = start;
  auto next_report = start + every;
  for (;;) {
    // Wake for the next report, the end, or every 200 ms to notice Ctrl-C.
    const Deadline until =
        std::min({next_report, end, SteadyClock::now() + std::chrono::milliseconds(200)});
    wake.wait_until([&] { return input_done.load() || failed.load(); }, until);
    const auto now = SteadyClock::now();
    if (input_done.load() || failed.load() || now >= end || g_interrupted.load()) break;
    if (now >= next_report) {
      const Totals t = totals(*db, objects);
      const std::string line = status_line(t, last, seconds_since(start), seconds_since(last_time));
      std::fprintf(stderr, terminal ? "\r\x1b[K%s" : "%s\n", line.c_str());
      std::fflush(stderr);
      last = t;
      last_time = now;
      next_report = now + every;
    }
  }
  // A bounded source stops by itself once the pipeline has failed (its pushes are refused).
  if (waiter.joinable()) waiter.join();
  Status done = db->shutdown();  // drains: everything accepted is delivered and flushed
  failure_watch.join();          // shutdown() ended its wait
  // The final line comes after the drain, so it counts what the drain delivered.
  std::fflush(stdout);
  const std::string line =
      status_line(totals(*db, objects), last, seconds_since(start), seconds_since(last_time));
  std::fprintf(stderr, terminal ? "\r\x1b[K%s\n" : "%s\n", line.c_str());
  if (!done.ok()) {
    std::fprintf(stderr, "sluice: %s\n", done.to_string().c_str());
    return 1;
  }
  return 0;
}

}  // namespace sluice::cli
