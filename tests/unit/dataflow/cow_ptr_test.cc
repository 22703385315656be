// CowPtr: the pointer that shares operator state copy-on-write with checkpoint images. Its
// counts, and the hand-over a writer relies on: once unique() is true, the other copies' reads
// (on another thread) come before the writer's writes. The second test is the one
// ThreadSanitizer checks (with use_count() and a standalone fence it could not).

#include "dataflow/cow_ptr.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <numeric>
#include <thread>
#include <vector>

namespace sluice::dataflow {
namespace {

TEST(CowPtr, CountsItsCopies) {
  CowPtr<std::vector<int>> empty;
  EXPECT_FALSE(empty);
  EXPECT_TRUE(empty == nullptr);
  EXPECT_EQ(empty.get(), nullptr);

  auto a = CowPtr<std::vector<int>>::make(3, 7);
  ASSERT_TRUE(a);
  EXPECT_TRUE(a.unique());
  EXPECT_EQ(*a, std::vector<int>({7, 7, 7}));
  {
    CowPtr<std::vector<int>> b = a;
    EXPECT_FALSE(a.unique());
    EXPECT_FALSE(b.unique());
    EXPECT_EQ(b.get(), a.get());
    CowPtr<std::vector<int>> c = std::move(b);
    EXPECT_TRUE(b == nullptr);  // NOLINT(bugprone-use-after-move): moved-from is null
    EXPECT_FALSE(a.unique());
    c = a;  // the same object again: still two references
    EXPECT_FALSE(a.unique());
    c = nullptr;
    EXPECT_TRUE(a.unique());
    c = a;
  }
  EXPECT_TRUE(a.unique());
  a->push_back(8);
  EXPECT_EQ(a->size(), 4u);
  a.reset();
  EXPECT_TRUE(a == nullptr);
}

// A reader thread reads its copy and drops it; the owner waits for unique() and then writes in
// place. The values the reader saw are the ones before the writes, and under ThreadSanitizer
// no race is reported: unique()'s acquire load pairs with the drop's release.
TEST(CowPtr, AWriterThatSeesItUniqueWritesAfterTheOtherCopysReads) {
  for (int round = 0; round < 20; ++round) {
    auto live = CowPtr<std::vector<int64_t>>::make(4096, round);
    CowPtr<std::vector<int64_t>> image = live;
    std::atomic<int64_t> seen{-1};
    std::thread reader([image = std::move(image), &seen]() mutable {
      seen.store(std::accumulate(image->begin(), image->end(), int64_t{0}),
                 std::memory_order_relaxed);
      image.reset();
    });
    // Bounded: the reader drops its copy as soon as it has summed 4,096 values.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (!live.unique() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::yield();
    }
    ASSERT_TRUE(live.unique());
    for (int64_t& v : *live) v = -1;  // in place: nobody else holds it
    reader.join();
    EXPECT_EQ(seen.load(), int64_t{4096} * round);
  }
}

}  // namespace
}  // namespace sluice::dataflow
