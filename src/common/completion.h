#pragma once
// Completion<T>: a one-shot result handed from one thread to another (a command's reply).
// The waiter blocks through WaitSignal like every other wait in sluice.
//
// Always share it (make_completion): set() still touches the object after the waiter may
// have seen the value and returned, so a Completion on the waiter's stack would be written
// after its frame is gone.
//
// Thread: one thread calls set(), any number wait().

#include <atomic>
#include <memory>
#include <optional>
#include <utility>

#include "common/wait_signal.h"

namespace sluice {

template <typename T>
class Completion {
 public:
  void set(T value) {
    value_.emplace(std::move(value));
    done_.store(true, std::memory_order_release);
    signal_.notify_all();
  }
  // Waits for set(); returns the value (moved out: call once).
  T wait() {
    signal_.wait_until([&] { return done_.load(std::memory_order_acquire); });
    return std::move(*value_);
  }
  // Waits for set() and leaves the value for a later wait().
  void wait_until_set() {
    signal_.wait_until([&] { return done_.load(std::memory_order_acquire); });
  }
  bool done() const { return done_.load(std::memory_order_acquire); }

 private:
  std::optional<T> value_;
  std::atomic<bool> done_{false};
  WaitSignal signal_;
};

template <typename T>
std::shared_ptr<Completion<T>> make_completion() {
  return std::make_shared<Completion<T>>();
}

}  // namespace sluice
