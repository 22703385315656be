// AlignmentMember/AlignmentGroups on their own: when a member is ahead of its group (its
// watermark more than its max drift above the lowest of the members that count), who counts
// (active, not idle, not gone), and that a paused reader wakes when the group moves, when it
// is interrupted (a stop), and never otherwise.

#include "runtime/watermark_alignment.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace sluice::runtime {
namespace {

std::shared_ptr<const sql::SourceDef> source(const std::string& name, const std::string& group,
                                             int64_t drift) {
  auto def = std::make_shared<sql::SourceDef>();
  def->name = name;
  def->alignment_group = group;
  def->alignment_max_drift = drift;
  return def;
}

// Waits (bounded: 30 s) until the member's stats say it is paused.
bool pauses(const AlignmentMember& member) {
  const auto deadline = SteadyClock::now() + std::chrono::seconds(30);
  while (!member.stats().paused) {
    if (SteadyClock::now() > deadline) return false;
    std::this_thread::yield();
  }
  return true;
}

class WatermarkAlignmentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fast = groups.join(*source("fast", "g", 10));
    slow = groups.join(*source("slow", "G", 10));  // group names are case-insensitive
    ASSERT_NE(fast, nullptr);
    ASSERT_NE(slow, nullptr);
    fast->activate();
    slow->activate();
  }
  AlignmentGroups groups;
  std::unique_ptr<AlignmentMember> fast;
  std::unique_ptr<AlignmentMember> slow;
};

TEST_F(WatermarkAlignmentTest, ASourceInNoGroupHasNoMember) {
  EXPECT_EQ(groups.join(*source("alone", "", 0)), nullptr);
}

TEST_F(WatermarkAlignmentTest, AheadByMoreThanTheDriftOfTheLowest) {
  // No watermark yet: nothing is ahead of a member that has read nothing... except once it has.
  EXPECT_FALSE(fast->ahead());
  fast->raise_watermark(100);
  EXPECT_TRUE(fast->ahead());   // slow has read nothing: its first rows may be the earliest
  EXPECT_FALSE(slow->ahead());  // the lowest is never ahead
  slow->raise_watermark(90);
  EXPECT_FALSE(fast->ahead());  // 100 - 10 is not above 90
  slow->raise_watermark(80);    // never back
  EXPECT_EQ(slow->watermark(), 90);
  fast->raise_watermark(101);
  EXPECT_TRUE(fast->ahead());
  EXPECT_FALSE(slow->ahead());
}

TEST_F(WatermarkAlignmentTest, IdleEndedAndInactiveMembersDoNotHoldTheGroup) {
  fast->raise_watermark(1000);
  slow->raise_watermark(0);
  ASSERT_TRUE(fast->ahead());
  slow->set_idle(true);
  EXPECT_FALSE(fast->ahead());
  slow->set_idle(false);
  EXPECT_TRUE(fast->ahead());
  slow->leave();
  EXPECT_FALSE(fast->ahead());

  // A member whose reader has not started does not count; once started it does.
  auto late = groups.join(*source("late", "g", 10));
  EXPECT_FALSE(fast->ahead());
  late->activate();
  EXPECT_TRUE(fast->ahead());
  late.reset();  // dropped: leaves its group
  EXPECT_FALSE(fast->ahead());
}

TEST_F(WatermarkAlignmentTest, APausedReaderWakesWhenTheSlowestCatchesUp) {
  fast->raise_watermark(1000);
  slow->raise_watermark(0);
  std::atomic<bool> returned{false};
  std::atomic<bool> aligned{false};
  std::thread reader([&] {
    aligned = fast->wait_aligned([] { return false; });
    returned = true;
  });
  if (!pauses(*fast)) {  // it returned without pausing
    reader.join();
    FAIL() << "never paused";
  }
  slow->raise_watermark(500);  // still 490 behind
  EXPECT_FALSE(returned.load());
  slow->raise_watermark(990);
  reader.join();
  EXPECT_TRUE(aligned.load());
  const AlignmentStats s = fast->stats();
  EXPECT_EQ(s.pauses, 1);
  EXPECT_FALSE(s.paused);
  EXPECT_GE(s.paused_micros, 0);
  EXPECT_EQ(slow->stats().pauses, 0);
}

TEST_F(WatermarkAlignmentTest, AStopWakesAPausedReader) {
  fast->raise_watermark(1000);
  slow->raise_watermark(0);
  std::atomic<bool> stop{false};
  bool aligned = true;
  std::thread reader([&] { aligned = fast->wait_aligned([&] { return stop.load(); }); });
  if (!pauses(*fast)) {
    stop = true;
    fast->wake();
    reader.join();
    FAIL() << "never paused";
  }
  stop = true;
  fast->wake();
  reader.join();
  EXPECT_FALSE(aligned);
  EXPECT_FALSE(fast->stats().paused);
}

TEST_F(WatermarkAlignmentTest, AWaitInSlicesIsOnePause) {
  fast->raise_watermark(1000);
  slow->raise_watermark(0);
  for (int i = 0; i < 3; ++i) {
    EXPECT_FALSE(fast->wait_aligned([] { return false; }, SteadyClock::now()));
  }
  EXPECT_EQ(fast->stats().pauses, 1);
  EXPECT_TRUE(fast->stats().paused);
  slow->raise_watermark(995);
  EXPECT_TRUE(fast->wait_aligned([] { return false; }, SteadyClock::now()));
  EXPECT_EQ(fast->stats().pauses, 1);
  EXPECT_FALSE(fast->stats().paused);
}

}  // namespace
}  // namespace sluice::runtime
