// PartitionWatermarks: the kafka source's watermark is the smallest of its partitions' (each the
// largest event time read from it minus the delay); an idle partition stops counting after
// idle.timeout and counts again once a message arrives; the watermark never goes back. Times are
// passed in, so nothing here waits.
#include "connectors/kafka/partition_watermarks.h"

#include <gtest/gtest.h>

namespace sluice::connectors::kafka {
namespace {

constexpr int64_t kNone = PartitionWatermarks::kNone;
constexpr int64_t kSecond = 1'000'000;

TEST(KafkaPartitionWatermarks, TheSourcesIsTheSmallestOfItsPartitions) {
  PartitionWatermarks w(/*delay=*/5 * kSecond, /*idle_timeout=*/0);
  w.assign("t/0", 0);
  w.assign("t/1", 0);
  w.observe("t/0", 100 * kSecond);
  // t/1 has no row yet: it holds the watermark unset.
  EXPECT_EQ(w.watermark(0), kNone);
  w.observe("t/1", 40 * kSecond);
  EXPECT_EQ(w.watermark(0), 35 * kSecond);
  w.observe("t/1", 200 * kSecond);
  EXPECT_EQ(w.watermark(0), 95 * kSecond);
  // An event time behind does not move it back.
  w.observe("t/0", 10 * kSecond);
  EXPECT_EQ(w.watermark(0), 95 * kSecond);
}

TEST(KafkaPartitionWatermarks, AnIdlePartitionStopsHoldingItBackUntilAMessageComes) {
  PartitionWatermarks w(0, /*idle_timeout=*/10 * kSecond);
  w.assign("t/0", 0);
  w.assign("t/1", 0);
  w.observe("t/0", 50 * kSecond);
  w.touch("t/0", 1 * kSecond);
  w.observe("t/1", 20 * kSecond);
  w.touch("t/1", 1 * kSecond);
  EXPECT_EQ(w.watermark(2 * kSecond), 20 * kSecond);
  // t/0 keeps getting messages; t/1 has been quiet for 10 s: it is idle.
  w.touch("t/0", 11 * kSecond);
  w.observe("t/0", 60 * kSecond);
  EXPECT_EQ(w.watermark(10 * kSecond), 20 * kSecond);
  EXPECT_EQ(w.watermark(11 * kSecond), 60 * kSecond);
  // t/1 wakes up behind: it counts again, but the watermark does not go back.
  w.touch("t/1", 12 * kSecond);
  w.observe("t/1", 30 * kSecond);
  EXPECT_EQ(w.watermark(12 * kSecond), 60 * kSecond);
  w.observe("t/0", 90 * kSecond);
  w.observe("t/1", 70 * kSecond);
  EXPECT_EQ(w.watermark(13 * kSecond), 70 * kSecond);
}

TEST(KafkaPartitionWatermarks, EveryPartitionIdleGivesTheLargest) {
  PartitionWatermarks w(0, 10 * kSecond);
  w.assign("t/0", 0);
  w.assign("t/1", 0);
  w.assign("t/2", 0);  // never a row
  w.observe("t/0", 50 * kSecond);
  w.observe("t/1", 20 * kSecond);
  EXPECT_EQ(w.watermark(5 * kSecond), kNone);  // t/2 holds it unset while it may yet send
  EXPECT_EQ(w.watermark(10 * kSecond), 50 * kSecond);
}

TEST(KafkaPartitionWatermarks, ARevokedPartitionNoLongerCounts) {
  PartitionWatermarks w(0, 0);
  w.assign("t/0", 0);
  w.assign("t/1", 0);
  w.observe("t/0", 50 * kSecond);
  w.observe("t/1", 20 * kSecond);
  EXPECT_EQ(w.watermark(0), 20 * kSecond);
  w.revoke("t/1");
  EXPECT_EQ(w.watermark(0), 50 * kSecond);
}

TEST(KafkaPartitionWatermarks, ADelayBelowTimestampsRangeLeavesItUnset) {
  PartitionWatermarks w(10 * kSecond, 0);
  w.assign("t/0", 0);
  w.observe("t/0", INT64_MIN + 5);
  EXPECT_EQ(w.watermark(0), kNone);
}

}  // namespace
}  // namespace sluice::connectors::kafka
