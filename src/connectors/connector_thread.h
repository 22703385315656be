#pragma once
// ConnectorThread: the thread a source connector reads or generates on. It owns the thread,
// the request to stop, and a signal that the work has finished, so the owner can wait for
// the end of a bounded source without joining (join() belongs to stop()).
//
// Thread: start/stop/wait_finished from the owner; stopping()/sleep_until() from the work.

#include <atomic>
#include <functional>
#include <thread>

#include "common/wait_signal.h"

namespace sluice::connectors {

class ConnectorThread {
 public:
  ConnectorThread() = default;
  ~ConnectorThread() { stop(); }
  ConnectorThread(const ConnectorThread&) = delete;
  ConnectorThread& operator=(const ConnectorThread&) = delete;

  void start(std::function<void()> work) {
    if (thread_.joinable()) return;
    thread_ = std::thread([this, work = std::move(work)] {
      work();
      finished_.store(true, std::memory_order_release);
      finished_signal_.notify_all();
    });
  }
  // Asks the work to stop and wakes it if it sleeps; does not wait.
  void request_stop() {
    stop_.store(true, std::memory_order_release);
    stop_signal_.notify_all();
  }
  // Asks the work to stop and joins it. Idempotent. A work blocked in a push returns once
  // the engine closes its sources, so shut the engine down before joining.
  void stop() {
    request_stop();
    if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
  }
  // Waits until the work has returned (or was never started).
  void wait_finished() {
    if (!thread_.joinable() && !finished_.load()) return;
    finished_signal_.wait_until([&] { return finished_.load(std::memory_order_acquire); });
  }

  bool stopping() const { return stop_.load(std::memory_order_acquire); }
  // Sleeps until `deadline` or a stop request; false when asked to stop.
  bool sleep_until(Deadline deadline) {
    stop_signal_.wait_until([&] { return stopping(); }, deadline);
    return !stopping();
  }

 private:
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> finished_{false};
  WaitSignal stop_signal_;
  WaitSignal finished_signal_;
};

}  // namespace sluice::connectors
