// Results are a function of the input: the same rows, pushed in batches split at random
// boundaries, with and without the compute thread coalescing queued batches, give the same
// output as one batch of everything. The input has out-of-order and late rows, NULL event
// times, and the queries cover TUMBLE, HOP and SESSION windows, EMIT CHANGES with HAVING, a
// materialized view and a window over a window.
//
// Streams that emit once per window (EMIT ON WINDOW CLOSE) must match row for row, in order;
// changelogs (EMIT CHANGES) are compared as the table they build (how many intermediate
// updates there are depends on the batches, by definition); the view by its final contents.
//
// SLUICE_DETERMINISM_SPLITS=N runs N random splittings (default 12, a few seconds); the
// kill-and-recovery half of the property is in tests/integration/crash_test.sh.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "sluice/database.h"

namespace sluice {
namespace {

constexpr const char* kPipeline = R"sql(
CREATE SOURCE ev (k VARCHAR, v BIGINT, ts TIMESTAMP,
                  WATERMARK FOR ts AS ts - INTERVAL '2' SECOND);
CREATE STREAM tumble AS
  SELECT k, window_start, COUNT(*) AS n, SUM(v) AS s FROM ev
  GROUP BY k, TUMBLE(ts, INTERVAL '10' SECOND);
CREATE STREAM hop AS
  SELECT k, window_start, window_end, COUNT(*) AS n, MAX(v) AS m FROM ev WHERE v % 3 <> 0
  GROUP BY k, HOP(ts, INTERVAL '5' SECOND, INTERVAL '15' SECOND) HAVING COUNT(*) > 1;
CREATE STREAM sessions AS
  SELECT k, window_start, window_end, COUNT(*) AS n, FIRST_VALUE(v) AS f, LAST_VALUE(v) AS l
  FROM ev GROUP BY k, SESSION(ts, INTERVAL '3' SECOND);
CREATE STREAM late_ok AS
  SELECT k, window_start, COUNT(*) AS n FROM ev
  GROUP BY k, TUMBLE(ts, INTERVAL '10' SECOND) ALLOW LATENESS INTERVAL '4' SECOND;
CREATE STREAM totals AS
  SELECT k, COUNT(*) AS n, SUM(v) AS s FROM ev GROUP BY k HAVING COUNT(*) % 4 <> 1 EMIT CHANGES;
CREATE STREAM window_changes AS
  SELECT k, window_start, COUNT(*) AS n FROM ev
  GROUP BY k, TUMBLE(ts, INTERVAL '10' SECOND) EMIT CHANGES;
CREATE MATERIALIZED VIEW per_key AS
  SELECT k, window_start, COUNT(*) AS n, MIN(v) AS lo FROM ev
  GROUP BY k, TUMBLE(ts, INTERVAL '20' SECOND) EMIT ON UPDATE;
CREATE STREAM rollup AS
  SELECT window_start, SUM(n) AS n FROM tumble GROUP BY TUMBLE(window_start, INTERVAL '30' SECOND);
)sql";

const std::vector<std::string> kOrdered = {"tumble", "hop", "sessions", "late_ok", "rollup"};
const std::vector<std::string> kChangelogs = {"totals", "window_changes"};

// The input: mostly increasing event times with jitter within the watermark's delay, some
// rows far behind (late), some NULL.
std::vector<std::string> make_rows(uint32_t seed, int n) {
  std::mt19937 rng(seed);
  std::vector<std::string> rows;
  int64_t clock = 1'700'000'000'000;  // ms
  for (int i = 0; i < n; ++i) {
    clock += static_cast<int64_t>(rng() % 400);
    int64_t ts = clock - static_cast<int64_t>(rng() % 3000);
    const uint32_t kind = rng() % 100;
    if (kind < 4) ts = clock - 5000 - static_cast<int64_t>(rng() % 20000);  // late, mostly
    std::string t = kind == 99 ? "null" : std::to_string(ts);
    rows.push_back(R"({"k":"k)" + std::to_string(rng() % 5) + R"(","v":)" +
                   std::to_string(rng() % 1000) + R"(,"ts":)" + t + "}");
  }
  return rows;
}

std::string row_text(const RecordBatch& b, int64_t r, int columns) {
  std::string out;
  for (int c = 0; c < columns; ++c) {
    if (c) out += " | ";
    out += Value::from_column(b.column(c), r).to_string();
  }
  return out;
}

struct Outputs {
  std::map<std::string, std::vector<std::string>> ordered;   // stream → rows in order
  std::map<std::string, std::multiset<std::string>> tables;  // changelog → the table it builds
  std::vector<std::string> view;                             // SELECT * FROM per_key, sorted
};

// How the rows reach the database.
struct Split {
  std::vector<size_t> sizes;  // batch sizes, summing to the row count
  bool flush_each = false;    // wait for each batch to be processed (no coalescing)
  int64_t max_batch_rows = 65536;
  std::string name;
};

Outputs run(const std::vector<std::string>& rows, const Split& split) {
  DatabaseOptions options;
  options.max_batch_rows = split.max_batch_rows;
  auto db = Database::open(options);
  EXPECT_TRUE(db.ok()) << db.status().to_string();
  std::mutex mu;
  Outputs out;
  for (const std::string& s : kOrdered) {
    (*db)->register_callback(s, [&, s](const RecordBatch& b) {
      std::lock_guard lock(mu);
      for (int64_t r = 0; r < b.num_rows(); ++r) {
        out.ordered[s].push_back(row_text(b, r, b.num_columns()));
      }
    });
  }
  for (const std::string& s : kChangelogs) {
    (*db)->register_callback(s, [&, s](const RecordBatch& b) {
      std::lock_guard lock(mu);
      const int op = b.num_columns() - 1;  // _op
      for (int64_t r = 0; r < b.num_rows(); ++r) {
        const std::string row = row_text(b, r, op);
        auto& table = out.tables[s];
        if (b.column(op).string_value(r) == "insert") {
          table.insert(row);
        } else {
          auto it = table.find(row);
          EXPECT_NE(it, table.end()) << s << ": a delete of a row it does not hold: " << row;
          if (it != table.end()) table.erase(it);
        }
      }
    });
  }
  auto declared = (*db)->execute(kPipeline);
  EXPECT_TRUE(declared.ok()) << declared.status().to_string();
  std::string sinks;
  for (const auto& list : {kOrdered, kChangelogs}) {
    for (const std::string& s : list) {
      sinks += "CREATE SINK out_" + s + " FROM " + s + " INTO callback (function = '" + s + "');";
    }
  }
  auto created = (*db)->execute(sinks);
  EXPECT_TRUE(created.ok()) << created.status().to_string();
  auto source = (*db)->source("ev");
  EXPECT_TRUE(source.ok());
  size_t at = 0;
  for (size_t size : split.sizes) {
    std::string lines;
    for (size_t i = at; i < at + size; ++i) lines += rows[i] + "\n";
    at += size;
    Status s = source->push_json(lines);
    EXPECT_TRUE(s.ok()) << s.to_string();
    if (split.flush_each) {
      EXPECT_TRUE((*db)->flush().ok());
    }
  }
  EXPECT_TRUE(source->end().ok());
  EXPECT_TRUE((*db)->flush().ok());
  auto view = (*db)->execute("SELECT * FROM per_key");
  EXPECT_TRUE(view.ok()) << view.status().to_string();
  if (view.ok()) {
    const RecordBatch& b = view->rows;
    for (int64_t r = 0; r < b.num_rows(); ++r) out.view.push_back(row_text(b, r, b.num_columns()));
    std::sort(out.view.begin(), out.view.end());
  }
  EXPECT_TRUE((*db)->shutdown().ok());
  return out;
}

Split random_split(std::mt19937& rng, size_t n, int i) {
  Split s;
  const int style = i % 4;
  s.flush_each = (i / 4) % 2 == 1;
  s.max_batch_rows = rng() % 2 ? 65536 : 1 + static_cast<int64_t>(rng() % 50);
  size_t left = n;
  while (left > 0) {
    size_t size = style == 0 ? 1 : style == 1 ? 7 : style == 2 ? 1 + rng() % 200 : 1 + rng() % 3;
    size = std::min(size, left);
    s.sizes.push_back(size);
    left -= size;
  }
  s.name = std::string(style == 0   ? "1-row"
                       : style == 1 ? "7-row"
                       : style == 2 ? "random"
                                    : "tiny") +
           " batches, " + (s.flush_each ? "flushed each" : "coalescing") + ", max_batch_rows " +
           std::to_string(s.max_batch_rows);
  return s;
}

TEST(Determinism, RandomSplitsGiveTheOutputOfOneBatch) {
  const int n = 1500;
  const std::vector<std::string> rows = make_rows(20261129, n);
  const Outputs expected = run(rows, Split{{static_cast<size_t>(n)}, false, 65536, "one batch"});
  // The input exercises what it should: late rows dropped, several windows per stream.
  for (const std::string& s : kOrdered) EXPECT_GT(expected.ordered.at(s).size(), 5u) << s;
  EXPECT_FALSE(expected.view.empty());

  const char* env = std::getenv("SLUICE_DETERMINISM_SPLITS");
  const int splits = env ? std::atoi(env) : 12;
  std::mt19937 rng(7);
  for (int i = 0; i < splits; ++i) {
    const Split split = random_split(rng, rows.size(), i);
    const Outputs got = run(rows, split);
    for (const std::string& s : kOrdered) {
      EXPECT_EQ(got.ordered.at(s), expected.ordered.at(s)) << s << " with " << split.name;
    }
    for (const std::string& s : kChangelogs) {
      EXPECT_EQ(got.tables.at(s), expected.tables.at(s)) << s << " with " << split.name;
    }
    EXPECT_EQ(got.view, expected.view) << "per_key with " << split.name;
    if (::testing::Test::HasFailure()) break;
  }
  std::printf("%d random splittings, each equal to one batch\n", splits);
}

}  // namespace
}  // namespace sluice
