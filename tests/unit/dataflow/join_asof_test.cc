// The ASOF join operator (join_asof.h) against a simple reference: for each left row that is
// not late, the right rows of its key that were not late, the newest at or before its time
// (the last to arrive among equal times), within the tolerance; the residual applied to that
// pair; NULLs for a left outer join's unanswered rows. Random inputs (out of order, late rows,
// NULL keys and times, ties), random interleavings of the two sides and batch sizes; each case
// also restores a capture taken at a random point, whose state went on changing before it was
// written, and must then emit exactly what the uninterrupted operator emits.

#include <gtest/gtest.h>

#include <map>
#include <optional>

#include "dataflow/join_asof.h"
#include "support/image_on_another_thread.h"
#include "temporal_join_harness.h"

namespace sluice::dataflow {
namespace {

using temporal_test::Event;
using temporal_test::Feeder;

// left: k, lv, ts; right: k, rv, ts; the output: both, the right's nullable.
SchemaPtr left_schema() {
  return make_schema(
      {{"k", DataType::kVarchar}, {"lv", DataType::kInt64}, {"ts", DataType::kTimestamp}});
}
SchemaPtr right_schema() {
  return make_schema(
      {{"k", DataType::kVarchar}, {"rv", DataType::kInt64}, {"ts", DataType::kTimestamp}});
}

struct Options {
  sql::JoinType type = sql::JoinType::kInner;
  int64_t tolerance = -1;
  bool residual = false;  // ON … AND r.rv >= l.lv
};

std::shared_ptr<sql::BoundJoin> asof_join(const Options& o) {
  auto j = std::make_shared<sql::BoundJoin>();
  j->kind = sql::JoinKind::kAsof;
  j->type = o.type;
  j->left_schema = left_schema();
  j->right_schema = right_schema();
  j->output_schema = make_schema({{"k", DataType::kVarchar},
                                  {"lv", DataType::kInt64},
                                  {"ts", DataType::kTimestamp},
                                  {"k_1", DataType::kVarchar},
                                  {"rv", DataType::kInt64},
                                  {"ts_1", DataType::kTimestamp}});
  j->left_keys = {sql::make_column(0, DataType::kVarchar, "k")};
  j->right_keys = {sql::make_column(0, DataType::kVarchar, "k")};
  j->left_time = 2;
  j->right_time = 2;
  j->tolerance = o.tolerance;
  if (o.residual) {
    j->residual = sql::make_call(
        sql::Fn::kGe, DataType::kBoolean,
        {sql::make_column(4, DataType::kInt64, "rv"), sql::make_column(1, DataType::kInt64, "lv")},
        sql::SqlText("rv >= lv"));
  }
  j->sql = "asof join";
  return j;
}

std::unique_ptr<JoinOperator> make(const std::shared_ptr<sql::BoundJoin>& j) {
  auto op = make_join_operator(j);
  EXPECT_TRUE(op.ok()) << op.status().to_string();
  return std::move(op).value();
}

Event row(int side, std::optional<std::string> k, std::optional<int64_t> v,
          std::optional<int64_t> ts) {
  Event e;
  e.side = side;
  e.row = {k ? Value::Varchar(*k) : Value::Null(DataType::kVarchar),
           v ? Value::Int64(*v) : Value::Null(DataType::kInt64),
           ts ? Value::Timestamp(*ts) : Value::Null(DataType::kTimestamp)};
  return e;
}
Event watermark(int side, int64_t wm) {
  Event e;
  e.side = side;
  e.watermark = true;
  e.wm = wm;
  return e;
}

// One side's events: times wander upwards with some disorder, a watermark (the largest time
// so far less a delay) now and then, so some rows come late; NULL keys and times sometimes.
std::vector<Event> random_side(int side, std::mt19937_64& rng, int rows) {
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  const int delay = pick(0, 6);
  std::vector<Event> out;
  int64_t cursor = 0, max = INT64_MIN, wm = INT64_MIN;
  const char* keys[] = {"a", "b", "c", "long key number four"};
  for (int i = 0; i < rows; ++i) {
    cursor += pick(0, 3);
    const int64_t ts = cursor - pick(0, 8);
    std::optional<std::string> k;
    if (pick(0, 12) > 0) k = keys[pick(0, 3)];
    std::optional<int64_t> t;
    if (pick(0, 30) > 0) t = ts;
    out.push_back(row(side, k, pick(0, 9), t));
    if (t) max = std::max(max, *t);
    if (max != INT64_MIN && pick(0, 2) == 0 && max - delay > wm) {
      wm = max - delay;
      out.push_back(watermark(side, wm));
    }
  }
  return out;
}

struct Accepted {
  std::vector<Value> row;
  int64_t seq;
};

// A side's rows that are not late (and have a time), in order; `late` counts the others.
std::vector<Accepted> accepted(const std::vector<Event>& events, int64_t& late) {
  std::vector<Accepted> out;
  int64_t wm = INT64_MIN;
  for (const Event& e : events) {
    if (e.watermark) {
      wm = std::max(wm, e.wm);
      continue;
    }
    if (e.row[2].null || e.row[2].i < wm) {
      ++late;
      continue;
    }
    out.push_back({e.row, static_cast<int64_t>(out.size())});
  }
  return out;
}

std::vector<std::string> reference(const Options& o, const std::shared_ptr<sql::BoundJoin>& j,
                                   const std::vector<Event>& left, const std::vector<Event>& right,
                                   int64_t& late) {
  const auto lefts = accepted(left, late);
  const auto rights = accepted(right, late);
  BatchBuilder b(j->output_schema);
  auto emit = [&](const std::vector<Value>& l, const std::vector<Value>* r) {
    for (int c = 0; c < 3; ++c) append_value(b.column(c), l[static_cast<size_t>(c)]);
    for (int c = 0; c < 3; ++c) {
      append_value(b.column(3 + c),
                   r ? (*r)[static_cast<size_t>(c)] : Value::Null(DataType::kInt64));
    }
  };
  for (const Accepted& l : lefts) {
    const Accepted* best = nullptr;
    const int64_t t = l.row[2].i;
    if (!l.row[0].null) {
      for (const Accepted& r : rights) {
        if (r.row[0].null || r.row[0].s != l.row[0].s) continue;
        const int64_t rt = r.row[2].i;
        if (rt > t || (o.tolerance >= 0 && rt < t - o.tolerance)) continue;
        if (best == nullptr || rt > best->row[2].i || (rt == best->row[2].i && r.seq > best->seq)) {
          best = &r;
        }
      }
    }
    const bool passes =
        best != nullptr && (!o.residual || (!l.row[1].null && best->row[1].i >= l.row[1].i));
    if (passes) {
      emit(l.row, &best->row);
    } else if (o.type == sql::JoinType::kLeftOuter) {
      emit(l.row, nullptr);
    }
  }
  return temporal_test::render(b.finish());
}

TEST(AsofJoin, MatchesTheReferenceWhateverTheInterleavingBatchesAndRestorePoint) {
  std::mt19937_64 rng(19'4242);
  for (int c = 0; c < 300; ++c) {
    SCOPED_TRACE("case " + std::to_string(c));
    auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
    Options o;
    o.type = pick(0, 1) ? sql::JoinType::kLeftOuter : sql::JoinType::kInner;
    o.tolerance = pick(0, 2) == 0 ? -1 : pick(0, 12);
    o.residual = pick(0, 2) == 0;
    const auto join = asof_join(o);
    const auto left = random_side(kLeftSide, rng, pick(0, 60));
    const auto right = random_side(kRightSide, rng, pick(0, 60));
    int64_t late = 0;
    const auto expected = temporal_test::sorted(reference(o, join, left, right, late));

    const auto events = temporal_test::interleave(left, right, rng);
    const auto cuts = temporal_test::random_cuts(events.size(), rng);
    Feeder feeder(left_schema(), right_schema());

    // Uninterrupted.
    auto whole = make(join);
    std::vector<std::string> out;
    feeder.feed(*whole, events, cuts, 0, events.size(), out);
    feeder.finish(*whole, out);
    ASSERT_EQ(temporal_test::sorted(out), expected);
    EXPECT_EQ(whole->stats().late_rows_dropped, late);
    EXPECT_EQ(whole->state_stats().groups, 0);  // both sides ended: nothing kept

    // Captured at a random point; the state changes before the image is written.
    const size_t at = static_cast<size_t>(pick(0, static_cast<int>(events.size())));
    const size_t later = std::min(events.size(), at + static_cast<size_t>(pick(0, 10)));
    std::vector<std::string> before;
    ASSERT_NO_FATAL_FAILURE(
        feeder.feed_with_restore([&] { return make(join); }, events, cuts, at, later, before));
    EXPECT_EQ(temporal_test::sorted(before), temporal_test::sorted(out));
  }
}

std::vector<std::string> feed_all(JoinOperator& op, const std::vector<Event>& events) {
  Feeder feeder(left_schema(), right_schema());
  std::vector<std::string> out;
  feeder.feed(op, events, std::vector<bool>(events.size(), false), 0, events.size(), out);
  return out;
}

TEST(AsofJoin, TheLatestRightRowAtOrBeforeWinsAndTiesGoToTheLastArrival) {
  auto op = make(asof_join(Options{}));
  auto out = feed_all(
      *op, {row(kRightSide, "a", 1, 10), row(kRightSide, "a", 2, 20), row(kRightSide, "a", 3, 20),
            row(kRightSide, "a", 4, 30), row(kLeftSide, "a", 7, 25), row(kLeftSide, "a", 8, 5),
            row(kLeftSide, "b", 9, 25)});
  EXPECT_TRUE(out.empty());  // the right watermark has not passed any left row's time
  EXPECT_EQ(op->state_stats().groups, 4 + 3);
  out = feed_all(*op, {watermark(kRightSide, 26)});
  // At 25: the two rows at 20 tie, the later (rv 3) wins; at 5: nothing (inner); b: nothing.
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0], "a|7|1970-01-01T00:00:00.000025Z|a|3|1970-01-01T00:00:00.000020Z");
}

TEST(AsofJoin, LeftOuterEmitsUnmatchedRowsWithNullsOnceTheRightWatermarkPasses) {
  Options o;
  o.type = sql::JoinType::kLeftOuter;
  o.tolerance = 5;
  auto op = make(asof_join(o));
  auto out = feed_all(
      *op, {row(kRightSide, "a", 1, 10), row(kLeftSide, "a", 7, 12), row(kLeftSide, "a", 8, 30),
            row(kLeftSide, std::nullopt, 9, 11), watermark(kRightSide, 20)});
  // 12: 10 is within 5; NULL key: no match; 30 waits for the right watermark.
  EXPECT_EQ(
      temporal_test::sorted(out),
      temporal_test::sorted({"a|7|1970-01-01T00:00:00.000012Z|a|1|1970-01-01T00:00:00.000010Z",
                             "NULL|9|1970-01-01T00:00:00.000011Z|NULL|NULL|NULL"}));
  out = feed_all(*op, {watermark(kRightSide, 31)});
  // 30: the row at 10 is older than the tolerance.
  EXPECT_EQ(out, std::vector<std::string>{"a|8|1970-01-01T00:00:00.000030Z|NULL|NULL|NULL"});
}

TEST(AsofJoin, LateRowsOnEitherSideAreDroppedAndCounted) {
  auto op = make(asof_join(Options{}));
  feed_all(*op, {watermark(kLeftSide, 100), watermark(kRightSide, 100), row(kLeftSide, "a", 1, 99),
                 row(kRightSide, "a", 1, 50), row(kRightSide, "a", 1, std::nullopt),
                 row(kLeftSide, "a", 1, 100)});
  EXPECT_EQ(op->stats().late_rows_dropped, 3);
}

TEST(AsofJoin, RightRowsArePrunedAsTheLeftWatermarkPasses) {
  for (const int64_t tolerance : {int64_t{-1}, int64_t{100}}) {
    SCOPED_TRACE("tolerance " + std::to_string(tolerance));
    Options o;
    o.tolerance = tolerance;
    auto op = make(asof_join(o));
    std::vector<Event> events;
    for (int64_t t = 1; t <= 1000; ++t) {
      events.push_back(row(kRightSide, t % 2 ? "a" : "b", t, t));
    }
    feed_all(*op, events);
    const StateStats before = op->state_stats();
    EXPECT_EQ(before.groups, 1000);
    // No left row can come before 500 any more: without a tolerance a key keeps its newest row
    // at or before 500 and those after; with 100, the rows from 400 on.
    feed_all(*op, {watermark(kLeftSide, 500)});
    const StateStats after = op->state_stats();
    EXPECT_EQ(after.groups, tolerance < 0 ? 500 + 2 : 601);
    EXPECT_LE(after.bytes, before.bytes);
    // The pruned state answers as the full one would.
    auto out = feed_all(*op, {row(kLeftSide, "a", 0, 500), row(kLeftSide, "b", 0, 501),
                              watermark(kRightSide, 1001)});
    EXPECT_EQ(temporal_test::sorted(out),
              temporal_test::sorted(
                  {"a|0|1970-01-01T00:00:00.000500Z|a|499|1970-01-01T00:00:00.000499Z",
                   "b|0|1970-01-01T00:00:00.000501Z|b|500|1970-01-01T00:00:00.000500Z"}));
    // The left side ends: nothing is kept.
    feed_all(*op, {watermark(kLeftSide, kFinalWatermark)});
    EXPECT_EQ(op->state_stats().groups, 0);
  }
}

TEST(AsofJoin, AnImageWrittenOnAnotherThreadIsTheStateAtItsCapture) {
  Options o;
  o.type = sql::JoinType::kLeftOuter;
  const auto join = asof_join(o);
  auto op = make(join);
  // Enough rows for several chunks and arena blocks, and left rows waiting.
  std::vector<Event> events;
  for (int64_t t = 0; t < 12'000; ++t) {
    events.push_back(row(kRightSide, "key " + std::to_string(t % 300), t, t));
    if (t % 3 == 0) events.push_back(row(kLeftSide, "key " + std::to_string(t % 301), t, t + 7));
  }
  feed_all(*op, events);
  const std::string at_capture = temporal_test::write_image(*op->capture());
  std::vector<std::string> expected_rest;
  {
    ImageOnAnotherThread writer(op->capture(), at_capture);
    // The live state changes under the image: rows added, left rows answered, rows pruned.
    std::vector<Event> more;
    for (int64_t t = 12'000; t < 14'000; ++t) {
      more.push_back(row(kRightSide, "key " + std::to_string(t % 300), t, t));
    }
    more.push_back(watermark(kRightSide, 6000));
    more.push_back(watermark(kLeftSide, 7000));
    expected_rest = feed_all(*op, more);
    writer.drop();
    auto rest = feed_all(*op, {watermark(kRightSide, 20'000), watermark(kLeftSide, 20'000)});
    expected_rest.insert(expected_rest.end(), rest.begin(), rest.end());
    writer.finish();
    EXPECT_TRUE(writer.matches());
  }
  auto restored = make(join);
  StateReader reader(at_capture);
  ASSERT_TRUE(restored->restore(reader).ok());
  std::vector<Event> more;
  for (int64_t t = 12'000; t < 14'000; ++t) {
    more.push_back(row(kRightSide, "key " + std::to_string(t % 300), t, t));
  }
  more.push_back(watermark(kRightSide, 6000));
  more.push_back(watermark(kLeftSide, 7000));
  more.push_back(watermark(kRightSide, 20'000));
  more.push_back(watermark(kLeftSide, 20'000));
  EXPECT_EQ(feed_all(*restored, more), expected_rest);
  EXPECT_EQ(restored->state_stats().groups, op->state_stats().groups);
}

TEST(AsofJoin, DamagedStateIsRefused) {
  auto op = make(asof_join(Options{}));
  feed_all(*op, {row(kRightSide, "a long key of many bytes", 1, 10), row(kLeftSide, "a", 1, 20)});
  const std::string bytes = temporal_test::write_image(*op->capture());
  for (size_t cut = 0; cut < bytes.size(); cut += 7) {
    auto restored = make(asof_join(Options{}));
    StateReader reader(std::string_view(bytes).substr(0, cut));
    EXPECT_FALSE(restored->restore(reader).ok()) << "cut at " << cut;
  }
  std::string flipped = bytes;
  flipped[bytes.size() / 2] ^= 0x5a;
  auto restored = make(asof_join(Options{}));
  StateReader reader(flipped);
  (void)restored->restore(reader);  // refused or read; never a crash (ASan checks)
}

}  // namespace
}  // namespace sluice::dataflow
