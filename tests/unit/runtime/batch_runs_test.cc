// The compute loop's pushes of a source's pending batches (runtime/batch_runs.h): small
// batches merged in runs, a large one pushed alone, all in order.

#include "runtime/batch_runs.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sluice/batch_builder.h"

namespace sluice::runtime {
namespace {

RecordBatch rows(int64_t n) {
  BatchBuilder b(make_schema({{"v", DataType::kInt64}}));
  for (int64_t i = 0; i < n; ++i) b.column(0).append_int64(i);
  return b.finish();
}

std::string runs_of(const std::vector<int64_t>& sizes) {
  std::vector<RecordBatch> batches;
  for (int64_t n : sizes) batches.push_back(rows(n));
  std::string runs;
  const Status s = for_each_batch_run(
      std::span<const RecordBatch>(batches), 1024, [&](size_t first, size_t last) {
        runs += "[" + std::to_string(first) + "," + std::to_string(last) + ")";
        return Status::Ok();
      });
  EXPECT_TRUE(s.ok());
  return runs;
}

TEST(BatchRuns, LargeBatchesGoAloneAndSmallOnesMergeInOrder) {
  EXPECT_EQ(runs_of({4096, 4096, 4096}), "[0,1)[1,2)[2,3)");  // no copy of large batches
  EXPECT_EQ(runs_of({10, 20, 30}), "[0,3)");
  EXPECT_EQ(runs_of({10, 20, 4096, 5, 1024, 1023}), "[0,2)[2,3)[3,4)[4,5)[5,6)");
  EXPECT_EQ(runs_of({7}), "[0,1)");
  EXPECT_EQ(runs_of({}), "");
}

TEST(BatchRuns, StopsAtTheFirstError) {
  std::vector<RecordBatch> batches{rows(2000), rows(2000), rows(2000)};
  int calls = 0;
  const Status s =
      for_each_batch_run(std::span<const RecordBatch>(batches), 1024, [&](size_t, size_t) {
        ++calls;
        return Status(ErrorCode::kInternal, "stop");
      });
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(calls, 1);
}

}  // namespace
}  // namespace sluice::runtime
