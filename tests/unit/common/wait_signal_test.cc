#include "common/wait_signal.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

#include "cpu_time.h"

namespace sluice {
namespace {

using namespace std::chrono_literals;

TEST(Backoff, SpinsThenYieldsThenAsksToSleep) {
  Backoff b;
  uint32_t steps = 0;
  while (b.step()) ++steps;
  EXPECT_EQ(steps, Backoff::kSpinSteps + Backoff::kYieldSteps);
  EXPECT_LE(Backoff::kSpinSteps, 64u);
  EXPECT_FALSE(b.step());
  b.reset();
  EXPECT_TRUE(b.step());
}

TEST(Backoff, ShorterSpinBudgetForFrequentWaiters) {
  Backoff b(16);
  uint32_t steps = 0;
  while (b.step()) ++steps;
  EXPECT_EQ(steps, 16u + Backoff::kYieldSteps);
  Backoff capped(1000);  // never more than kSpinSteps
  steps = 0;
  while (capped.step()) ++steps;
  EXPECT_EQ(steps, Backoff::kSpinSteps + Backoff::kYieldSteps);
}

TEST(WaitSignal, IdleWaiterUsesAlmostNoCpu) {
  WaitSignal signal;
  std::atomic<bool> ready{false};
  double cpu = -1;
  std::thread waiter([&] {
    const double before = test::thread_cpu_seconds();
    signal.wait_until([&] { return ready.load(); }, deadline_after(500ms));
    cpu = test::thread_cpu_seconds() - before;
  });
  waiter.join();
  // < 2% of one core over 500 ms is 10 ms.
  EXPECT_LT(cpu, 0.010) << "a blocked waiter burned " << cpu * 1000 << " ms of CPU in 500 ms";
}

TEST(WaitSignal, WakesPromptlyOnNotify) {
  std::vector<double> wake_ms;
  for (int trial = 0; trial < 9; ++trial) {
    WaitSignal signal;
    std::atomic<bool> ready{false};
    SteadyClock::time_point woke;
    std::thread waiter([&] {
      signal.wait_until([&] { return ready.load(); });
      woke = SteadyClock::now();
    });
    // Let the waiter fall asleep on the futex, then notify.
    while (signal.sleepers() == 0) std::this_thread::sleep_for(1ms);
    const auto notified = SteadyClock::now();
    ready.store(true);
    signal.notify_all();
    waiter.join();
    wake_ms.push_back(std::chrono::duration<double, std::milli>(woke - notified).count());
  }
  std::sort(wake_ms.begin(), wake_ms.end());
  // Median wake-up well inside "a few ms" (typically ~0.05 ms); the max sleep slice is 250 ms,
  // so a missed notify would show here.
  EXPECT_LT(wake_ms[wake_ms.size() / 2], 5.0);
}

TEST(WaitSignal, HonoursTheDeadline) {
  WaitSignal signal;
  const auto start = SteadyClock::now();
  const bool ready = signal.wait_until([] { return false; }, deadline_after(50ms));
  const auto elapsed = SteadyClock::now() - start;
  EXPECT_FALSE(ready);
  EXPECT_GE(elapsed, 50ms);
  EXPECT_LT(elapsed, 250ms);
}

TEST(WaitSignal, NotifyWakesEveryWaiter) {
  WaitSignal signal;
  std::atomic<bool> ready{false};
  std::atomic<int> woken{0};
  std::vector<std::thread> waiters;
  for (int i = 0; i < 4; ++i) {
    waiters.emplace_back([&] {
      signal.wait_until([&] { return ready.load(); });
      woken.fetch_add(1);
    });
  }
  while (signal.sleepers() < 4) std::this_thread::sleep_for(1ms);
  ready.store(true);
  signal.notify_all();
  for (auto& t : waiters) t.join();
  EXPECT_EQ(woken.load(), 4);
}

// Many rapid hand-offs between two threads: a lost wake-up would stall for 250 ms each.
TEST(WaitSignal, NoLostWakeupsUnderPingPong) {
  WaitSignal to_b, to_a;
  std::atomic<int> turn{0};
  constexpr int kRounds = 20000;
  const auto start = SteadyClock::now();
  std::thread b([&] {
    for (int i = 0; i < kRounds; ++i) {
      to_b.wait_until([&] { return turn.load() == 2 * i + 1; });
      turn.store(2 * i + 2);
      to_a.notify_all();
    }
  });
  for (int i = 0; i < kRounds; ++i) {
    turn.store(2 * i + 1);
    to_b.notify_all();
    to_a.wait_until([&] { return turn.load() == 2 * i + 2; });
  }
  b.join();
  EXPECT_LT(SteadyClock::now() - start, 20s);
}

}  // namespace
}  // namespace sluice

namespace sluice {
namespace {

// A predicate with side effects (like try_pop) must not run again once it said yes.
TEST(WaitSignal, NeverCallsReadyAgainAfterItReturnedTrue) {
  for (int trial = 0; trial < 200; ++trial) {
    WaitSignal signal;
    std::atomic<bool> flag{false};
    std::atomic<int> yes_calls{0};
    std::thread waiter([&] {
      signal.wait_until([&] {
        if (!flag.load()) return false;
        yes_calls.fetch_add(1);
        return true;
      });
    });
    if (trial % 2) std::this_thread::sleep_for(std::chrono::microseconds(trial * 10));
    flag.store(true);
    signal.notify_all();
    waiter.join();
    ASSERT_EQ(yes_calls.load(), 1) << "trial " << trial;
  }
}

}  // namespace
}  // namespace sluice
