// The interval and window joins (dataflow/join_interval.h), driven as a join node drives them
// (support/join_harness.h): against a reference that joins every row of both sides by nested
// loops at the end, over random inputs, interleavings and batch sizes, with late rows, NULL
// keys and times, residuals and a checkpoint taken and restored at a random point; the state
// counted before and after the watermarks pass; a left outer join's unmatched rows emitted once,
// when the right watermark passes them; an image written on another thread while the state
// goes on changing.

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "dataflow/join_operator.h"
#include "support/image_on_another_thread.h"
#include "support/join_harness.h"

namespace sluice::dataflow {
namespace {

using join_harness::Keys;
using join_harness::Row;
using sql::JoinKind;
using sql::JoinType;

// Every pair of rows of both sides that are not late, with equal keys, the right time in
// [left time - lower, left time + upper] and the residual TRUE; a left outer join adds each
// left row that has none, with NULLs.
std::vector<std::string> reference(const sql::BoundJoin& j, Keys keys, const std::vector<Row>& left,
                                   const std::vector<bool>& left_late,
                                   const std::vector<Row>& right,
                                   const std::vector<bool>& right_late) {
  std::vector<std::string> out;
  for (size_t a = 0; a < left.size(); ++a) {
    if (left_late[a]) continue;
    const std::vector<Value>& l = left[a].values;
    bool matched = false;
    for (size_t b = 0; b < right.size(); ++b) {
      if (right_late[b]) continue;
      const std::vector<Value>& r = right[b].values;
      if (!join_harness::keys_match(keys, l, r)) continue;
      const __int128 t = l[1].i, s = r[1].i;
      if (s < t - j.lower || s > t + j.upper) continue;
      if (j.residual && !join_harness::residual_holds(l, r)) continue;
      out.push_back(join_harness::line_of(join_harness::joined(l, r)));
      matched = true;
    }
    if (j.type == JoinType::kLeftOuter && !matched) {
      out.push_back(join_harness::line_of(join_harness::joined(l, join_harness::nulls())));
    }
  }
  return join_harness::sorted(std::move(out));
}

void differential(JoinKind kind, JoinType type, int seeds) {
  for (int seed = 0; seed < seeds; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    std::mt19937_64 rng(static_cast<uint64_t>(seed) * 7919 + 17);
    const auto keys = static_cast<Keys>(rng() % 3);
    const bool residual = rng() % 2 == 0;
    auto join = join_harness::make_join(kind, type, keys, residual);
    // Times, bounds and delays on a grain of 1 ms half the time: rows then lie exactly on the
    // bounds and the watermarks.
    int64_t grain = rng() % 2 == 0 ? 1 : 1'000, shift = 0;
    if (kind == JoinKind::kWindow) {
      // window_start columns of windows of `grain` µs: each row's window ends grain later.
      grain = 10'000;
      join->left_end_offset = join->right_end_offset = grain;
      shift = grain - 1;
    } else {
      join->lower = static_cast<int64_t>(rng() % 20) * grain;
      join->upper = static_cast<int64_t>(rng() % 20) * grain;
    }
    const int n = 200 + static_cast<int>(rng() % 300);
    const int key_count = 2 + static_cast<int>(rng() % 20);
    const int64_t step = 1 + static_cast<int64_t>(rng() % 3'000);
    const int64_t disorder = static_cast<int64_t>(rng() % 10'000);
    const int64_t delay = static_cast<int64_t>(rng() % 10'000) / grain * grain;
    const std::vector<Row> left =
        join_harness::random_rows(rng, n, key_count, step, disorder, 23, grain);
    const std::vector<Row> right =
        join_harness::random_rows(rng, n, key_count, step, disorder, 29, grain);
    const int max_batch = 1 + static_cast<int>(rng() % 64);
    const auto in_left = join_harness::make_input(rng, left, false, delay, shift, max_batch);
    const auto in_right = join_harness::make_input(rng, right, false, delay, shift, max_batch);
    const std::vector<std::string> want =
        reference(*join, keys, left, in_left.late, right, in_right.late);

    auto whole = join_harness::run(join, in_left, in_right, rng);
    ASSERT_TRUE(whole.ok()) << whole.status().to_string();
    EXPECT_EQ(whole->sorted(), want);
    // Restored at a random step: exactly the uninterrupted output.
    const int64_t steps =
        2 * static_cast<int64_t>(in_left.batches.size() + in_right.batches.size());
    auto resumed =
        join_harness::run(join, in_left, in_right, rng, static_cast<int64_t>(rng() % (steps + 1)));
    ASSERT_TRUE(resumed.ok()) << resumed.status().to_string();
    EXPECT_EQ(resumed->sorted(), want);
  }
}

TEST(JoinInterval, InnerEqualsNestedLoops) {
  differential(JoinKind::kInterval, JoinType::kInner, 40);
}
TEST(JoinInterval, LeftOuterEqualsNestedLoops) {
  differential(JoinKind::kInterval, JoinType::kLeftOuter, 40);
}
TEST(JoinWindow, InnerEqualsNestedLoops) {
  differential(JoinKind::kWindow, JoinType::kInner, 30);
}
TEST(JoinWindow, LeftOuterEqualsNestedLoops) {
  differential(JoinKind::kWindow, JoinType::kLeftOuter, 30);
}

RecordBatch batch_of(const std::vector<Row>& rows) {
  BatchBuilder b(join_harness::side_schema(false));
  for (const Row& r : rows) {
    for (int c = 0; c < 4; ++c) append_value(b.column(c), r.values[static_cast<size_t>(c)]);
  }
  return b.finish();
}

Row row(std::optional<int64_t> k, int64_t ts, int64_t v, const std::string& name) {
  Row r;
  r.values = {k ? Value::Int64(*k) : Value::Null(DataType::kInt64), Value::Timestamp(ts),
              Value::Int64(v), Value::Varchar(name)};
  return r;
}

std::vector<Row> rising(int n, int64_t every, const std::string& name) {
  std::vector<Row> rows;
  for (int i = 0; i < n; ++i) rows.push_back(row(i % 50, i * every, i, name + std::to_string(i)));
  return rows;
}

std::vector<Row> shuffled(std::vector<Row> rows) {
  std::mt19937_64 rng(5);
  std::shuffle(rows.begin(), rows.end(), rng);
  return rows;
}

int64_t rows_in(const std::vector<RecordBatch>& out) {
  int64_t n = 0;
  for (const RecordBatch& b : out) n += b.num_rows();
  return n;
}

TEST(JoinInterval, StateIsPrunedAsTheWatermarksPass) {
  auto join = join_harness::make_join(JoinKind::kInterval, JoinType::kInner, Keys::kColumn, false);
  join->lower = join->upper = 500;
  auto op = make_join_operator(join);
  ASSERT_TRUE(op.ok()) << op.status().to_string();
  std::vector<RecordBatch> out;
  // Left rows in any order: pruning finds every row the watermark has passed, wherever it is.
  ASSERT_TRUE((*op)
                  ->process(kLeftSide,
                            batch_of(shuffled(rising(5000, 1000, "left row, a long name "))), out)
                  .ok());
  ASSERT_TRUE(
      (*op)->process(kRightSide, batch_of(rising(5000, 1000, "right row, long ")), out).ok());
  EXPECT_EQ(rows_in(out), 5000);  // each left row meets the right row of its time
  const StateStats full = (*op)->state_stats();
  EXPECT_EQ(full.groups, 10000);
  // Left rows at t are kept until the right watermark passes t + 500: those up to 2,500 ms go.
  ASSERT_TRUE((*op)->on_watermark(kRightSide, 2'500'000 + 501, out).ok());
  EXPECT_EQ((*op)->state_stats().groups, 10000 - 2501);
  // Likewise the right rows (in order: their oldest chunks are freed whole).
  ASSERT_TRUE((*op)->on_watermark(kLeftSide, 2'500'000 + 501, out).ok());
  const StateStats half = (*op)->state_stats();
  EXPECT_EQ(half.groups, 10000 - 2 * 2501);
  EXPECT_LT(half.bytes, full.bytes);
  // Restored from a checkpoint of the pruned state (its oldest chunks freed): the same rows.
  StateWriter w;
  (*op)->capture()->write(w);
  auto restored = make_join_operator(join);
  StateReader r(w.bytes());
  ASSERT_TRUE((*restored)->restore(r).ok());
  EXPECT_EQ((*restored)->state_stats().groups, half.groups);
  std::vector<RecordBatch> a, b;
  const RecordBatch more = batch_of(rising(5000, 1000, "more "));
  ASSERT_TRUE((*op)->process(kRightSide, more, a).ok());
  ASSERT_TRUE((*restored)->process(kRightSide, more, b).ok());
  EXPECT_GT(rows_in(a), 2000);
  EXPECT_EQ(rows_in(a), rows_in(b));
  // Left rows probe the right rows, whose chains led into the freed chunks.
  a.clear();
  b.clear();
  std::vector<Row> later;
  for (int i = 2500; i < 5000; ++i) later.push_back(row(i % 50, i * 1000 + 100, i, "later"));
  ASSERT_TRUE((*op)->process(kLeftSide, batch_of(later), a).ok());
  ASSERT_TRUE((*restored)->process(kLeftSide, batch_of(later), b).ok());
  EXPECT_GT(rows_in(a), 2000);
  EXPECT_EQ(rows_in(a), rows_in(b));
  ASSERT_TRUE((*op)->on_watermark(kLeftSide, kFinalWatermark, out).ok());
  ASSERT_TRUE((*op)->on_watermark(kRightSide, kFinalWatermark, out).ok());
  const StateStats none = (*op)->state_stats();
  EXPECT_EQ(none.groups, 0);
  EXPECT_LT(none.bytes, half.bytes / 10);
  EXPECT_EQ(rows_in(out), 5000);  // an inner join emits nothing as rows go
}

TEST(JoinInterval, LeftOuterEmitsAnUnmatchedRowOnceItsIntervalHasClosed) {
  auto join =
      join_harness::make_join(JoinKind::kInterval, JoinType::kLeftOuter, Keys::kColumn, false);
  join->lower = join->upper = 10'000;
  auto made = make_join_operator(join);
  ASSERT_TRUE(made.ok());
  JoinOperator& op = **made;
  std::vector<RecordBatch> out;
  ASSERT_TRUE(op.process(kLeftSide,
                         batch_of({row(1, 100'000, 1, "matched"), row(2, 100'000, 2, "alone"),
                                   row(std::nullopt, 100'000, 3, "no key")}),
                         out)
                  .ok());
  // The NULL key can never match: out at once, with NULLs.
  ASSERT_EQ(rows_in(out), 1);
  EXPECT_EQ(Value::from_column(out[0].column(3), 0).to_string(), "no key");
  EXPECT_TRUE(out[0].column(4).is_null(0));
  out.clear();
  ASSERT_TRUE(op.process(kRightSide, batch_of({row(1, 105'000, 9, "right")}), out).ok());
  ASSERT_EQ(rows_in(out), 1);
  out.clear();
  // The right watermark at t + upper: a right row at 110,000 may still come.
  ASSERT_TRUE(op.on_watermark(kRightSide, 110'000, out).ok());
  EXPECT_EQ(rows_in(out), 0);
  ASSERT_TRUE(op.on_watermark(kRightSide, 110'001, out).ok());
  ASSERT_EQ(rows_in(out), 1);
  EXPECT_EQ(Value::from_column(out[0].column(3), 0).to_string(), "alone");
  EXPECT_TRUE(out[0].column(4).is_null(0));
  EXPECT_TRUE(out[0].column(7).is_null(0));
  out.clear();
  ASSERT_TRUE(op.on_watermark(kRightSide, kFinalWatermark, out).ok());
  ASSERT_TRUE(op.on_watermark(kLeftSide, kFinalWatermark, out).ok());
  EXPECT_EQ(rows_in(out), 0);  // once only; the matched row never
}

TEST(JoinInterval, LateRowsAreDroppedAndCounted) {
  auto join = join_harness::make_join(JoinKind::kInterval, JoinType::kInner, Keys::kColumn, false);
  join->lower = join->upper = 1'000'000;
  auto made = make_join_operator(join);
  ASSERT_TRUE(made.ok());
  JoinOperator& op = **made;
  std::vector<RecordBatch> out;
  ASSERT_TRUE(op.process(kRightSide, batch_of({row(1, 50'000, 1, "r")}), out).ok());
  ASSERT_TRUE(op.on_watermark(kLeftSide, 60'000, out).ok());
  // Behind the left watermark: late, though a right row would match it.
  ASSERT_TRUE(op.process(kLeftSide,
                         batch_of({row(1, 59'999, 1, "late"), row(1, 60'000, 1, "on time")}), out)
                  .ok());
  EXPECT_EQ(op.stats().late_rows_dropped, 1);
  ASSERT_EQ(rows_in(out), 1);
  EXPECT_EQ(Value::from_column(out[0].column(3), 0).to_string(), "on time");
}

TEST(JoinWindow, RowsOfAClosedWindowAreLateAndStateGoesWithTheWindow) {
  auto join = join_harness::make_join(JoinKind::kWindow, JoinType::kInner, Keys::kColumn, false);
  join->left_end_offset = join->right_end_offset = 10'000;  // window_start of 10 ms windows
  auto made = make_join_operator(join);
  ASSERT_TRUE(made.ok());
  JoinOperator& op = **made;
  std::vector<RecordBatch> out;
  ASSERT_TRUE(
      op.process(kLeftSide, batch_of({row(1, 0, 1, "w0"), row(1, 10'000, 1, "w1")}), out).ok());
  EXPECT_EQ(op.state_stats().groups, 2);
  // The right side's window [0, 10 ms) closes at its watermark 10,000: the left row of it goes.
  ASSERT_TRUE(op.on_watermark(kRightSide, 9'999, out).ok());
  EXPECT_EQ(op.state_stats().groups, 2);
  ASSERT_TRUE(op.on_watermark(kRightSide, 10'000, out).ok());
  EXPECT_EQ(op.state_stats().groups, 1);
  // A right row of the closed window is late; one of the next window joins.
  ASSERT_TRUE(
      op.process(kRightSide, batch_of({row(1, 0, 1, "late"), row(1, 10'000, 1, "r1")}), out).ok());
  EXPECT_EQ(op.stats().late_rows_dropped, 1);
  ASSERT_EQ(rows_in(out), 1);
  EXPECT_EQ(Value::from_column(out[0].column(3), 0).to_string(), "w1");
}

// The state captured and written on another thread while the live operator goes on adding
// rows (new chunks and strings), pruning and compacting: the image writes what a twin fed
// the same rows writes at the capture.
TEST(JoinInterval, ImageWrittenOnAnotherThreadWhileTheStateChanges) {
  auto join = join_harness::make_join(JoinKind::kInterval, JoinType::kLeftOuter, Keys::kTwo, true);
  join->lower = join->upper = 3'000;
  auto live = make_join_operator(join);
  auto twin = make_join_operator(join);
  ASSERT_TRUE(live.ok() && twin.ok());
  std::vector<RecordBatch> out;
  const RecordBatch left = batch_of(rising(6000, 1000, "a name longer than eight bytes "));
  const RecordBatch right = batch_of(rising(6000, 1000, "another long name "));
  for (auto* op : {&*live, &*twin}) {
    ASSERT_TRUE((*op)->process(kLeftSide, left.slice(0, 3000), out).ok());
    ASSERT_TRUE((*op)->process(kRightSide, right.slice(0, 2000), out).ok());
  }
  StateWriter at_capture;
  (*twin)->capture()->write(at_capture);
  {
    ImageOnAnotherThread image((*live)->capture(), at_capture.take());
    ASSERT_TRUE((*live)->process(kLeftSide, left.slice(3000, 1000), out).ok());
    ASSERT_TRUE((*live)->on_watermark(kRightSide, 2'500'000, out).ok());  // prunes, compacts
    ASSERT_TRUE((*live)->process(kRightSide, right.slice(2000, 1000), out).ok());
    image.drop();
    ASSERT_TRUE((*live)->process(kLeftSide, left.slice(4000, 2000), out).ok());
    ASSERT_TRUE((*live)->on_watermark(kLeftSide, 3'500'000, out).ok());
    image.finish();
    EXPECT_TRUE(image.matches());
  }
}

TEST(JoinInterval, DamagedStateIsRefused) {
  auto join = join_harness::make_join(JoinKind::kInterval, JoinType::kInner, Keys::kColumn, false);
  auto op = make_join_operator(join);
  ASSERT_TRUE(op.ok());
  std::vector<RecordBatch> out;
  ASSERT_TRUE((*op)->process(kLeftSide, batch_of(rising(100, 10, "x")), out).ok());
  StateWriter w;
  (*op)->capture()->write(w);
  const std::string bytes = w.take();
  for (size_t cut : {size_t{0}, size_t{1}, size_t{20}, bytes.size() / 2, bytes.size() - 1}) {
    auto fresh = make_join_operator(join);
    StateReader r(std::string_view(bytes).substr(0, cut));
    EXPECT_EQ((*fresh)->restore(r).code(), ErrorCode::kDataCorrupt) << "cut at " << cut;
  }
}

}  // namespace
}  // namespace sluice::dataflow
