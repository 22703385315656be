#pragma once
// Failure: the first error that stopped the database (a sink gave up, a connector met a fatal
// line, a checkpoint could not be kept). Once set, pushes are refused and the compute thread
// stops moving data; status() reports it.
//
// Thread: any.

#include <atomic>

#include "common/mutex.h"
#include "common/thread_annotations.h"

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
  }
  bool failed() const { return failed_.load(std::memory_order_acquire); }
  Status status() const {
    MutexLock lock(mutex_);
    return first_;
  }

 private:
  mutable Mutex mutex_;
  Status first_ GUARDED_BY(mutex_);
  std::atomic<bool> failed_{false};
};

}  // namespace sluice::runtime
