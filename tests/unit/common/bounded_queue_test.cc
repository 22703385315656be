#include "common/bounded_queue.h"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "cpu_time.h"

namespace sluice {
namespace {

using namespace std::chrono_literals;

template <typename Q>
class QueueTest : public ::testing::Test {};
using QueueTypes = ::testing::Types<SpscQueue<std::string>, MpscQueue<std::string>>;
TYPED_TEST_SUITE(QueueTest, QueueTypes);

TYPED_TEST(QueueTest, FifoUntilFullThenEmpty) {
  TypeParam q(4);
  for (int i = 0; i < 4; ++i) {
    std::string v = std::to_string(i);
    ASSERT_EQ(q.try_push(v), QueueStatus::kOk);
  }
  std::string extra = "x";
  EXPECT_EQ(q.try_push(extra), QueueStatus::kFull);
  EXPECT_EQ(extra, "x");  // not consumed on failure
  EXPECT_EQ(q.size(), 4u);
  for (int i = 0; i < 4; ++i) {
    std::string out;
    ASSERT_EQ(q.try_pop(out), QueueStatus::kOk);
    EXPECT_EQ(out, std::to_string(i));
  }
  std::string out;
  EXPECT_EQ(q.try_pop(out), QueueStatus::kEmpty);
}

TYPED_TEST(QueueTest, CloseDrainsThenReportsClosed) {
  TypeParam q(8);
  q.push(std::string("a"));
  q.push(std::string("b"));
  q.close();
  std::string v = "c";
  EXPECT_EQ(q.try_push(v), QueueStatus::kClosed);
  std::string out;
  EXPECT_EQ(q.pop(out), QueueStatus::kOk);
  EXPECT_EQ(out, "a");
  EXPECT_EQ(q.pop(out), QueueStatus::kOk);
  EXPECT_EQ(out, "b");
  EXPECT_EQ(q.pop(out), QueueStatus::kClosed);
}

TYPED_TEST(QueueTest, BlockingPushWaitsForRoom) {
  TypeParam q(2);
  q.push(std::string("1"));
  q.push(std::string("2"));
  std::atomic<bool> pushed{false};
  std::thread producer([&] {
    EXPECT_EQ(q.push(std::string("3")), QueueStatus::kOk);
    pushed = true;
  });
  std::this_thread::sleep_for(30ms);
  EXPECT_FALSE(pushed.load());
  std::string out;
  ASSERT_EQ(q.pop(out), QueueStatus::kOk);
  producer.join();
  EXPECT_TRUE(pushed.load());
  ASSERT_EQ(q.pop(out), QueueStatus::kOk);
  EXPECT_EQ(out, "2");
  ASSERT_EQ(q.pop(out), QueueStatus::kOk);
  EXPECT_EQ(out, "3");
}

TYPED_TEST(QueueTest, PopTimesOutOnTime) {
  TypeParam q(2);
  std::string out;
  const auto start = SteadyClock::now();
  EXPECT_EQ(q.pop(out, deadline_after(40ms)), QueueStatus::kTimeout);
  const auto elapsed = SteadyClock::now() - start;
  EXPECT_GE(elapsed, 40ms);
  EXPECT_LT(elapsed, 240ms);
}

TYPED_TEST(QueueTest, CloseWakesAllBlockedCallers) {
  TypeParam q(1);
  std::string v = "full";
  ASSERT_EQ(q.try_push(v), QueueStatus::kOk);
  // One blocked producer (queue full). Consumers block on a second, empty queue.
  TypeParam empty(4);
  std::atomic<int> returned{0};
  std::thread producer([&] {
    EXPECT_EQ(q.push(std::string("more")), QueueStatus::kClosed);
    ++returned;
  });
  std::vector<std::thread> consumers;
  for (int i = 0; i < 3; ++i) {
    consumers.emplace_back([&] {
      std::string out;
      EXPECT_EQ(empty.pop(out), QueueStatus::kClosed);
      ++returned;
    });
  }
  while (q.sleeping_producers() < 1 || empty.sleeping_consumers() < 3) {
    std::this_thread::sleep_for(1ms);
  }
  const auto start = SteadyClock::now();
  q.close();
  empty.close();
  producer.join();
  for (auto& t : consumers) t.join();
  EXPECT_EQ(returned.load(), 4);
  EXPECT_LT(SteadyClock::now() - start, 100ms);
}

TYPED_TEST(QueueTest, BlockedConsumerUsesAlmostNoCpu) {
  TypeParam q(4);
  double cpu = -1;
  std::thread consumer([&] {
    const double before = test::thread_cpu_seconds();
    std::string out;
    EXPECT_EQ(q.pop(out, deadline_after(500ms)), QueueStatus::kTimeout);
    cpu = test::thread_cpu_seconds() - before;
  });
  consumer.join();
  EXPECT_LT(cpu, 0.010);
}

TEST(SpscQueue, TransfersEveryItemInOrder) {
  SpscQueue<uint64_t> q(64);
  constexpr uint64_t kItems = 200000;
  std::thread producer([&] {
    for (uint64_t i = 0; i < kItems; ++i) ASSERT_EQ(q.push(uint64_t{i}), QueueStatus::kOk);
    q.close();
  });
  uint64_t expected = 0, v;
  while (q.pop(v) == QueueStatus::kOk) ASSERT_EQ(v, expected++);
  producer.join();
  EXPECT_EQ(expected, kItems);
}

TEST(MpscQueue, ManyProducersDeliverEveryItemOnce) {
  MpscQueue<uint64_t> q(128);
  constexpr int kProducers = 4;
  constexpr uint64_t kPerProducer = 50000;
  std::vector<std::thread> producers;
  for (int p = 0; p < kProducers; ++p) {
    producers.emplace_back([&, p] {
      for (uint64_t i = 0; i < kPerProducer; ++i) {
        ASSERT_EQ(q.push(uint64_t{p * kPerProducer + i}), QueueStatus::kOk);
      }
    });
  }
  std::vector<uint8_t> seen(kProducers * kPerProducer, 0);
  std::vector<uint64_t> last(kProducers, 0);
  for (uint64_t n = 0; n < kProducers * kPerProducer; ++n) {
    uint64_t v;
    ASSERT_EQ(q.pop(v), QueueStatus::kOk);
    ASSERT_EQ(seen[v], 0) << "duplicate " << v;
    seen[v] = 1;
    // Each producer's items arrive in its push order.
    const uint64_t producer = v / kPerProducer;
    ASSERT_GE(v + 1, last[producer]);
    last[producer] = v + 1;
  }
  for (auto& t : producers) t.join();
  uint64_t extra;
  EXPECT_EQ(q.try_pop(extra), QueueStatus::kEmpty);
}

TEST(BoundedQueue, DestroysItemsLeftInside) {
  auto tracker = std::make_shared<int>(0);
  {
    SpscQueue<std::shared_ptr<int>> spsc(4);
    MpscQueue<std::shared_ptr<int>> mpsc(4);
    spsc.push(std::shared_ptr<int>(tracker));
    mpsc.push(std::shared_ptr<int>(tracker));
    EXPECT_EQ(tracker.use_count(), 3);
  }
  EXPECT_EQ(tracker.use_count(), 1);
}

}  // namespace
}  // namespace sluice

namespace sluice {
namespace {

TEST(BoundedQueue, CapacityIsExactlyWhatWasAskedFor) {
  for (size_t capacity : {1u, 3u, 5u, 100u}) {
    MpscQueue<int> mpsc(capacity);
    SpscQueue<int> spsc(capacity);
    EXPECT_EQ(mpsc.capacity(), capacity);
    for (size_t i = 0; i < capacity; ++i) {
      int v = 1, w = 1;
      ASSERT_EQ(mpsc.try_push(v), QueueStatus::kOk);
      ASSERT_EQ(spsc.try_push(w), QueueStatus::kOk);
    }
    int v = 1, w = 1;
    EXPECT_EQ(mpsc.try_push(v), QueueStatus::kFull) << capacity;
    EXPECT_EQ(spsc.try_push(w), QueueStatus::kFull) << capacity;
  }
}

}  // namespace
}  // namespace sluice
