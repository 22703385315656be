// FIRST_VALUE / LAST_VALUE (first/last by arrival) over two interleaving sources are a function
// of the input (sql/input_order.h, aggregate_input_order): the same rows of each source, pushed
// in different interleavings of the two sources and different batch splits, give the same
// output — also across a checkpoint taken and restored at a random point — and no row is held
// past its window's close (the late-row counter stays 0). Driven at the graph level
// (TestGraph), each source's rows in source order, as tests/unit/dataflow/ordered_input_test.cc.

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "dataflow/output.h"
#include "dataflow/query_node.h"
#include "support/interleavings.h"
#include "support/test_graph.h"

namespace sluice::dataflow {
namespace {

using interleavings::make_rows;
using interleavings::Push;
using interleavings::Rows;
using interleavings::run;
using interleavings::schedule;
using interleavings::Tap;

// Two sources and an interval join of them whose bounds are uneven: the left time column `ts`
// trails the join's watermark by 1 s (the upper bound), the right one `bts` by 3 s (the lower
// bound). A window over `bts` (ALLOW LATENESS 3 s) must be held by `bts`: held by the
// least-trailing `ts`, a row with bts near ts - 3 s would come out after its window closed.
const char* const kStatements[] = {
    "CREATE SOURCE auction (id BIGINT, ts TIMESTAMP, "
    "WATERMARK FOR ts AS ts - INTERVAL '2' SECOND)",
    "CREATE SOURCE bid (auction BIGINT, price BIGINT, bts TIMESTAMP, "
    "WATERMARK FOR bts AS bts - INTERVAL '2' SECOND)",
    "CREATE STREAM bids AS SELECT A.id, A.ts, B.price, B.bts FROM auction A JOIN bid B "
    "ON A.id = B.auction AND B.bts BETWEEN A.ts - INTERVAL '3' SECOND AND A.ts + INTERVAL '1' "
    "SECOND",
    // By the right time column, which trails more than the left one.
    "CREATE STREAM by_bid AS SELECT id, window_start, FIRST_VALUE(price) AS f, "
    "LAST_VALUE(price) AS l, COUNT(*) AS n FROM bids GROUP BY id, TUMBLE(bts, INTERVAL '1' "
    "SECOND) ALLOW LATENESS INTERVAL '3' SECOND",
    // By the left time column; HOP: a row in two windows.
    "CREATE STREAM by_auction AS SELECT id, window_start, FIRST_VALUE(price) AS f, "
    "LAST_VALUE(bts) AS l FROM bids GROUP BY id, HOP(ts, INTERVAL '500' MILLISECOND, "
    "INTERVAL '1' SECOND) ALLOW LATENESS INTERVAL '1' SECOND",
    "CREATE STREAM sessions AS SELECT id, window_start, window_end, FIRST_VALUE(price) AS f, "
    "LAST_VALUE(price) AS l FROM bids GROUP BY id, SESSION(bts, INTERVAL '300' MILLISECOND) "
    "ALLOW LATENESS INTERVAL '3' SECOND",
    // Floating-point sums: their rounding depends on the order the values are added in.
    "CREATE STREAM float_sums AS SELECT id, window_start, SUM(1 / CAST(price AS DOUBLE)) AS s, "
    "AVG(CAST(price AS DOUBLE) / 7) AS a, STDDEV(price) AS d FROM bids GROUP BY id, "
    "TUMBLE(bts, INTERVAL '1' SECOND) ALLOW LATENESS INTERVAL '3' SECOND",
    // A UNION ALL of the two sources.
    "CREATE STREAM both_sides AS SELECT auction AS id, price, bts FROM bid "
    "UNION ALL SELECT id, id * 3 AS price, ts AS bts FROM auction",
    "CREATE STREAM union_first AS SELECT id, window_start, FIRST_VALUE(price) AS f, "
    "LAST_VALUE(price) AS l FROM both_sides GROUP BY id, TUMBLE(bts, INTERVAL '1' SECOND)",
    // Unwindowed: its changes per batch depend on batching, its final values must not.
    "CREATE STREAM latest AS SELECT id, FIRST_VALUE(price) AS f, LAST_VALUE(price) AS l, "
    "COUNT(*) AS n FROM bids GROUP BY id",
};
const char* const kWindowed[] = {"by_bid", "by_auction", "sessions", "float_sums", "union_first"};

void declare(TestGraph& g) {
  for (const char* s : kStatements) {
    auto r = g.execute(s);
    ASSERT_TRUE(r.ok()) << s << ": " << r.status().to_string();
  }
}

// What one schedule gives: every windowed consumer's whole output, in order; the unwindowed
// one's final row per group; and the rows the consumers dropped as late.
struct Outcome {
  std::map<std::string, std::vector<std::string>> rows;
  std::map<std::string, std::string> latest;  // group key → its last row
  int64_t late_rows = 0;
};

struct Taps {
  explicit Taps(Graph& g) {
    for (const char* name : kWindowed) g.find(name)->set_output(&taps[name]);
    g.find("latest")->set_output(&taps["latest"]);
  }
  void add_to(Outcome& o) {
    for (const char* name : kWindowed) {
      std::vector<std::string>& all = o.rows[name];
      all.insert(all.end(), taps[name].rows.begin(), taps[name].rows.end());
    }
    for (const std::string& row : taps["latest"].rows) o.latest[row.substr(0, row.find('|'))] = row;
  }
  std::map<std::string, Tap> taps;
};

int64_t late_rows(Graph& g) {
  int64_t n = 0;
  for (const char* name : kWindowed) n += g.find(name)->stats().late_rows_dropped;
  return n + g.find("latest")->stats().late_rows_dropped;
}

// With `cut`, the graph is checkpointed after that many pushes and the rest runs in a graph
// restored from it.
Outcome outcome(const std::vector<Push>& pushes, size_t cut = SIZE_MAX) {
  Outcome out;
  TestGraph g;
  declare(g);
  Taps taps(g.graph);
  if (cut == SIZE_MAX) {
    run(g, pushes, 0, pushes.size());
    EXPECT_TRUE(g.end_all_inputs().ok());
    taps.add_to(out);
    out.late_rows = late_rows(g.graph);
    return out;
  }
  run(g, pushes, 0, cut);
  StateWriter w;
  g.graph.snapshot(w);
  taps.add_to(out);
  out.late_rows = late_rows(g.graph);
  TestGraph resumed;
  declare(resumed);
  StateReader r(w.bytes());
  const Status s = resumed.graph.restore(r);
  EXPECT_TRUE(s.ok()) << s.to_string();
  Taps after(resumed.graph);
  run(resumed, pushes, cut, pushes.size());
  EXPECT_TRUE(resumed.end_all_inputs().ok());
  after.add_to(out);
  out.late_rows += late_rows(resumed.graph);
  return out;
}

TEST(FirstValueOrder, WindowedFirstAndLastValueOverTwoSourcesDoNotDependOnTheInterleaving) {
  for (uint64_t data_seed = 1; data_seed <= 3; ++data_seed) {
    const Rows rows = make_rows(data_seed, 150, 600);
    const Outcome reference = outcome(schedule(rows, 0));
    for (const char* name : kWindowed) ASSERT_GT(reference.rows.at(name).size(), 20u) << name;
    EXPECT_EQ(reference.late_rows, 0);
    for (uint64_t run = 1; run <= 6; ++run) {
      SCOPED_TRACE("data seed " + std::to_string(data_seed) + ", run " + std::to_string(run));
      const std::vector<Push> pushes = schedule(rows, data_seed * 1000 + run);
      // Every other run checkpoints at a random push and goes on in a restored graph.
      std::mt19937_64 rng(run);
      const size_t cut =
          run % 2 == 0 ? std::uniform_int_distribution<size_t>(0, pushes.size())(rng) : SIZE_MAX;
      const Outcome got = outcome(pushes, cut);
      for (const char* name : kWindowed) {
        EXPECT_EQ(got.rows.at(name), reference.rows.at(name)) << name;
      }
      // Every row of a window applied before the window closed.
      EXPECT_EQ(got.late_rows, 0);
    }
  }
}

TEST(FirstValueOrder, UnwindowedFirstAndLastValueOverAJoinEndTheSameWhateverTheInterleaving) {
  for (uint64_t data_seed = 1; data_seed <= 3; ++data_seed) {
    const Rows rows = make_rows(data_seed, 150, 600);
    const Outcome reference = outcome(schedule(rows, 0));
    ASSERT_EQ(reference.latest.size(), 12u);
    for (uint64_t run = 1; run <= 6; ++run) {
      SCOPED_TRACE("data seed " + std::to_string(data_seed) + ", run " + std::to_string(run));
      const std::vector<Push> pushes = schedule(rows, data_seed * 1000 + run);
      std::mt19937_64 rng(run);
      const size_t cut =
          run % 2 == 0 ? std::uniform_int_distribution<size_t>(0, pushes.size())(rng) : SIZE_MAX;
      EXPECT_EQ(outcome(pushes, cut).latest, reference.latest);
    }
  }
}

std::string explain(TestGraph& g, const std::string& name) {
  auto r = g.execute("EXPLAIN " + name);
  EXPECT_TRUE(r.ok()) << r.status().to_string();
  std::string out;
  for (int64_t i = 0; r.ok() && i < r->rows.num_rows(); ++i) {
    out += std::string(r->rows.column(0).string_value(i)) + "\n";
  }
  return out;
}

TEST(FirstValueOrder, ExplainSaysWhatOrdersAnAggregatesInput) {
  TestGraph g;
  declare(g);
  const char* const more[] = {
      "CREATE STREAM pairs AS SELECT A.id, B.price FROM auction A JOIN bid B ON A.id = B.auction",
      "CREATE STREAM pairs_first AS SELECT id, FIRST_VALUE(price) AS f FROM pairs GROUP BY id",
      "CREATE STREAM bid_first AS SELECT auction, window_start, FIRST_VALUE(price) AS f FROM bid "
      "GROUP BY auction, TUMBLE(bts, INTERVAL '1' SECOND)",
      "CREATE STREAM counts AS SELECT id, window_start, COUNT(*) AS n FROM bids "
      "GROUP BY id, TUMBLE(bts, INTERVAL '1' SECOND) ALLOW LATENESS INTERVAL '3' SECOND",
  };
  for (const char* sql : more) {
    auto r = g.execute(sql);
    ASSERT_TRUE(r.ok()) << sql << ": " << r.status().to_string();
  }
  // A window: by its own column and that column's trail, even where another trails less.
  const std::string by_bid = explain(g, "by_bid");
  EXPECT_NE(by_bid.find("ordered by bts, holds rows until the watermark passes them + PT3S\n"),
            std::string::npos)
      << by_bid;
  const std::string by_auction = explain(g, "by_auction");
  EXPECT_NE(by_auction.find("ordered by ts, holds rows until the watermark passes them + PT1S\n"),
            std::string::npos)
      << by_auction;
  const std::string union_first = explain(g, "union_first");
  EXPECT_NE(union_first.find("ordered by bts, holds rows until the watermark passes them\n"),
            std::string::npos)
      << union_first;
  // No window: the least-trailing column, as a top-N's.
  const std::string latest = explain(g, "latest");
  EXPECT_NE(latest.find("ordered by ts, holds rows until the watermark passes them + PT1S\n"),
            std::string::npos)
      << latest;
  // A regular join's rows keep to no watermark: not held, and said so.
  const std::string pairs = explain(g, "pairs_first");
  EXPECT_NE(
      pairs.find(
          "FIRST_VALUE/LAST_VALUE and floating-point sums follow the interleaving of its inputs"),
      std::string::npos)
      << pairs;
  EXPECT_EQ(pairs.find("holds rows"), std::string::npos) << pairs;
  // One source, or no FIRST_VALUE/LAST_VALUE: nothing held, nothing said.
  for (const char* name : {"bid_first", "counts"}) {
    const std::string e = explain(g, name);
    EXPECT_EQ(e.find("holds rows"), std::string::npos) << e;
    EXPECT_EQ(e.find("interleaving"), std::string::npos) << e;
  }
}

TEST(FirstValueOrder, AnAggregatesStateWithoutHeldRowsIsRefused) {
  TestGraph g;
  declare(g);
  // The aggregate of by_bid as it ran before its input was held: its state alone.
  const sql::BoundQuery& held = *g.catalog.find("by_bid")->query->query;
  ASSERT_EQ(held.input_order.kind, sql::InputOrder::Kind::kHeld);
  auto unheld = std::make_shared<sql::BoundQuery>(held);
  unheld->input_order = sql::InputOrder{};
  StateWriter w;
  make_operator(unheld)->snapshot(w);
  auto op = make_operator(std::make_shared<sql::BoundQuery>(held));
  StateReader r(w.bytes());
  const Status s = op->restore(r);
  EXPECT_EQ(s.code(), ErrorCode::kDataCorrupt) << s.to_string();
}

}  // namespace
}  // namespace sluice::dataflow
