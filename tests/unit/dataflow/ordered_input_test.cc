// The change stream of an order-sensitive consumer (a top-N, an OVER frame as changes) over two
// interleaving sources is a function of the input (dataflow/ordered_input.h): the same rows of
// each source, pushed in different interleavings of the two sources and different batch splits,
// give the same changes in the same order — also across a checkpoint taken and restored at a
// random point. Driven at the graph level (TestGraph), each source's rows in source order; the
// source nodes advance their watermarks row by row as in a real pipeline.

#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "dataflow/ordered_input.h"
#include "dataflow/output.h"
#include "dataflow/query_node.h"
#include "sluice/batch_builder.h"
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

// Two sources, an interval join of them (q9's shape: the right time column trails by the lower
// bound, 0), and the consumers over it; a top-N over a UNION ALL of the two sources; a regular
// join (no column orders it) and a top-N over one source (nothing held) for EXPLAIN; a top-N per
// window over a windowed aggregate of the join.
const char* const kStatements[] = {
    "CREATE SOURCE auction (id BIGINT, ts TIMESTAMP, "
    "WATERMARK FOR ts AS ts - INTERVAL '2' SECOND)",
    "CREATE SOURCE bid (auction BIGINT, price BIGINT, bts TIMESTAMP, "
    "WATERMARK FOR bts AS bts - INTERVAL '2' SECOND)",
    "CREATE STREAM bids AS SELECT A.id, A.ts, B.price, B.bts FROM auction A JOIN bid B "
    "ON A.id = B.auction AND B.bts BETWEEN A.ts AND A.ts + INTERVAL '10' SECOND",
    "CREATE STREAM top1 AS SELECT id, price, bts, _op FROM (SELECT *, ROW_NUMBER() OVER "
    "(PARTITION BY id ORDER BY price DESC) AS rn FROM bids) AS r WHERE rn <= 1",
    "CREATE STREAM frame AS SELECT id, price, COUNT(*) OVER (PARTITION BY id ORDER BY price "
    "ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS c, SUM(price) OVER (PARTITION BY id ORDER BY "
    "price ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS s FROM bids",
    "CREATE STREAM both_sides AS SELECT auction AS id, price, bts FROM bid "
    "UNION ALL SELECT id, id * 3 AS price, ts AS bts FROM auction",
    "CREATE STREAM utop AS SELECT id, price, bts, _op FROM (SELECT *, ROW_NUMBER() OVER "
    "(PARTITION BY id ORDER BY price DESC) AS rn FROM both_sides) AS r WHERE rn <= 2",
    "CREATE STREAM counts AS SELECT id, window_start, window_end, COUNT(*) AS n FROM bids "
    "GROUP BY id, TUMBLE(bts, INTERVAL '1' SECOND)",
    "CREATE STREAM busiest AS SELECT window_start, id, n, _op FROM (SELECT *, ROW_NUMBER() "
    "OVER (PARTITION BY window_start ORDER BY n DESC) AS rn FROM counts) AS r WHERE rn <= 2",
    "CREATE STREAM pairs AS SELECT A.id, B.price FROM auction A JOIN bid B ON A.id = B.auction",
    "CREATE STREAM pairs_top AS SELECT id, price, _op FROM (SELECT *, ROW_NUMBER() OVER "
    "(PARTITION BY id ORDER BY price DESC) AS rn FROM pairs) AS r WHERE rn <= 1",
    "CREATE STREAM bid_top AS SELECT auction, price, _op FROM (SELECT *, ROW_NUMBER() OVER "
    "(PARTITION BY auction ORDER BY price DESC) AS rn FROM bid) AS r WHERE rn <= 1",
};
const char* const kConsumers[] = {"top1", "frame", "utop", "busiest"};

void declare(TestGraph& g) {
  for (const char* s : kStatements) {
    auto r = g.execute(s);
    ASSERT_TRUE(r.ok()) << s << ": " << r.status().to_string();
  }
}

struct Taps {
  void attach(Graph& g) {
    for (const char* name : kConsumers) g.find(name)->set_output(&taps[name]);
  }
  std::map<std::string, Tap> taps;
};

// Every consumer's whole change stream, in order, for one schedule; with `cut`, the graph is
// checkpointed after that many pushes and the rest runs in a graph restored from it.
std::map<std::string, std::vector<std::string>> changes(const std::vector<Push>& pushes,
                                                        size_t cut = SIZE_MAX) {
  std::map<std::string, std::vector<std::string>> out;
  TestGraph g;
  declare(g);
  Taps taps;
  taps.attach(g.graph);
  if (cut == SIZE_MAX) {
    run(g, pushes, 0, pushes.size());
    EXPECT_TRUE(g.end_all_inputs().ok());
    for (auto& [name, tap] : taps.taps) out[name] = tap.rows;
    return out;
  }
  run(g, pushes, 0, cut);
  StateWriter w;
  g.graph.snapshot(w);
  TestGraph resumed;
  declare(resumed);
  StateReader r(w.bytes());
  const Status s = resumed.graph.restore(r);
  EXPECT_TRUE(s.ok()) << s.to_string();
  Taps after;
  after.attach(resumed.graph);
  run(resumed, pushes, cut, pushes.size());
  EXPECT_TRUE(resumed.end_all_inputs().ok());
  for (auto& [name, tap] : taps.taps) {
    out[name] = tap.rows;
    out[name].insert(out[name].end(), after.taps[name].rows.begin(), after.taps[name].rows.end());
  }
  return out;
}

TEST(OrderedInput, ChangesAfterAJoinOrUnionOfTwoSourcesDoNotDependOnTheInterleaving) {
  for (uint64_t data_seed = 1; data_seed <= 3; ++data_seed) {
    const Rows rows = make_rows(data_seed, 150, 600);
    const auto reference = changes(schedule(rows, 0));
    ASSERT_GT(reference.at("top1").size(), 20u);
    ASSERT_GT(reference.at("utop").size(), 20u);
    ASSERT_GT(reference.at("frame").size(), 20u);
    ASSERT_GT(reference.at("busiest").size(), 20u);
    for (uint64_t run = 1; run <= 6; ++run) {
      SCOPED_TRACE("data seed " + std::to_string(data_seed) + ", run " + std::to_string(run));
      const std::vector<Push> pushes = schedule(rows, data_seed * 1000 + run);
      // Every other run checkpoints at a random push and goes on in a restored graph.
      std::mt19937_64 rng(run);
      const size_t cut =
          run % 2 == 0 ? std::uniform_int_distribution<size_t>(0, pushes.size())(rng) : SIZE_MAX;
      const auto got = changes(pushes, cut);
      for (const char* name : kConsumers) EXPECT_EQ(got.at(name), reference.at(name)) << name;
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

TEST(OrderedInput, ExplainSaysWhatOrdersAConsumersInput) {
  TestGraph g;
  declare(g);
  // The right time column: it trails the join's watermark by the lower bound (0), not 10 s.
  const std::string top1 = explain(g, "top1");
  EXPECT_NE(top1.find("ordered by bts, holds rows until the watermark passes them\n"),
            std::string::npos)
      << top1;
  EXPECT_NE(explain(g, "frame").find("ordered by bts, holds rows until the watermark passes them"),
            std::string::npos);
  EXPECT_NE(explain(g, "utop").find("ordered by bts, holds rows until the watermark passes them"),
            std::string::npos);
  // Without the right time column, the left one: it trails by the interval's upper bound. A left
  // outer join's right time column (NULL in its unmatched rows) orders nothing.
  const char* const more[] = {
      "CREATE STREAM left_only AS SELECT A.id, A.ts, B.price FROM auction A JOIN bid B "
      "ON A.id = B.auction AND B.bts BETWEEN A.ts AND A.ts + INTERVAL '10' SECOND",
      "CREATE STREAM left_only_top AS SELECT id, price, _op FROM (SELECT *, ROW_NUMBER() OVER "
      "(PARTITION BY id ORDER BY price DESC) AS rn FROM left_only) AS r WHERE rn <= 1",
      "CREATE STREAM outer_bids AS SELECT A.id, A.ts, B.price, B.bts FROM auction A LEFT JOIN "
      "bid B ON A.id = B.auction AND B.bts BETWEEN A.ts AND A.ts + INTERVAL '10' SECOND",
      "CREATE STREAM outer_top AS SELECT id, price, _op FROM (SELECT *, ROW_NUMBER() OVER "
      "(PARTITION BY id ORDER BY price DESC) AS rn FROM outer_bids) AS r WHERE rn <= 1",
  };
  // A window's rows go out in the order their groups' first rows came: held too, by window_end
  // (it trails by the window's lateness, window_start by its size too).
  const std::string busiest = explain(g, "busiest");
  EXPECT_NE(busiest.find("ordered by window_end, holds rows until the watermark passes them\n"),
            std::string::npos)
      << busiest;
  for (const char* sql : more) {
    auto r = g.execute(sql);
    ASSERT_TRUE(r.ok()) << sql << ": " << r.status().to_string();
  }
  for (const char* name : {"left_only_top", "outer_top"}) {
    const std::string e = explain(g, name);
    EXPECT_NE(e.find("ordered by ts, holds rows until the watermark passes them + PT10S\n"),
              std::string::npos)
        << e;
  }
  // A regular join's rows keep to no watermark: not held, and said so.
  const std::string pairs = explain(g, "pairs_top");
  EXPECT_NE(pairs.find("changes follow the interleaving of its inputs"), std::string::npos)
      << pairs;
  EXPECT_EQ(pairs.find("holds rows"), std::string::npos) << pairs;
  // One source: its order stands, nothing is held.
  const std::string one = explain(g, "bid_top");
  EXPECT_EQ(one.find("holds rows"), std::string::npos) << one;
  EXPECT_EQ(one.find("interleaving"), std::string::npos) << one;
}

TEST(OrderedInput, HeldRowsAreCountedAndReleasedOnceTheWatermarkPassesThem) {
  TestGraph g;
  declare(g);
  ASSERT_TRUE(g.push_json("auction", "{\"id\":1,\"ts\":10000}\n").ok());
  ASSERT_TRUE(g.push_json("bid",
                          "{\"auction\":1,\"price\":5,\"bts\":11000}\n"
                          "{\"auction\":1,\"price\":7,\"bts\":11500}\n")
                  .ok());
  Node* top1 = g.graph.find("top1$1");  // the subquery the top-N runs in
  // The join's watermark is min(8 s, 9.5 s): neither row is final yet.
  EXPECT_EQ(top1->operator_state().groups, 2);
  EXPECT_EQ(top1->rows_out(), 0);
  // bid's watermark to 11.2 s, auction's to 12 s: the join's is 11.2 s, past the first row only.
  ASSERT_TRUE(g.push_json("bid", "{\"auction\":2,\"price\":1,\"bts\":13200}\n").ok());
  ASSERT_TRUE(g.push_json("auction", "{\"id\":3,\"ts\":14000}\n").ok());
  EXPECT_EQ(top1->operator_state().groups, 1 + 1);  // one held, one kept by the top-1
  EXPECT_EQ(top1->rows_out(), 1);
  ASSERT_TRUE(g.end_all_inputs().ok());
  EXPECT_EQ(top1->operator_state().groups, 1);  // nothing held: the top-1's row
  EXPECT_EQ(top1->rows_out(), 3);               // insert 5; delete 5, insert 7
}

TEST(OrderedInput, AStateWithoutHeldRowsIsRefused) {
  TestGraph g;
  declare(g);
  // The top-N of top1 as it ran before its input was held: its state alone.
  const sql::BoundQuery& held = *g.catalog.find("top1")->query->query->steps.at(0).query;
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

// OrderedInput on its own, around an operator that records what it is given: rows with many
// equal times, exact duplicates, NULL times and VARCHARs, pushed in batches of every size (some
// sorted by time, some not, some past a release batch's 8,192 rows) between watermarks that
// never pass a row still to come. Whatever the split, the rows applied are the same sequence,
// sorted by time, each applied only once final — also across a snapshot and restore. (A row
// with a NULL time is final at once, applied with its batch: where it falls in the sequence
// depends on the split, so those are checked as a count.)
struct Recorder final : Operator {
  Status process(const RecordBatch& input, std::vector<RecordBatch>& out) override {
    (void)out;
    for (int64_t r = 0; r < input.num_rows(); ++r) {
      const Column& t = input.column(0);
      const int64_t time = t.is_null(r) ? INT64_MIN : t.int64_value(r);
      if (time != INT64_MIN && *watermark != kFinalWatermark) {
        EXPECT_LT(time + 5, *watermark);
      }
      std::string row;
      for (int c = 0; c < input.num_columns(); ++c) row += input.column(c).value_to_string(r) + "|";
      rows->push_back({time, row});
    }
    return Status::Ok();
  }
  std::string describe() const override { return "recorder"; }
  std::vector<std::pair<int64_t, std::string>>* rows = nullptr;
  const int64_t* watermark = nullptr;  // the watermark the OrderedInput was last given
};

TEST(OrderedInput, AppliesRowsSortedByTimeWhateverTheBatchesAndWatermarks) {
  auto query = std::make_shared<sql::BoundQuery>();
  query->input_schema = make_schema({{"t", DataType::kTimestamp, true},
                                     {"k", DataType::kInt64, true},
                                     {"s", DataType::kVarchar, true}});
  query->input_order.kind = sql::InputOrder::Kind::kHeld;
  query->input_order.time_column = 0;
  query->input_order.trail = 5;
  // 30,000 rows in arrival order: times rising with jitter of up to 40 (so a batch is often not
  // sorted), many equal; every 97th row's time NULL; values from a few, so duplicates.
  std::mt19937_64 rng(7);
  auto pick = [&rng](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  struct In {
    int64_t time;  // INT64_MIN: NULL
    int64_t k;
    std::string s;
  };
  std::vector<In> rows;
  int64_t base = 1000;
  for (int i = 0; i < 30000; ++i) {
    base += pick(0, 2);
    rows.push_back({i % 97 == 5 ? INT64_MIN : base + pick(0, 40), pick(0, 3),
                    pick(0, 9) == 0 ? "" : std::string(static_cast<size_t>(pick(0, 2)), 'x')});
  }
  // The least time still to come after each row (a watermark never passes it).
  std::vector<int64_t> least_after(rows.size() + 1, INT64_MAX);
  for (size_t i = rows.size(); i-- > 0;) {
    least_after[i] =
        std::min(least_after[i + 1], rows[i].time == INT64_MIN ? INT64_MAX : rows[i].time);
  }
  const auto batch_of = [&](size_t from, size_t to) {
    BatchBuilder b(query->input_schema);
    for (size_t i = from; i < to; ++i) {
      rows[i].time == INT64_MIN ? b.column(0).append_null()
                                : b.column(0).append_int64(rows[i].time);
      rows[i].k == 3 ? b.column(1).append_null() : b.column(1).append_int64(rows[i].k);
      rows[i].s.empty() ? b.column(2).append_null() : b.column(2).append_string(rows[i].s);
    }
    return b.finish();
  };
  // One split: batches of up to `most` rows, the watermark moved after some; with `cut`, the
  // operator is snapshotted after that batch and the rest goes to one restored from it.
  const auto apply = [&](uint64_t seed, int most, int cut) {
    std::vector<std::pair<int64_t, std::string>> applied;
    int64_t watermark = kNoWatermark;
    std::mt19937_64 split(seed);
    auto make = [&] {
      auto recorder = std::make_unique<Recorder>();
      recorder->rows = &applied;
      recorder->watermark = &watermark;
      return std::make_unique<OrderedInput>(query, std::move(recorder));
    };
    std::unique_ptr<OrderedInput> op = make();
    std::vector<RecordBatch> out;
    int batches = 0;
    for (size_t at = 0; at < rows.size(); ++batches) {
      const size_t n =
          std::min(rows.size() - at,
                   static_cast<size_t>(std::uniform_int_distribution<int>(1, most)(split)));
      EXPECT_TRUE(op->process(batch_of(at, at + n), out).ok());
      at += n;
      if (split() % 3 == 0 && least_after[at] != INT64_MAX) {
        watermark = least_after[at] - static_cast<int64_t>(split() % 4);
        EXPECT_TRUE(op->on_watermark(watermark, out).ok());
      }
      if (batches == cut) {
        StateWriter w;
        op->snapshot(w);
        op = make();
        StateReader r(w.bytes());
        const Status s = op->restore(r);
        EXPECT_TRUE(s.ok()) << s.to_string();
      }
    }
    watermark = kFinalWatermark;
    EXPECT_TRUE(op->on_watermark(watermark, out).ok());
    EXPECT_EQ(op->held_rows(), 0);
    EXPECT_EQ(applied.size(), rows.size());
    std::erase_if(applied, [](const auto& row) { return row.first == INT64_MIN; });
    EXPECT_EQ(applied.size(), rows.size() - (rows.size() + 91) / 97);
    return applied;
  };
  const auto reference = apply(1, 20000, -1);
  for (size_t i = 1; i < reference.size(); ++i) {
    ASSERT_LE(reference[i - 1].first, reference[i].first) << "row " << i;
  }
  EXPECT_EQ(apply(2, 1, -1), reference);
  EXPECT_EQ(apply(3, 37, -1), reference);
  EXPECT_EQ(apply(4, 9000, 1), reference);
  EXPECT_EQ(apply(5, 300, 40), reference);
}

}  // namespace
}  // namespace sluice::dataflow
