// The OVER frame's state allocates nothing per row in steady state: rows kept and removed reuse
// freed nodes and partitions (free lists), their bytes go to arena blocks of up to 64 KiB, and
// rows waiting for the watermark are released into buffers that are reused. This binary
// replaces operator new (support/counting_new.h) and counts what the state allocates.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "dataflow/ordered_row_codec.h"
#include "dataflow/over_partitions.h"
#include "support/counting_new.h"

namespace sluice::dataflow {
namespace {

constexpr int kRows = 2000;
constexpr int kPartitions = 100;
constexpr int kRounds = 50;

TEST(OverStateAllocation, RowsKeptRemovedAndReleasedAllocateNothingPerRow) {
  // Rows as q6's frame holds them: a time, then a text value (about 30 bytes each).
  const OrderedRowCodec codec(
      {OrderedColumn{DataType::kTimestamp}, OrderedColumn{DataType::kVarchar}});
  std::vector<std::string> rows(kRows), keys(kPartitions);
  for (int i = 0; i < kRows; ++i) {
    codec.append(0, Value::Timestamp(i), rows[i]);
    codec.append(1, Value::Varchar("payload-" + std::to_string(i * 7919)), rows[i]);
  }
  for (int p = 0; p < kPartitions; ++p) keys[p] = "partition-" + std::to_string(p);
  OverPartitions state;
  OverPartitions::Released released;
  auto round = [&] {
    // As changes: every row kept, then every row removed (the partitions freed with them).
    for (int i = 0; i < kRows; ++i) state.add(state.get(keys[i % kPartitions]), rows[i]);
    for (int i = 0; i < kRows; ++i) state.remove(state.find(keys[i % kPartitions]), rows[i]);
    state.maybe_compact();
    // On the watermark: every row waits, then is released and kept as its partition's last.
    for (int i = 0; i < kRows; ++i) state.wait(keys[i % kPartitions], rows[i]);
    ASSERT_TRUE(state.release(kRows, codec, released).ok());
    ASSERT_EQ(released.rows.size(), static_cast<size_t>(kRows));
    for (size_t i = 0; i < released.rows.size(); ++i) {
      const uint32_t p = state.get(released.partition(i));
      state.add(p, released.row(i));
      state.keep_last(p, 0);
    }
    state.maybe_compact();
    ASSERT_EQ(state.rows(), 0);
    ASSERT_EQ(state.partitions(), 0);
  };
  for (int i = 0; i < 3; ++i) round();  // warm-up: the arrays, index and buffers grow once
  const int64_t before = allocations(AllocPhase::kOperators);
  {
    AllocPhaseScope scope(AllocPhase::kOperators);
    for (int i = 0; i < kRounds; ++i) round();
  }
  const int64_t made = allocations(AllocPhase::kOperators) - before;
  const int64_t row_changes = int64_t{kRounds} * kRows * 4;  // add, remove, wait, release
  std::printf("OVER state: %lld allocations over %lld row changes\n", static_cast<long long>(made),
              static_cast<long long>(row_changes));
  // An arena block per ~2,000 rows' bytes and a compaction now and then: not one per row.
  EXPECT_LT(made * 100, row_changes);
}

}  // namespace
}  // namespace sluice::dataflow
