#include "dataflow/aggregate_operator.h"

#include <gtest/gtest.h>

#include <random>
#include <thread>

#include "dataflow/operator.h"
#include "sluice/batch_builder.h"
#include "sql/binder.h"
#include "sql/parser.h"
#include "support/bind_over_source.h"
#include "support/image_on_another_thread.h"

namespace sluice::dataflow {
namespace {

// An operator for `select` over source t(k VARCHAR, v BIGINT, ts TIMESTAMP, watermark ts).
std::unique_ptr<AggregateOperator> make(std::string_view select) {
  auto q = bind_over_source(
      select,
      make_schema(
          {{"k", DataType::kVarchar}, {"v", DataType::kInt64}, {"ts", DataType::kTimestamp}}),
      2);
  return q ? std::make_unique<AggregateOperator>(std::move(q), false) : nullptr;
}

RecordBatch batch(const std::vector<std::tuple<std::string, int64_t, int64_t>>& rows) {
  BatchBuilder b(make_schema(
      {{"k", DataType::kVarchar}, {"v", DataType::kInt64}, {"ts", DataType::kTimestamp}}));
  for (const auto& [k, v, ts] : rows) {
    b.column(0).append_string(k);
    b.column(1).append_int64(v);
    b.column(2).append_int64(ts * 1'000'000);
  }
  return b.finish();
}

std::string text(const std::vector<RecordBatch>& out) {
  std::string s;
  for (const RecordBatch& b : out) s += b.to_string();
  return s;
}

constexpr const char* kSessions =
    "SELECT k, window_start, COUNT(*) AS n, SUM(v) AS total, COUNT(DISTINCT v) AS d, "
    "FIRST_VALUE(v) AS f, MAX(v) AS m FROM t GROUP BY k, SESSION(ts, INTERVAL '10' SECOND)";

// Snapshot mid-stream, restore into a new operator, continue: same output as never stopping.
TEST(AggregateOperator, RestoredStateContinuesExactly) {
  const auto first = batch({{"a", 1, 100}, {"b", 5, 101}, {"a", 2, 105}, {"a", 2, 130}});
  const auto second = batch({{"a", 3, 112}, {"b", 7, 108}, {"c", 1, 131}});

  auto reference = make(kSessions);
  std::vector<RecordBatch> expected;
  ASSERT_TRUE(reference->process(first, expected).ok());
  ASSERT_TRUE(reference->process(second, expected).ok());
  ASSERT_TRUE(reference->on_watermark(kFinalWatermark, expected).ok());

  auto before = make(kSessions);
  std::vector<RecordBatch> out;
  ASSERT_TRUE(before->process(first, out).ok());
  StateWriter writer;
  before->snapshot(writer);
  auto after = make(kSessions);
  StateReader reader(writer.bytes());
  ASSERT_TRUE(after->restore(reader).ok());
  EXPECT_EQ(after->live_groups(), before->live_groups());
  ASSERT_TRUE(after->process(second, out).ok());
  ASSERT_TRUE(after->on_watermark(kFinalWatermark, out).ok());
  EXPECT_EQ(text(out), text(expected));
  EXPECT_EQ(expected.size(), 1u);
  EXPECT_EQ(expected[0].num_rows(), 4) << text(expected);  // a: 2 sessions, b, c
}

// FILTER is part of the query's definition, not of its state: a restored operator goes on
// filtering exactly as one that never stopped, for every kind of aggregate state.
TEST(AggregateOperator, FilteredAggregatesRestoreExactly) {
  constexpr const char* kFiltered =
      "SELECT k, window_start, COUNT(*) FILTER (WHERE v > 1) AS n, "
      "SUM(v) FILTER (WHERE v <> 2) AS total, COUNT(DISTINCT v) FILTER (WHERE v < 7) AS d, "
      "FIRST_VALUE(v) FILTER (WHERE v > 1) AS f, MAX(v) FILTER (WHERE k = 'b') AS m, "
      "VAR_POP(v) FILTER (WHERE v >= 2) AS var FROM t GROUP BY k, SESSION(ts, INTERVAL '10' "
      "SECOND)";
  const auto first = batch({{"a", 1, 100}, {"b", 5, 101}, {"a", 2, 105}, {"a", 2, 130}});
  const auto second = batch({{"a", 3, 112}, {"b", 7, 108}, {"c", 1, 131}});

  auto reference = make(kFiltered);
  std::vector<RecordBatch> expected;
  ASSERT_TRUE(reference->process(first, expected).ok());
  ASSERT_TRUE(reference->process(second, expected).ok());
  ASSERT_TRUE(reference->on_watermark(kFinalWatermark, expected).ok());
  ASSERT_EQ(expected.size(), 1u);
  // Session a [100, 122): v 1, 2, 3 → n 2, total 4, d 3, f 2, var of {2, 3}; c: nothing passes
  // but SUM's filter.
  const std::string all = text(expected);
  EXPECT_EQ(all,
            "k | window_start         | n | total | d | f    | m    | var\n"
            "--+----------------------+---+-------+---+------+------+-----\n"
            "b | 1970-01-01T00:01:41Z | 2 | 12    | 1 | 5    | 7    | 1\n"
            "a | 1970-01-01T00:01:40Z | 2 | 4     | 3 | 2    | NULL | 0.25\n"
            "a | 1970-01-01T00:02:10Z | 1 | NULL  | 1 | 2    | NULL | 0\n"
            "c | 1970-01-01T00:02:11Z | 0 | 1     | 1 | NULL | NULL | NULL\n");

  auto before = make(kFiltered);
  std::vector<RecordBatch> out;
  ASSERT_TRUE(before->process(first, out).ok());
  StateWriter writer;
  before->snapshot(writer);
  auto after = make(kFiltered);
  StateReader reader(writer.bytes());
  ASSERT_TRUE(after->restore(reader).ok());
  ASSERT_TRUE(after->process(second, out).ok());
  ASSERT_TRUE(after->on_watermark(kFinalWatermark, out).ok());
  EXPECT_EQ(text(out), all);
}

// A GROUP BY without aggregates (what a continuous SELECT DISTINCT is) has one fixed row per
// group: ON UPDATE emits it when the group appears, never again, across a restore too.
TEST(AggregateOperator, GroupsWithoutAggregatesEmitOnlyNewRows) {
  constexpr const char* kDistinct = "SELECT DISTINCT k, v FROM t";
  auto op = make(kDistinct);
  std::vector<RecordBatch> out;
  ASSERT_TRUE(op->process(batch({{"a", 1, 1}, {"a", 1, 2}, {"b", 1, 3}}), out).ok());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].num_rows(), 2) << text(out);
  StateWriter writer;
  op->snapshot(writer);
  auto restored = make(kDistinct);
  StateReader reader(writer.bytes());
  ASSERT_TRUE(restored->restore(reader).ok());
  for (AggregateOperator* o : {op.get(), restored.get()}) {
    std::vector<RecordBatch> next;
    ASSERT_TRUE(o->process(batch({{"a", 1, 4}, {"c", 2, 5}, {"b", 1, 6}}), next).ok());
    ASSERT_EQ(next.size(), 1u);
    EXPECT_EQ(next[0].num_rows(), 1) << text(next);  // only (c, 2)
  }
}

TEST(AggregateOperator, CorruptStateIsAnErrorNotACrash) {
  auto op = make("SELECT k, COUNT(*) AS n FROM t GROUP BY k, TUMBLE(ts, INTERVAL '1' MINUTE)");
  std::vector<RecordBatch> out;
  ASSERT_TRUE(op->process(batch({{"a", 1, 1}, {"b", 1, 2}}), out).ok());
  StateWriter writer;
  op->snapshot(writer);
  const std::string bytes = writer.bytes();
  for (size_t cut = 0; cut < bytes.size(); cut += 7) {
    auto fresh = make("SELECT k, COUNT(*) AS n FROM t GROUP BY k, TUMBLE(ts, INTERVAL '1' MINUTE)");
    StateReader reader(std::string_view(bytes).substr(0, cut));
    EXPECT_FALSE(fresh->restore(reader).ok()) << "accepted a snapshot cut at " << cut;
  }
}

// A state whose counts say more than its bytes could hold (a damaged file whose checksum
// was made to match) is an error before anything is sized by them: no bad_alloc.
TEST(AggregateOperator, DamagedCountsAreErrorsNotAllocations) {
  constexpr const char* kQuery =
      "SELECT k, COUNT(*) AS n, COUNT(DISTINCT v) AS d FROM t GROUP BY k";
  // One group, laid out as AggregateOperator::snapshot writes it (format 2: typed arrays),
  // with the given counts: groups in the store, arena blocks, bytes of the key's state array,
  // values in the distinct set.
  auto state = [](int64_t groups, int64_t blocks, int64_t key_bytes, int64_t distinct) {
    StateWriter w;
    w.u8(2);   // format
    w.i64(0);  // watermark
    w.i64(1);  // next order
    w.i64(1);  // stores
    w.i64(0);  // window start
    w.i64(0);  // window end
    w.i64(groups);
    w.i64(blocks);  // arena blocks
    w.str("a");
    w.i64(key_bytes);  // the key: its states (1 byte per group), then its string references
    w.u8(2);
    w.str(std::string("\1\0\0\0a\0\0\0\0\0\0\0", 12));  // length 1, "a" held inline
    w.str(std::string("\1\0\0\0\0\0\0\0", 8));          // COUNT(*)
    w.u8(1);                                            // a distinct set
    w.i64(distinct);
    w.str(distinct == 1 ? std::string("\1\0\0\0x", 5) : std::string());
    return w.take();
  };
  {
    auto op = make(kQuery);
    const std::string whole = state(1, 1, 1, 1);
    StateReader reader(whole);
    const Status restored = op->restore(reader);
    ASSERT_TRUE(restored.ok()) << "the undamaged state must restore: " << restored.to_string();
  }
  for (int64_t damaged : {int64_t{1} << 40, INT64_MAX, int64_t{-5}}) {
    const std::string states[] = {state(damaged, 1, 1, 1), state(1, damaged, 1, 1),
                                  state(1, 1, damaged, 1), state(1, 1, 1, damaged)};
    for (const std::string& bytes : states) {
      auto op = make(kQuery);
      StateReader reader(bytes);
      Status s = op->restore(reader);
      EXPECT_EQ(s.code(), ErrorCode::kDataCorrupt) << damaged << ": " << s.to_string();
    }
  }
}

TEST(AggregateOperator, WindowsFreeTheirStateWhenTheyClose) {
  auto op = make("SELECT k, COUNT(*) AS n FROM t GROUP BY k, TUMBLE(ts, INTERVAL '1' MINUTE)");
  std::vector<RecordBatch> out;
  for (int minute = 0; minute < 100; ++minute) {
    ASSERT_TRUE(op->process(batch({{"a", 1, minute * 60}, {"b", 1, minute * 60 + 1}}), out).ok());
    ASSERT_TRUE(op->on_watermark(int64_t{minute} * 60'000'000, out).ok());
  }
  EXPECT_LE(op->live_groups(), 4u) << "closed windows must not stay in memory";
}

// state_stats() counts live groups and the bytes they take; a closed window's groups and
// their bytes go at once (its store is dropped, not kept for reuse).
TEST(AggregateOperator, StateStatsCountLiveGroupsAndClosedWindowsReturnTheirBytes) {
  auto op = make(
      "SELECT k, COUNT(*) AS n, MIN(k) AS m, COUNT(DISTINCT v) AS d FROM t "
      "GROUP BY k, TUMBLE(ts, INTERVAL '1' MINUTE)");
  const StateStats empty = op->state_stats();
  std::vector<std::tuple<std::string, int64_t, int64_t>> rows;
  for (int i = 0; i < 5000; ++i) rows.emplace_back("key-" + std::to_string(i), i % 7, 1);
  std::vector<RecordBatch> out;
  ASSERT_TRUE(op->process(batch(rows), out).ok());
  const StateStats full = op->state_stats();
  EXPECT_EQ(full.groups, 5000);
  // At least each group's key bytes, count and distinct value; far below a Value per field.
  EXPECT_GT(full.bytes - empty.bytes, 5000 * 20);
  EXPECT_LT(full.bytes - empty.bytes, 5000 * 250);
  ASSERT_TRUE(op->on_watermark(int64_t{61} * 1'000'000, out).ok());
  const StateStats closed = op->state_stats();
  EXPECT_EQ(closed.groups, 0);
  EXPECT_LT(closed.bytes, empty.bytes + 4096) << "a closed window's memory must return";
}

// An unwindowed group lives for the query's life while its text changes with every update
// (LAST_VALUE, MAX, and the changelog's copy of its last row): the bytes of replaced text are
// reclaimed, so the state stays the size of what it holds, not of what it once held.
TEST(AggregateOperator, ReplacedTextDoesNotGrowTheState) {
  auto op = make(
      "SELECT v, COUNT(*) AS n, LAST_VALUE(k) AS l, MAX(k) AS m FROM t GROUP BY v EMIT CHANGES");
  std::vector<RecordBatch> out;
  std::string last;
  for (int i = 0; i < 5000; ++i) {
    char text[128];
    std::snprintf(text, sizeof text, "%06d-%0100d", i, i);  // 107 bytes, rising
    last = text;
    out.clear();
    ASSERT_TRUE(op->process(batch({{last, i % 2, 1}}), out).ok());
  }
  ASSERT_EQ(out.size(), 1u);
  const std::string shown = text(out);
  EXPECT_NE(shown.find(last), std::string::npos) << shown;  // LAST_VALUE and MAX: the last text
  EXPECT_EQ(op->state_stats().groups, 2);
  // 2 groups × 4 texts of 107 bytes live; 5000 updates replaced about 2 MB of text.
  EXPECT_LT(op->state_stats().bytes, 64 * 1024) << "replaced text must not stay in the state";
}

// An image is written on another thread (the checkpoint thread) while the operator goes on
// changing every group, adding groups, and dropping the windows the image holds: it still
// writes exactly the state at its capture.
TEST(AggregateOperator, AnImageWrittenOnAnotherThreadHoldsTheStateAtItsCapture) {
  auto op = make(
      "SELECT k, COUNT(*) AS n, MAX(k) AS m, COUNT(DISTINCT v) AS d, LAST_VALUE(k) AS l FROM t "
      "GROUP BY k, TUMBLE(ts, INTERVAL '1' MINUTE) EMIT CHANGES");
  auto rows = [](int first, int n, int64_t ts) {
    std::vector<std::tuple<std::string, int64_t, int64_t>> r;
    for (int i = first; i < first + n; ++i)
      r.emplace_back("key-number-" + std::to_string(i % 9000), i, ts);
    return batch(r);
  };
  std::vector<RecordBatch> out;
  ASSERT_TRUE(op->process(rows(0, 20000, 1), out).ok());
  ASSERT_TRUE(op->process(rows(0, 20000, 61), out).ok());
  StateWriter at_capture;
  op->snapshot(at_capture);
  std::unique_ptr<StateImage> image = op->capture();
  std::string written;
  std::thread checkpoint([&] {
    StateWriter w;
    image->write(w);
    written = w.take();
    image.reset();
  });
  for (int round = 0; round < 10; ++round) {
    ASSERT_TRUE(op->process(rows(round * 1000, 20000, 61 + round), out).ok());
  }
  ASSERT_TRUE(op->on_watermark(int64_t{200} * 1'000'000, out).ok());  // both windows close
  ASSERT_TRUE(op->process(rows(0, 20000, 300), out).ok());
  checkpoint.join();
  EXPECT_EQ(written, at_capture.bytes());
}

// The image is written on another thread while the operator changes the chunks, strings and
// COUNT DISTINCT sets it shares (the first chunk's groups), then dropped there while the
// operator changes every group: those it had not copied are now unshared by the image's
// release, not copied. Sessions merge their sets. Also run in the ThreadSanitizer build.
TEST(AggregateOperator, AnImageWrittenWhileItsChunksChangeAndThenDroppedHoldsItsCapture) {
  constexpr int kKeys = 5000;
  auto rows = [](int first, int end, int64_t v, int64_t ts) {
    std::vector<std::tuple<std::string, int64_t, int64_t>> r;
    for (int i = first; i < end; ++i) {
      r.emplace_back("key-number-" + std::to_string(i), v + i % 5, ts);
    }
    return batch(r);
  };
  for (const char* query :
       {"SELECT k, COUNT(*) AS n, MAX(k) AS m, COUNT(DISTINCT v) AS d, SUM(v) AS s, "
        "LAST_VALUE(k || CAST(v AS VARCHAR)) AS l FROM t "
        "GROUP BY k, TUMBLE(ts, INTERVAL '1' MINUTE) EMIT CHANGES",
        kSessions}) {
    SCOPED_TRACE(query);
    // The state at the capture is the twin's snapshot: a snapshot of `op` itself would read
    // its chunks on this thread first, which hides the image thread's reads from TSan.
    auto op = make(query);
    auto twin = make(query);
    std::vector<RecordBatch> out;
    auto both = [&](const RecordBatch& b) {
      return op->process(b, out).ok() && twin->process(b, out).ok();
    };
    for (int cut = 0; cut < 2; ++cut) {
      // Two sessions per key (100 s and 118 s), which a row at 109 s joins; one minute's window.
      const int64_t base = cut * 1200;
      ASSERT_TRUE(both(rows(0, kKeys, cut * 100, base + 100)));
      ASSERT_TRUE(both(rows(0, kKeys, cut * 100 + 50, base + 118)));
      StateWriter at_capture;
      twin->snapshot(at_capture);
      ImageOnAnotherThread image(op->capture(), at_capture.take());
      // While the image is written: the first chunk's groups (copied). Dropped: the others
      // first (not copied: written in place once the image's reference is released), then all.
      std::vector<RecordBatch> changes = {rows(0, 1000, cut * 100 + 10, base + 109),
                                          rows(0, 3000, cut * 100 + 11, base + 109)};
      for (const RecordBatch& b : changes) ASSERT_TRUE(op->process(b, out).ok());
      image.drop();
      for (int round = 0; round < 3; ++round) {
        changes.push_back(
            rows(round == 0 ? kKeys / 2 : 0, kKeys, cut * 100 + 20 + round, base + 109));
        ASSERT_TRUE(op->process(changes.back(), out).ok());
      }
      for (const RecordBatch& b : changes) ASSERT_TRUE(twin->process(b, out).ok());
      image.finish();
      EXPECT_TRUE(image.matches()) << "cut " << cut;
      out.clear();
    }
  }
}

// Bytes of a real state changed at random (a damaged file whose checksum was made to match):
// restore either refuses it (SLC-4001) or gives an operator that still works, never a crash
// or a read out of bounds (run under ASan in the sanitizer build).
TEST(AggregateOperator, FlippedBytesAreRefusedOrRestoredNeverACrash) {
  for (const char* query :
       {"SELECT k, COUNT(*) AS n, MIN(k) AS m, COUNT(DISTINCT v) AS d, LAST_VALUE(k) AS l "
        "FROM t GROUP BY k, HOP(ts, INTERVAL '10' SECOND, INTERVAL '30' SECOND) EMIT CHANGES",
        kSessions}) {
    auto op = make(query);
    std::vector<RecordBatch> out;
    ASSERT_TRUE(op->process(batch({{"a", 1, 100},
                                   {"bb", 5, 101},
                                   {"a", 2, 105},
                                   {"ccc", 2, 130},
                                   {"a", 3, 112},
                                   {"bb", 7, 108},
                                   {"", 1, 131}}),
                            out)
                    .ok());
    StateWriter writer;
    op->snapshot(writer);
    const std::string bytes = writer.bytes();
    std::mt19937_64 rng(42);
    for (int round = 0; round < 2000; ++round) {
      std::string damaged = bytes;
      for (int flips = 1 + static_cast<int>(rng() % 3); flips > 0; --flips) {
        damaged[rng() % damaged.size()] ^= static_cast<char>(1 + rng() % 255);
      }
      auto fresh = make(query);
      StateReader reader(damaged);
      const Status s = fresh->restore(reader);
      if (!s.ok()) {
        EXPECT_EQ(s.code(), ErrorCode::kDataCorrupt) << s.to_string();
        continue;
      }
      std::vector<RecordBatch> more;
      (void)fresh->process(batch({{"a", 4, 140}, {"zz", 1, 141}}), more);
      (void)fresh->on_watermark(kFinalWatermark, more);
    }
  }
}

}  // namespace
}  // namespace sluice::dataflow
