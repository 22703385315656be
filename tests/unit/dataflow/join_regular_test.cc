// The regular join (dataflow/join_regular.h), driven as a join node drives it
// (support/join_harness.h): over updating inputs with random inserts and deletes, what its
// changelog adds up to equals a reference joining both sides' final rows by nested loops, in
// any interleaving and batching, restored from a checkpoint at a random point or not; with a
// retention, against the reference that joins rows within the retention of each other; a left
// outer join retracts its NULL-padded row at the first match and emits it again after the
// last match is deleted; state dropped as the watermarks pass the retention.

#include <gtest/gtest.h>

#include <memory>
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

// Random inserts, and deletes of rows inserted before and not yet deleted.
std::vector<Row> with_deletes(std::mt19937_64& rng, std::vector<Row> inserts) {
  std::vector<Row> out;
  std::vector<Row> live;
  for (Row& r : inserts) {
    if (!live.empty() && rng() % 3 == 0) {
      const size_t i = rng() % live.size();
      Row d = live[i];
      d.del = true;
      live.erase(live.begin() + static_cast<std::ptrdiff_t>(i));
      out.push_back(std::move(d));
    }
    live.push_back(r);
    out.push_back(std::move(r));
  }
  return out;
}

// The rows a side holds at the end (each delete removes one equal row).
std::vector<std::vector<Value>> final_rows(const std::vector<Row>& rows,
                                           const std::vector<bool>& late) {
  std::vector<std::vector<Value>> live;
  std::vector<std::string> lines;  // live's, as text
  for (size_t i = 0; i < rows.size(); ++i) {
    if (late[i]) continue;
    const std::string line = join_harness::line_of(rows[i].values);
    if (!rows[i].del) {
      live.push_back(rows[i].values);
      lines.push_back(line);
      continue;
    }
    for (size_t j = 0; j < live.size(); ++j) {
      if (lines[j] == line) {
        live.erase(live.begin() + static_cast<std::ptrdiff_t>(j));
        lines.erase(lines.begin() + static_cast<std::ptrdiff_t>(j));
        break;
      }
    }
  }
  return live;
}

// The join of both sides' final rows: pairs with equal keys, within `retention` of each other
// when there is one, the residual TRUE; a left outer join adds each left row without one.
std::vector<std::string> reference(const sql::BoundJoin& j, Keys keys,
                                   const std::vector<std::vector<Value>>& left,
                                   const std::vector<std::vector<Value>>& right) {
  std::vector<std::string> out;
  for (const auto& l : left) {
    bool matched = false;
    for (const auto& r : right) {
      if (!join_harness::keys_match(keys, l, r)) continue;
      if (j.retention > 0) {
        const __int128 d = static_cast<__int128>(l[1].i) - r[1].i;
        if (d > j.retention || -d > j.retention) continue;
      }
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

// `updating`: both inputs emit changes (random deletes); `retention`: > 0 for a join that
// keeps rows that long (append-only inputs then).
void differential(JoinType type, bool updating, bool retention, int seeds) {
  for (int seed = 0; seed < seeds; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    std::mt19937_64 rng(static_cast<uint64_t>(seed) * 104729 + 3);
    const auto keys = static_cast<Keys>(rng() % 3);
    const bool residual = rng() % 2 == 0;
    const bool with_op = updating || type == JoinType::kLeftOuter;
    auto join = join_harness::make_join(JoinKind::kRegular, type, keys, residual, updating,
                                        updating, with_op);
    if (retention) join->retention = 1 + static_cast<int64_t>(rng() % 30'000);
    const int n = 150 + static_cast<int>(rng() % 250);
    const int key_count = 5 + static_cast<int>(rng() % 12);
    const int64_t step = 1 + static_cast<int64_t>(rng() % 2'000);
    const int64_t disorder = static_cast<int64_t>(rng() % 8'000);
    const int64_t delay = static_cast<int64_t>(rng() % 8'000);
    std::vector<Row> left = join_harness::random_rows(rng, n, key_count, step, disorder, 23);
    std::vector<Row> right = join_harness::random_rows(rng, n, key_count, step, disorder, 31);
    if (updating) {
      left = with_deletes(rng, std::move(left));
      right = with_deletes(rng, std::move(right));
    }
    const int max_batch = 1 + static_cast<int>(rng() % 48);
    const auto in_left = join_harness::make_input(rng, left, updating, delay, 0, max_batch);
    const auto in_right = join_harness::make_input(rng, right, updating, delay, 0, max_batch);
    // Without a retention nothing is late.
    const std::vector<bool> none(left.size() + right.size(), false);
    const std::vector<std::string> want =
        reference(*join, keys, final_rows(left, retention ? in_left.late : none),
                  final_rows(right, retention ? in_right.late : none));

    auto whole = join_harness::run(join, in_left, in_right, rng);
    ASSERT_TRUE(whole.ok()) << whole.status().to_string();
    EXPECT_EQ(whole->net_rows(), want);
    if (!with_op) {
      EXPECT_EQ(whole->sorted(), want);  // inserts only
    }
    const int64_t steps =
        2 * static_cast<int64_t>(in_left.batches.size() + in_right.batches.size());
    auto resumed =
        join_harness::run(join, in_left, in_right, rng, static_cast<int64_t>(rng() % (steps + 1)));
    ASSERT_TRUE(resumed.ok()) << resumed.status().to_string();
    EXPECT_EQ(resumed->net_rows(), want);
  }
}

TEST(JoinRegular, InnerAppendOnlyEqualsNestedLoops) {
  differential(JoinType::kInner, false, false, 25);
}
TEST(JoinRegular, InnerOverChangesAddsUpToNestedLoops) {
  differential(JoinType::kInner, true, false, 25);
}
TEST(JoinRegular, LeftOuterOverChangesAddsUpToNestedLoops) {
  differential(JoinType::kLeftOuter, true, false, 25);
}
TEST(JoinRegular, InnerWithRetentionJoinsRowsWithinIt) {
  differential(JoinType::kInner, false, true, 30);
}
TEST(JoinRegular, LeftOuterWithRetentionJoinsRowsWithinIt) {
  differential(JoinType::kLeftOuter, false, true, 30);
}

RecordBatch changes(const std::vector<Row>& rows) {
  BatchBuilder b(join_harness::side_schema(true));
  for (const Row& r : rows) {
    for (int c = 0; c < 4; ++c) append_value(b.column(c), r.values[static_cast<size_t>(c)]);
    b.column(4).append_string(r.del ? "delete" : "insert");
  }
  return b.finish();
}

Row row(int64_t k, int64_t ts, const std::string& name, bool del = false) {
  Row r;
  r.values = {Value::Int64(k), Value::Timestamp(ts), Value::Int64(1), Value::Varchar(name)};
  r.del = del;
  return r;
}

// "op name name_2" per output row, in order.
std::vector<std::string> ops(const std::vector<RecordBatch>& out) {
  std::vector<std::string> lines;
  for (const RecordBatch& b : out) {
    for (int64_t r = 0; r < b.num_rows(); ++r) {
      lines.push_back(Value::from_column(b.column(8), r).to_string() + " " +
                      Value::from_column(b.column(3), r).to_string() + " " +
                      Value::from_column(b.column(7), r).to_string());
    }
  }
  return lines;
}

TEST(JoinRegular, LeftOuterRetractsThePaddedRowAtTheFirstMatchAndBringsItBackAfterTheLast) {
  auto join = join_harness::make_join(JoinKind::kRegular, JoinType::kLeftOuter, Keys::kColumn,
                                      false, true, true, true);
  auto made = make_join_operator(join);
  ASSERT_TRUE(made.ok()) << made.status().to_string();
  JoinOperator& op = **made;
  std::vector<RecordBatch> out;
  ASSERT_TRUE(op.process(kLeftSide, changes({row(1, 0, "l")}), out).ok());
  ASSERT_TRUE(op.process(kRightSide, changes({row(1, 0, "r1"), row(1, 0, "r2")}), out).ok());
  ASSERT_TRUE(op.process(kRightSide, changes({row(1, 0, "r1", true)}), out).ok());
  ASSERT_TRUE(op.process(kRightSide, changes({row(1, 0, "r2", true)}), out).ok());
  ASSERT_TRUE(op.process(kLeftSide, changes({row(1, 0, "l", true)}), out).ok());
  EXPECT_EQ(ops(out), (std::vector<std::string>{"insert l NULL", "delete l NULL", "insert l r1",
                                                "insert l r2", "delete l r1", "delete l r2",
                                                "insert l NULL", "delete l NULL"}));
  EXPECT_EQ(op.state_stats().groups, 0);
}

TEST(JoinRegular, RetentionDropsStateAsTheWatermarksPass) {
  auto join = join_harness::make_join(JoinKind::kRegular, JoinType::kInner, Keys::kColumn, false);
  join->retention = 1'000'000;
  auto made = make_join_operator(join);
  ASSERT_TRUE(made.ok()) << made.status().to_string();
  JoinOperator& op = **made;
  std::vector<RecordBatch> out;
  BatchBuilder b(join_harness::side_schema(false));
  for (int i = 0; i < 4000; ++i) {
    for (int c = 0; c < 4; ++c) {
      append_value(b.column(c),
                   row(i % 10, i * 1000, "a row with a long name").values[static_cast<size_t>(c)]);
    }
  }
  const RecordBatch rows = b.finish();
  ASSERT_TRUE(op.process(kLeftSide, rows, out).ok());
  const StateStats full = op.state_stats();
  EXPECT_EQ(full.groups, 4000);
  // Left rows at t go once the right watermark passes t + 1 s: those up to 2 s of 4 s.
  ASSERT_TRUE(op.on_watermark(kRightSide, 3'000'001, out).ok());
  EXPECT_EQ(op.state_stats().groups, 4000 - 2001);
  EXPECT_LT(op.state_stats().bytes, full.bytes);
  EXPECT_TRUE(out.empty());
}

TEST(JoinRegular, ImageWrittenOnAnotherThreadWhileTheStateChanges) {
  auto join = join_harness::make_join(JoinKind::kRegular, JoinType::kLeftOuter, Keys::kTwo, false,
                                      true, true, true);
  auto live = make_join_operator(join);
  auto twin = make_join_operator(join);
  ASSERT_TRUE(live.ok() && twin.ok());
  std::vector<Row> left, right, gone;
  for (int i = 0; i < 5000; ++i) {
    left.push_back(row(i % 100, 0, "a long name of the left row"));
    right.push_back(row(i % 100, 0, "a long name of the left row"));
  }
  for (int i = 0; i < 3000; ++i)
    gone.push_back(row(i % 100, 0, "a long name of the left row", true));
  std::vector<RecordBatch> out;
  for (auto* op : {&*live, &*twin}) {
    ASSERT_TRUE((*op)->process(kLeftSide, changes(left), out).ok());
    out.clear();
  }
  StateWriter at_capture;
  (*twin)->capture()->write(at_capture);
  {
    ImageOnAnotherThread image((*live)->capture(), at_capture.take());
    // Deletes (which compact) and match counts changed on rows the image holds.
    ASSERT_TRUE((*live)->process(kLeftSide, changes(gone), out).ok());
    ASSERT_TRUE((*live)->process(kRightSide, changes({right[0], right[1]}), out).ok());
    out.clear();
    image.drop();
    ASSERT_TRUE((*live)->process(kLeftSide, changes(left), out).ok());
    out.clear();
    image.finish();
    EXPECT_TRUE(image.matches());
  }
}

}  // namespace
}  // namespace sluice::dataflow
