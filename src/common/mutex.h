#pragma once
// Mutex / MutexLock: std::mutex and std::lock_guard with clang's thread-safety annotations
// (common/thread_annotations.h), so that members declared GUARDED_BY(mutex_) are checked by the
// clang build. Same cost as std::mutex. Short critical sections only: a long wait goes through
// WaitSignal (common/wait_signal.h), never through a mutex.
//
// Threads: a Mutex is shared by the threads it serializes; a MutexLock belongs to one.

#include <mutex>

#include "common/thread_annotations.h"

namespace sluice {

class CAPABILITY("mutex") Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void lock() ACQUIRE() { mutex_.lock(); }
  void unlock() RELEASE() { mutex_.unlock(); }
  bool try_lock() TRY_ACQUIRE(true) { return mutex_.try_lock(); }
  // For std::condition_variable_any or std::unique_lock around the native mutex; the analysis
  // does not follow locks taken through it.
  std::mutex& native() RETURN_CAPABILITY(this) { return mutex_; }

 private:
  std::mutex mutex_;
};

// Holds a Mutex for its scope (std::lock_guard).
class SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex& mutex) ACQUIRE(mutex) : mutex_(mutex) { mutex_.lock(); }
  ~MutexLock() RELEASE() { mutex_.unlock(); }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  Mutex& mutex_;
};

}  // namespace sluice
