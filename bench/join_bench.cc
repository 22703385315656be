// The interval join operator (dataflow/join_interval.h) over two generated streams, against a
// hand-written interval join in the same run:
//   SELECT … FROM l JOIN r ON l.k = r.k AND r.ts BETWEEN l.ts - 1 s AND l.ts + 1 s
// Each side: --rows rows (default 2 M) over --keys keys (100 K), 10 µs of event time apart,
// a little out of order; batches of 4,096 alternate between the sides, each followed by its
// watermark (newest time - 100 ms). Each variant runs in a child process of its own, which
// gives its CPU time and peak RSS (wait4):
//   generate   the batches alone (the floor both joins stand on: its CPU and RSS subtracted);
//   sluice     the operator: rows in per CPU-second, peak RSS per live row (the most rows its
//              state held at once), and its own count of state bytes per live row;
//   baseline   a loop over std::unordered_multimap<key, row> per side (time, value and name
//              as a std::string), pruned from the front in arrival order, building the same
//              output batches.
//   build/release/bench/join_bench [--rows N] [--keys K] [--only sluice|baseline]

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <deque>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "dataflow/join_operator.h"
#include "sluice/batch_builder.h"
#include "sql/bound_expr.h"
#include "sql/bound_plan.h"

namespace sluice {
namespace {

constexpr int64_t kBatch = 4096;
constexpr int64_t kStep = 10;          // µs of event time between rows
constexpr int64_t kBound = 1'000'000;  // ± 1 s
constexpr int64_t kDelay = 100'000;    // watermark = newest - 100 ms
constexpr int64_t kDisorder = 50'000;  // rows up to 50 ms out of order

SchemaPtr side_schema() {
  return make_schema({{"k", DataType::kInt64, true},
                      {"ts", DataType::kTimestamp, true},
                      {"v", DataType::kInt64, true},
                      {"name", DataType::kVarchar, true}});
}

SchemaPtr output_schema() {
  return make_schema({{"k", DataType::kInt64, true},
                      {"ts", DataType::kTimestamp, true},
                      {"v", DataType::kInt64, true},
                      {"name", DataType::kVarchar, true},
                      {"k_2", DataType::kInt64, true},
                      {"ts_2", DataType::kTimestamp, true},
                      {"v_2", DataType::kInt64, true},
                      {"name_2", DataType::kVarchar, true}});
}

// Batch `b` of side `side`: deterministic rows (a cheap xorshift per row).
struct Generator {
  int64_t keys;
  std::string name;
  RecordBatch batch(int side, int64_t b) {
    BatchBuilder out(side_schema());
    uint64_t x = static_cast<uint64_t>(b * 2 + side + 1) * 0x9e3779b97f4a7c15ULL;
    for (int64_t i = 0; i < kBatch; ++i) {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      const int64_t row = b * kBatch + i;
      const int64_t ts = row * kStep - static_cast<int64_t>(x % kDisorder);
      out.column(0).append_int64(static_cast<int64_t>((x >> 20) % static_cast<uint64_t>(keys)));
      out.column(1).append_int64(ts);
      out.column(2).append_int64(row);
      name.assign("user-");
      name += std::to_string((x >> 40) % 100'000);
      out.column(3).append_string(name);
    }
    return out.finish();
  }
  static int64_t watermark(int64_t b) { return ((b + 1) * kBatch - 1) * kStep - kDelay; }
};

std::shared_ptr<sql::BoundJoin> make_join() {
  auto j = std::make_shared<sql::BoundJoin>();
  j->kind = sql::JoinKind::kInterval;
  j->left_schema = j->right_schema = side_schema();
  j->output_schema = output_schema();
  j->left_keys = {sql::make_column(0, DataType::kInt64, "k")};
  j->right_keys = {sql::make_column(0, DataType::kInt64, "k")};
  j->left_time = j->right_time = 1;
  j->lower = j->upper = kBound;
  return j;
}

struct Measured {
  double wall = 0;
  double cpu = 0;
  double peak_rss_mb = 0;
  int64_t rows_out = 0;
  int64_t peak_live = 0;
  int64_t state_bytes_at_peak = 0;
  bool ok = false;
};
struct Reported {
  int64_t rows_out = 0;
  int64_t peak_live = 0;
  int64_t state_bytes_at_peak = 0;
};

// Runs `work` in a child; it reports through a pipe, wait4 gives its CPU time and peak RSS.
template <typename Work>
Measured in_child(Work work) {
  int fds[2];
  if (pipe(fds) != 0) return {};
  const pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    const auto t0 = std::chrono::steady_clock::now();
    const Reported r = work();
    const double wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const bool written =
        write(fds[1], &wall, sizeof wall) == sizeof wall && write(fds[1], &r, sizeof r) == sizeof r;
    _exit(written && r.rows_out >= 0 ? 0 : 1);
  }
  close(fds[1]);
  Measured m;
  Reported r;
  const bool got = read(fds[0], &m.wall, sizeof m.wall) == sizeof m.wall &&
                   read(fds[0], &r, sizeof r) == sizeof r;
  close(fds[0]);
  int status = 0;
  rusage usage{};
  wait4(pid, &status, 0, &usage);
  m.cpu = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
          static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
  m.peak_rss_mb = static_cast<double>(usage.ru_maxrss) / 1024;
  m.rows_out = r.rows_out;
  m.peak_live = r.peak_live;
  m.state_bytes_at_peak = r.state_bytes_at_peak;
  m.ok = got && WIFEXITED(status) && WEXITSTATUS(status) == 0;
  return m;
}

Reported generate_only(int64_t batches, int64_t keys) {
  Generator g{keys, {}};
  Reported r;
  for (int64_t b = 0; b < batches; ++b) {
    for (int side = 0; side < 2; ++side) r.rows_out += g.batch(side, b).num_rows() > 0 ? 0 : 1;
  }
  return r;
}

Reported run_sluice(int64_t batches, int64_t keys) {
  Generator g{keys, {}};
  Reported r;
  auto made = dataflow::make_join_operator(make_join());
  if (!made.ok()) {
    std::fprintf(stderr, "%s\n", made.status().to_string().c_str());
    r.rows_out = -1;
    return r;
  }
  dataflow::JoinOperator& op = **made;
  std::vector<RecordBatch> out;
  for (int64_t b = 0; b < batches; ++b) {
    for (int side = 0; side < 2; ++side) {
      if (!op.process(side, g.batch(side, b), out).ok() ||
          !op.on_watermark(side, Generator::watermark(b), out).ok()) {
        r.rows_out = -1;
        return r;
      }
      for (const RecordBatch& o : out) r.rows_out += o.num_rows();
      out.clear();
    }
    const dataflow::StateStats s = op.state_stats();
    if (s.groups > r.peak_live) {
      r.peak_live = s.groups;
      r.state_bytes_at_peak = s.bytes;
    }
  }
  return r;
}

// The hand-written join: per side a multimap from key to its rows, and the rows in arrival
// order (for pruning from the front once the other side's watermark has passed them).
Reported run_baseline(int64_t batches, int64_t keys) {
  struct Stored {
    int64_t ts;
    int64_t v;
    std::string name;
  };
  using Map = std::unordered_multimap<int64_t, Stored>;
  Generator g{keys, {}};
  Reported r;
  Map maps[2];
  std::deque<Map::iterator> order[2];
  BatchBuilder out(output_schema());
  for (int64_t b = 0; b < batches; ++b) {
    for (int side = 0; side < 2; ++side) {
      const RecordBatch in = g.batch(side, b);
      const Column& k = in.column(0);
      const Column& ts = in.column(1);
      const Column& v = in.column(2);
      const Column& name = in.column(3);
      const int other = 1 - side;
      const int lc = side == 0 ? 0 : 4, rc = side == 0 ? 4 : 0;
      for (int64_t i = 0; i < in.num_rows(); ++i) {
        const int64_t t = ts.int64_value(i);
        auto [from, to] = maps[other].equal_range(k.int64_value(i));
        for (auto it = from; it != to; ++it) {
          const Stored& s = it->second;
          if (s.ts < t - kBound || s.ts > t + kBound) continue;
          out.column(lc).append_int64(k.int64_value(i));
          out.column(lc + 1).append_int64(t);
          out.column(lc + 2).append_int64(v.int64_value(i));
          out.column(lc + 3).append_string(name.string_value(i));
          out.column(rc).append_int64(it->first);
          out.column(rc + 1).append_int64(s.ts);
          out.column(rc + 2).append_int64(s.v);
          out.column(rc + 3).append_string(s.name);
        }
        order[side].push_back(maps[side].emplace(
            k.int64_value(i), Stored{t, v.int64_value(i), std::string(name.string_value(i))}));
      }
      r.rows_out += out.num_rows();
      out.finish();
      // This side's watermark: the other side's rows it has passed go (front first).
      const int64_t limit = Generator::watermark(b) - kBound;
      while (!order[other].empty() && order[other].front()->second.ts < limit) {
        maps[other].erase(order[other].front());
        order[other].pop_front();
      }
    }
    const auto live = static_cast<int64_t>(maps[0].size() + maps[1].size());
    r.peak_live = std::max(r.peak_live, live);
  }
  return r;
}

}  // namespace
}  // namespace sluice

int main(int argc, char** argv) {
  using namespace sluice;
  int64_t rows = 2'000'000, keys = 100'000;
  std::string only;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--rows") == 0) rows = std::stoll(argv[i + 1]);
    if (std::strcmp(argv[i], "--keys") == 0) keys = std::stoll(argv[i + 1]);
    if (std::strcmp(argv[i], "--only") == 0) only = argv[i + 1];
  }
  const int64_t batches = std::max<int64_t>(1, rows / kBatch);
  if (only == "sluice") return run_sluice(batches, keys).rows_out >= 0 ? 0 : 1;  // for a profiler
  if (only == "baseline") return run_baseline(batches, keys).rows_out >= 0 ? 0 : 1;
  const int64_t rows_in = 2 * batches * kBatch;
  const Measured gen = in_child([&] { return generate_only(batches, keys); });
  const Measured ours = in_child([&] { return run_sluice(batches, keys); });
  const Measured base = in_child([&] { return run_baseline(batches, keys); });
  if (!gen.ok || !ours.ok || !base.ok) {
    std::fprintf(stderr, "a run failed\n");
    return 1;
  }
  std::printf("interval join, %lld rows per side, %lld keys, ±1 s, batches of %lld\n",
              static_cast<long long>(batches * kBatch), static_cast<long long>(keys),
              static_cast<long long>(kBatch));
  std::printf("generate   %.2f CPU-s, peak RSS %.1f MB\n", gen.cpu, gen.peak_rss_mb);
  auto line = [&](const char* name, const Measured& r) {
    const double cpu = r.cpu - gen.cpu;
    const double rss_per_row = (r.peak_rss_mb - gen.peak_rss_mb) * 1024 * 1024 /
                               static_cast<double>(std::max<int64_t>(1, r.peak_live));
    std::printf(
        "%-9s  %.2f CPU-s (%.2f without generating): %.2f M rows in per CPU-s (%.2f M "
        "without), %lld rows out; peak %lld live rows, peak RSS %.1f MB = %.0f B per live row",
        name, r.cpu, cpu, static_cast<double>(rows_in) / r.cpu / 1e6,
        static_cast<double>(rows_in) / cpu / 1e6, static_cast<long long>(r.rows_out),
        static_cast<long long>(r.peak_live), r.peak_rss_mb, rss_per_row);
    if (r.state_bytes_at_peak > 0) {
      std::printf(" (state counts %.0f B)",
                  static_cast<double>(r.state_bytes_at_peak) / static_cast<double>(r.peak_live));
    }
    std::printf("\n");
  };
  line("sluice", ours);
  line("baseline", base);
  if (ours.rows_out != base.rows_out) {
    std::fprintf(stderr, "outputs differ: %lld vs %lld rows\n",
                 static_cast<long long>(ours.rows_out), static_cast<long long>(base.rows_out));
    return 1;
  }
  std::printf("ratio per CPU-second (without generating) %.2f, peak RSS per live row %.2f\n",
              (base.cpu - gen.cpu) / (ours.cpu - gen.cpu),
              ((ours.peak_rss_mb - gen.peak_rss_mb) / static_cast<double>(ours.peak_live)) /
                  ((base.peak_rss_mb - gen.peak_rss_mb) / static_cast<double>(base.peak_live)));
  return 0;
}
