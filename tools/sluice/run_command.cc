#include "run_command.h"

#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

#include "common/wait_signal.h"
#include "error_marker.h"
#include "sluice/database.h"

namespace sluice::cli {
namespace {

std::atomic<bool> g_interrupted{false};
extern "C" void on_signal(int) {
  g_interrupted.store(true);
}

struct Totals {
  int64_t in = 0;
  int64_t out = 0;
  std::string sinks;  // "name rows (queue n), ..."
};

Totals totals(Database& db) {
  Totals t;
  if (auto sources = db.execute("SHOW SOURCES"); sources.ok()) {
    for (int64_t r = 0; r < sources->rows.num_rows(); ++r) {
      if (auto m = db.source_metrics(sources->rows.column(0).string_value(r)); m.ok())
        t.in += m->pushed_rows;
    }
  }
  if (auto sinks = db.execute("SHOW SINKS"); sinks.ok()) {
    for (int64_t r = 0; r < sinks->rows.num_rows(); ++r) {
      const int64_t rows = sinks->rows.column(4).int64_value(r);
      t.out += rows;
      if (!t.sinks.empty()) t.sinks += ", ";
      t.sinks += std::string(sinks->rows.column(0).string_value(r)) + " " + std::to_string(rows) +
                 " (queue " + std::to_string(sinks->rows.column(7).int64_value(r)) + ")";
    }
  }
  return t;
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
  auto opened = Database::open(db_options);
  if (!opened.ok()) {
    std::fprintf(stderr, "sluice: %s\n", opened.status().to_string().c_str());
    return 1;
  }
  std::unique_ptr<Database> db = std::move(opened).value();
  auto created = db->execute(sql);
  if (!created.ok()) {
    std::fprintf(stderr, "%s: %s%s\n", options.file.c_str(),
                 mark_error(sql, created.status()).c_str(), created.status().to_string().c_str());
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

  // Watches for the end of bounded input on its own thread; the main thread reports.
  std::atomic<bool> input_done{false};
  WaitSignal wake;
  std::thread waiter;
  if (bounded && !options.duration) {
    waiter = std::thread([&] {
      db->wait_for_bounded_sources().ignore();  // an error shows in shutdown() below
      input_done.store(true);
      wake.notify_all();
    });
  }
  const bool terminal = isatty(STDERR_FILENO);
  const auto every = terminal ? options.status_every : std::chrono::milliseconds(5000);
  const auto start = SteadyClock::now();
  const Deadline end = options.duration ? start + *options.duration : kNoDeadline;
  Totals last;
  auto last_time = start;
  auto next_report = start + every;
  for (;;) {
    // Wake for the next report, the end, or every 200 ms to notice Ctrl-C.
    const Deadline until =
        std::min({next_report, end, SteadyClock::now() + std::chrono::milliseconds(200)});
    wake.wait_until([&] { return input_done.load(); }, until);
    const auto now = SteadyClock::now();
    const bool finished = input_done.load() || now >= end || g_interrupted.load();
    if (now >= next_report || finished) {
      const Totals t = totals(*db);
      const double seconds = std::chrono::duration<double>(now - last_time).count();
      char line[512];
      std::snprintf(line, sizeof line, "[%6.1fs] in %lld (%.0f/s)  out %lld (%.0f/s)  sinks: %s",
                    std::chrono::duration<double>(now - start).count(),
                    static_cast<long long>(t.in),
                    seconds > 0 ? static_cast<double>(t.in - last.in) / seconds : 0.0,
                    static_cast<long long>(t.out),
                    seconds > 0 ? static_cast<double>(t.out - last.out) / seconds : 0.0,
                    t.sinks.empty() ? "none" : t.sinks.c_str());
      std::fprintf(stderr, terminal ? "\r\x1b[K%s" : "%s\n", line);
      std::fflush(stderr);
      last = t;
      last_time = now;
      next_report = now + every;
    }
    if (finished) break;
  }
  if (terminal) std::fprintf(stderr, "\n");
  if (waiter.joinable()) waiter.join();
  Status done = db->shutdown();  // drains: everything accepted is delivered and flushed
  if (!done.ok()) {
    std::fprintf(stderr, "sluice: %s\n", done.to_string().c_str());
    return 1;
  }
  return 0;
}

}  // namespace sluice::cli
