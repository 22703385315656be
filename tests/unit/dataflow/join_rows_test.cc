// JoinRows (dataflow/join_rows.h) with its index deferred, as the interval and window joins keep
// their rows: against the same rows indexed as they arrive, over random adds, removals, expiry,
// reclaiming (chunks freed, compaction), checkpoints and probes — each probe must visit the
// same rows in the same order — and what the deferral is for: a side probed rarely is never
// indexed, one probed often is.

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "dataflow/join_rows.h"
#include "dataflow/value_slots.h"
#include "sluice/column_builder.h"

namespace sluice::dataflow {
namespace {

// Stored columns: key (BIGINT), time (TIMESTAMP), note (VARCHAR); the key is column 0.
JoinRows make_rows(bool deferred) {
  JoinRows rows({DataType::kInt64, DataType::kTimestamp, DataType::kVarchar}, 1, {0},
                {DataType::kInt64});
  if (deferred) rows.set_deferred_index();
  return rows;
}

// One batch of rows (key, time, note) as a join side prepares it: its stored columns, its key
// column and the keys' hashes.
struct Batch {
  std::vector<Column> columns;
  std::vector<const Column*> stored;
  std::vector<Column> keys;
  std::vector<uint64_t> hashes;

  Batch(const std::vector<int64_t>& key, const std::vector<int64_t>& time) {
    ColumnBuilder k(DataType::kInt64), t(DataType::kTimestamp), s(DataType::kVarchar);
    for (size_t r = 0; r < key.size(); ++r) {
      k.append_int64(key[r]);
      t.append_int64(time[r]);
      // Short strings live in the record, long ones in the chunk's bytes.
      s.append_string(r % 2 == 0 ? "n" + std::to_string(r)
                                 : std::string(20, 'a') + std::to_string(time[r]));
    }
    columns.push_back(k.finish());
    columns.push_back(t.finish());
    columns.push_back(s.finish());
    for (const Column& c : columns) stored.push_back(&c);
    keys.push_back(columns[0]);
    hashes.assign(key.size(), kKeySeed);
    hash_column(keys[0], hashes);
  }
};

// The rows with row `row`'s key, as (time, note) in the order visited.
std::vector<std::string> probe(const JoinRows& rows, const Batch& b, int64_t row) {
  std::vector<std::string> out;
  rows.for_each_with_key(b.keys, row, b.hashes[static_cast<size_t>(row)], [&](uint32_t i) {
    ColumnBuilder note(DataType::kVarchar);
    rows.append_value(note, 2, i);
    out.push_back(std::to_string(rows.time(i)) + " " + std::string(note.finish().string_value(0)));
  });
  return out;
}

TEST(JoinRows, DeferredIndexVisitsTheSameRowsInTheSameOrder) {
  for (int seed = 0; seed < 12; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    std::mt19937_64 rng(static_cast<uint64_t>(seed) * 131 + 7);
    JoinRows eager = make_rows(false), deferred = make_rows(true);
    const int keys = 1 + static_cast<int>(rng() % 50);
    int64_t now = 0;
    int64_t probes = 0;
    for (int step = 0; step < 60; ++step) {
      // A batch of rows, almost in time order.
      const int n = 1 + static_cast<int>(rng() % 200);
      std::vector<int64_t> key, time;
      for (int r = 0; r < n; ++r) {
        key.push_back(static_cast<int64_t>(rng() % static_cast<uint64_t>(keys)));
        time.push_back(now + static_cast<int64_t>(rng() % 100) - 50);
        now += 3;
      }
      const Batch batch(key, time);
      // Probes first, as a join probes the other side's rows: sometimes one row, sometimes a
      // whole batch (which makes indexing worth it).
      const int64_t batch_probes = rng() % 3 == 0 ? n : 1;
      deferred.before_probes(batch_probes);
      for (int64_t r = 0; r < batch_probes; ++r) {
        ASSERT_EQ(probe(eager, batch, r), probe(deferred, batch, r)) << "step " << step;
        ++probes;
      }
      for (int r = 0; r < n; ++r) {
        const int32_t matches = static_cast<int32_t>(rng() % 3);
        ASSERT_EQ(
            eager.add(batch.stored, batch.keys, r, batch.hashes[static_cast<size_t>(r)], matches),
            deferred.add(batch.stored, batch.keys, r, batch.hashes[static_cast<size_t>(r)],
                         matches));
      }
      // Removals out of order (as a regular join's deletes: of rows of this batch, whose chunks
      // are held), then expiry by time.
      for (int k = static_cast<int>(rng() % 20); k > 0; --k) {
        const auto i = eager.size() - 1 - static_cast<uint32_t>(rng() % static_cast<uint64_t>(n));
        eager.remove(i);
        deferred.remove(i);
      }
      const int64_t limit = now - 300 - static_cast<int64_t>(rng() % 600);
      std::vector<uint32_t> gone_eager, gone_deferred;
      eager.expire(limit, false, [&](uint32_t i) { gone_eager.push_back(i); });
      deferred.expire(limit, false, [&](uint32_t i) { gone_deferred.push_back(i); });
      ASSERT_EQ(gone_eager, gone_deferred);
      eager.reclaim();
      deferred.reclaim();
      ASSERT_EQ(eager.size(), deferred.size());
      ASSERT_EQ(eager.live_rows(), deferred.live_rows());
      if (rng() % 10 == 0) {
        // A checkpoint taken and read back: the index is rebuilt (deferred: not at once).
        for (JoinRows* rows : {&eager, &deferred}) {
          StateWriter w;
          rows->freeze().write(w, rows->width());
          StateReader r(w.bytes());
          ASSERT_TRUE(rows->read(r).ok());
        }
      }
    }
    // Every key probed at the end, once and in one batch.
    std::vector<int64_t> all, times;
    for (int k = 0; k < keys; ++k) {
      all.push_back(k);
      times.push_back(now);
    }
    const Batch batch(all, times);
    for (int64_t probes_now : {int64_t{1}, static_cast<int64_t>(keys)}) {
      deferred.before_probes(probes_now);
      for (int k = 0; k < keys; ++k) ASSERT_EQ(probe(eager, batch, k), probe(deferred, batch, k));
    }
    EXPECT_GT(probes, 0);
  }
}

TEST(JoinRows, ARarelyProbedSideIsNeverIndexed) {
  // One probe per 10,000 rows of distinct keys (Nexmark q7: the bids, probed once per window
  // by its maximum): the rows are scanned, never indexed.
  JoinRows eager = make_rows(false), deferred = make_rows(true);
  int64_t next = 0;
  for (int block = 0; block < 10; ++block) {
    std::vector<int64_t> key, time;
    for (int r = 0; r < 10'000; ++r, ++next) {
      key.push_back(next);
      time.push_back(next);
    }
    const Batch batch(key, time);
    for (int64_t r = 0; r < batch.columns[0].length(); ++r) {
      eager.add(batch.stored, batch.keys, r, batch.hashes[static_cast<size_t>(r)], 0);
      deferred.add(batch.stored, batch.keys, r, batch.hashes[static_cast<size_t>(r)], 0);
    }
    const Batch one({next - 5'000}, {next});
    deferred.before_probes(1);
    ASSERT_EQ(probe(eager, one, 0), probe(deferred, one, 0));
    ASSERT_EQ(probe(deferred, one, 0).size(), 1u);
  }
  EXPECT_EQ(eager.index_entries(), 100'000u);
  EXPECT_EQ(deferred.index_entries(), 0u);
  EXPECT_LT(deferred.bytes(), eager.bytes());
}

TEST(JoinRows, AFrequentlyProbedSideIsIndexed) {
  // A batch of probes as large as the rows waiting: scanning them once per probe would cost
  // more than indexing them.
  JoinRows deferred = make_rows(true);
  std::vector<int64_t> key, time;
  for (int r = 0; r < 1'000; ++r) {
    key.push_back(r % 100);
    time.push_back(r);
  }
  const Batch batch(key, time);
  for (int64_t r = 0; r < 1'000; ++r) {
    deferred.add(batch.stored, batch.keys, r, batch.hashes[static_cast<size_t>(r)], 0);
  }
  deferred.before_probes(1);
  EXPECT_EQ(deferred.index_entries(), 0u);
  deferred.before_probes(1'000);
  EXPECT_EQ(deferred.index_entries(), 100u);  // one chain head per key
  // Newest first, all ten rows of key 7 (rows 7, 107, …, 907).
  const std::vector<std::string> found = probe(deferred, batch, 7);
  ASSERT_EQ(found.size(), 10u);
  EXPECT_EQ(found.front().substr(0, 4), "907 ");
  EXPECT_EQ(found.back().substr(0, 2), "7 ");
}

}  // namespace
}  // namespace sluice::dataflow
