#pragma once
// WaitSignal: the one blocking wait of sluice. A waiter states its condition as a predicate;
// wait_until() checks it, spins and yields through Backoff, then sleeps on a futex until a
// notify_all() or the deadline. Producers make the condition true, then call notify_all(),
// which costs a fence and a load when nobody sleeps.
//
// Lost wake-ups are impossible by construction (a Dekker handshake: the waiter registers as
// a sleeper and re-checks its condition before sleeping; the notifier publishes its change
// and then looks for sleepers). As a guard against a future caller that changes state
// without notifying, a sleep never lasts longer than kMaxSleep before re-checking; at four
// wake-ups a second that costs no measurable CPU.
//
// Thread: any number of waiters and notifiers at once.

#include <atomic>
#include <chrono>
#include <cstdint>

#include "common/backoff.h"

namespace sluice {

using SteadyClock = std::chrono::steady_clock;
using Deadline = SteadyClock::time_point;

inline constexpr Deadline kNoDeadline = Deadline::max();

inline Deadline deadline_after(std::chrono::nanoseconds timeout) {
  auto now = SteadyClock::now();
  if (timeout >= Deadline::max() - now) return kNoDeadline;
  return now + timeout;
}

class WaitSignal {
 public:
  static constexpr std::chrono::milliseconds kMaxSleep{250};

  WaitSignal() = default;
  WaitSignal(const WaitSignal&) = delete;
  WaitSignal& operator=(const WaitSignal&) = delete;

  // Wakes every sleeping waiter so it re-checks its condition. Call after the change.
  void notify_all() {
    std::atomic_thread_fence(std::memory_order_seq_cst);
    if (sleepers_.load(std::memory_order_relaxed) != 0) wake_sleepers();
  }

  // Waits until ready() is true (returns true) or the deadline passes (returns false).
  // ready() may have side effects (a queue's try_pop): it is called until it first returns
  // true and never again after that.
  // `spin_steps` shortens the spin phase (see Backoff).
  template <typename Ready>
  bool wait_until(Ready&& ready, Deadline deadline = kNoDeadline,
                  uint32_t spin_steps = Backoff::kSpinSteps) {
    Backoff backoff(spin_steps);
    for (;;) {
      if (ready()) return true;
      if (backoff.step()) continue;
      sleepers_.fetch_add(1, std::memory_order_seq_cst);
      std::atomic_thread_fence(std::memory_order_seq_cst);
      const uint32_t key = sequence_.load(std::memory_order_seq_cst);
      if (ready()) {
        sleepers_.fetch_sub(1, std::memory_order_relaxed);
        return true;
      }
      const bool before_deadline = sleep(key, deadline);
      sleepers_.fetch_sub(1, std::memory_order_relaxed);
      if (!before_deadline) return ready();  // one last look, then time out
    }
  }

  // How many threads are asleep on this signal right now (for tests and metrics).
  uint32_t sleepers() const { return sleepers_.load(std::memory_order_relaxed); }

 private:
  // Sleeps while sequence_ == key, at most until the deadline and at most kMaxSleep.
  // Returns false when the deadline has passed.
  bool sleep(uint32_t key, Deadline deadline);
  void wake_sleepers();

  std::atomic<uint32_t> sequence_{0};
  std::atomic<uint32_t> sleepers_{0};
};

}  // namespace sluice
