#include "common/wait_signal.h"

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <ctime>

namespace sluice {

static_assert(sizeof(std::atomic<uint32_t>) == sizeof(uint32_t), "futex needs a plain word");

bool WaitSignal::sleep(uint32_t key, Deadline deadline) {
  const auto now = SteadyClock::now();
  if (now >= deadline) return false;
  const auto slice = std::min<SteadyClock::duration>(deadline - now, kMaxSleep);
  const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(slice).count();
  timespec ts{static_cast<time_t>(ns / 1'000'000'000), static_cast<long>(ns % 1'000'000'000)};
  // EAGAIN (the sequence moved: a notify came), EINTR and ETIMEDOUT all just return to the
  // caller's loop, which re-checks its condition and the deadline.
  syscall(SYS_futex, reinterpret_cast<uint32_t*>(&sequence_), FUTEX_WAIT_PRIVATE, key, &ts, nullptr,
          0);
  return true;
}

void WaitSignal::wake_sleepers() {
  sequence_.fetch_add(1, std::memory_order_seq_cst);
  syscall(SYS_futex, reinterpret_cast<uint32_t*>(&sequence_), FUTEX_WAKE_PRIVATE, INT_MAX, nullptr,
          nullptr, 0);
}

}  // namespace sluice
