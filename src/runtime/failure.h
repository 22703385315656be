#pragma once
// Failure: the first error that stopped the database (a sink gave up, a connector met a fatal
// line, a checkpoint could not be kept). Once set, pushes are refused and the compute thread
// stops moving data; status() reports it. A program running a pipeline waits on it (wait())
// to stop at once instead of finding out at its next look.
//
// Thread: any.

#include <atomic>

#include "common/mutex.h"
#include "common/thread_annotations.h"
#include "common/wait_signal.h"

#include "sluice/status.h"

namespace sluice::runtime {

class Failure {
 public:
  // Keeps the first error; later ones are consequences.
  void record(const Status& error) {
    {
      MutexLock lock(mutex_);
      if (first_.ok()) first_ = error;
    }
    failed_.store(true, std::memory_order_release);
    signal_.notify_all();
  }
  bool failed() const { return failed_.load(std::memory_order_acquire); }
  Status status() const {
    MutexLock lock(mutex_);
    return first_;
  }

  // Waits until an error is recorded (returns it), release() is called or the deadline
  // passes (both return OK when nothing failed).
  Status wait(Deadline deadline) {
    signal_.wait_until([&] { return failed() || released_.load(std::memory_order_acquire); },
                       deadline);
    return status();
  }
  // Ends every wait() for good: the database has stopped, nothing more can fail.
  void release() {
    released_.store(true, std::memory_order_release);
    signal_.notify_all();
  }

 private:
  mutable Mutex mutex_;
  Status first_ GUARDED_BY(mutex_);
  std::atomic<bool> failed_{false};
  std::atomic<bool> released_{false};
  WaitSignal signal_;
};

}  // namespace sluice::runtime
