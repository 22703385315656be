#pragma once
// Backoff: the spin and yield phases of every wait in sluice. A waiter calls step() while
// its condition is false; step() pauses the CPU for the first kSpinSteps calls (a hand-off
// between cores takes well under a microsecond, so a short spin catches it without a
// syscall), then yields for kYieldSteps calls, then returns false: the caller must sleep
// (WaitSignal does). Nothing in sluice spins beyond these bounds.
//
// Thread: owned by the one waiting thread; not shared.

#include <cstdint>
#include <thread>

namespace sluice {

class Backoff {
 public:
  static constexpr uint32_t kSpinSteps = 64;
  static constexpr uint32_t kYieldSteps = 16;

  Backoff() = default;
  // A shorter spin for threads that wait often and would rather sleep (at most kSpinSteps).
  explicit Backoff(uint32_t spin_steps)
      : spin_steps_(spin_steps < kSpinSteps ? spin_steps : kSpinSteps) {}

  // One step of spinning or yielding. False once both phases are used up: sleep now.
  bool step() {
    if (steps_ < spin_steps_) {
      ++steps_;
      cpu_relax();
      return true;
    }
    if (steps_ < spin_steps_ + kYieldSteps) {
      ++steps_;
      std::this_thread::yield();
      return true;
    }
    return false;
  }

  void reset() { steps_ = 0; }
  uint32_t steps() const { return steps_; }

  static void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    asm volatile("yield" ::: "memory");
#endif
  }

 private:
  uint32_t spin_steps_ = kSpinSteps;
  uint32_t steps_ = 0;
};

}  // namespace sluice
