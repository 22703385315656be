// Proves the compute loop's own bookkeeping allocates nothing per cycle: this binary replaces
// the global operator new and counts allocations by the phase the allocating thread is in
// (see common/alloc_phase.h). 1,000 pass-through cycles, one lone event each, must show
// zero allocations in the loop phase; the operators' allocations (output data) are reported.

#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>

#include "sluice/database.h"
#include "support/counting_new.h"

namespace sluice {
namespace {

int64_t count(AllocPhase phase) {
  return allocations(phase);
}

TEST(ComputeLoop, NoAllocationPerCycleForItsOwnBookkeeping) {
  auto db = Database::open().value();
  // Sinks too: handing batches to sink queues is part of every cycle. The callback sink's own
  // thread is counted as loop from its first write on, so a write that allocates fails the
  // test: the callback sink delivers without an allocation per write.
  std::atomic<int64_t> delivered{0};
  db->register_callback("count", [&](const RecordBatch& b) {
    current_alloc_phase = AllocPhase::kLoop;
    delivered += b.num_rows();
  });
  ASSERT_TRUE(db->execute("CREATE SOURCE t (n BIGINT); CREATE STREAM s AS SELECT n FROM t;"
                          "CREATE SINK b FROM s INTO blackhole ();"
                          "CREATE SINK cb FROM s INTO callback (function = 'count')")
                  .ok());
  auto sub = db->subscribe("s").value();
  auto src = db->source("t").value();
  RowBuilder rows = src.row_builder();
  ASSERT_TRUE(rows.set("n", Value::Int64(1)).end_row().ok());
  const RecordBatch event = rows.finish();

  auto cycle = [&] {
    ASSERT_TRUE(src.push(event).ok());
    auto b = sub.recv();  // one push, one cycle: the next push waits for this one's output
    ASSERT_TRUE(b.ok());
    ASSERT_EQ(b->num_rows(), 1);
  };
  for (int i = 0; i < 50; ++i) cycle();  // warm-up: hash maps and queues settle

  const int64_t loop_before = count(AllocPhase::kLoop);
  const int64_t operators_before = count(AllocPhase::kOperators);
  constexpr int kCycles = 1000;
  for (int i = 0; i < kCycles; ++i) cycle();
  const int64_t loop = count(AllocPhase::kLoop) - loop_before;
  const int64_t operators = count(AllocPhase::kOperators) - operators_before;

  std::printf(
      "compute loop allocations over %d cycles: loop bookkeeping %lld, operators %lld (%.1f per "
      "cycle)\n",
      kCycles, static_cast<long long>(loop), static_cast<long long>(operators),
      static_cast<double>(operators) / kCycles);
  EXPECT_EQ(loop, 0) << "the compute loop (or the callback sink's thread) allocated per cycle";
  ASSERT_TRUE(db->shutdown().ok());
  EXPECT_EQ(delivered.load(), 1050) << "every event reached the callback sink";
  EXPECT_GT(operators, 0)
      << "the counter must see the operators' allocations, or it proves nothing";
}

}  // namespace
}  // namespace sluice
