#pragma once
// CreditGate: a source's budget of rows in flight (pushed, not yet processed). A push takes
// credits for its rows; the compute thread returns them after processing. When the budget
// is spent the source's overflow policy decides:
//   block  the pusher waits through WaitSignal (spin, yield, sleep) until credits return;
//   drop   the rows are dropped and counted;
//   error  the push fails with SLC-0007.
// A push larger than the whole budget is let through when nothing else is in flight, so it
// cannot wait forever.
//
// Thread: acquire() from any number of pushing threads; release() from the compute thread.

#include <atomic>
#include <cstdint>

#include "common/wait_signal.h"
#include "sluice/status.h"

namespace sluice::runtime {

enum class Overflow { kBlock, kDrop, kError };

struct CreditMetrics {
  int64_t acquired_rows = 0;
  int64_t blocked = 0;       // pushes that had to wait
  int64_t dropped_rows = 0;  // rows refused by the drop policy
  int64_t rejected = 0;      // pushes refused by the error policy
  int64_t in_flight = 0;
};

class CreditGate {
 public:
  enum class Outcome { kAcquired, kDropped };

  CreditGate(int64_t capacity, Overflow overflow)
      : capacity_(capacity), available_(capacity), overflow_(overflow) {}

  // Takes credits for `rows`. kDropped under the drop policy; errors: SLC-0007 (error policy),
  // SLC-0003 (the gate was closed).
  Result<Outcome> acquire(int64_t rows);
  void release(int64_t rows);
  // Refuses further acquires and wakes every waiter.
  void close();

  CreditMetrics metrics() const;
  int64_t capacity() const { return capacity_; }
  Overflow overflow() const { return overflow_; }
  uint32_t waiting() const { return returned_.sleepers(); }

 private:
  bool try_take(int64_t rows);

  const int64_t capacity_;
  std::atomic<int64_t> available_;
  const Overflow overflow_;
  std::atomic<bool> closed_{false};
  WaitSignal returned_;
  std::atomic<int64_t> acquired_rows_{0};
  std::atomic<int64_t> blocked_{0};
  std::atomic<int64_t> dropped_rows_{0};
  std::atomic<int64_t> rejected_{0};
};

}  // namespace sluice::runtime
