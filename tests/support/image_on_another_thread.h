#pragma once
// ImageOnAnotherThread: a checkpoint image written over and over on a thread of its own (the
// checkpoint thread's part) while the test goes on changing the state it was captured from
// (the compute thread's part), then dropped there while the test still changes that state.
// Every write must equal what a snapshot wrote at the capture.
//
// The two threads tell each other only through relaxed atomics, so they create no
// happens-before of their own: under ThreadSanitizer, a chunk, string or set that the state
// writes while the image still reads it — or after the image dropped it, without the
// acquire that orders the image's reads first — is reported as a data race.
//
// Thread: made, dropped and finished on the test's thread.

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "dataflow/operator.h"
#include "dataflow/state_codec.h"

namespace sluice::dataflow {

class ImageOnAnotherThread {
 public:
  ImageOnAnotherThread(std::unique_ptr<StateImage> image, std::string at_capture)
      : image_(std::move(image)), at_capture_(std::move(at_capture)) {
    thread_ = std::thread([this] {
      do {
        StateWriter w;
        image_->write(w);
        if (w.bytes() != at_capture_) mismatches_.fetch_add(1, std::memory_order_relaxed);
        writes_.fetch_add(1, std::memory_order_relaxed);
      } while (!stop_.load(std::memory_order_relaxed));
      image_.reset();
      dropped_.store(true, std::memory_order_relaxed);
    });
  }
  ImageOnAnotherThread(const ImageOnAnotherThread&) = delete;
  ImageOnAnotherThread& operator=(const ImageOnAnotherThread&) = delete;
  ~ImageOnAnotherThread() { finish(); }

  // Stops the writes after the one under way and waits until the image is dropped; the
  // state's next changes write what only the live state holds now.
  void drop() {
    stop_.store(true, std::memory_order_relaxed);
    while (!dropped_.load(std::memory_order_relaxed)) std::this_thread::yield();
  }
  // Joins the thread (after drop(), or stopping it now).
  void finish() {
    stop_.store(true, std::memory_order_relaxed);
    if (thread_.joinable()) thread_.join();
  }
  // After finish(): the writes made, and those that differed from the capture.
  int writes() const { return writes_.load(); }
  int mismatches() const { return mismatches_.load(); }

 private:
  std::unique_ptr<StateImage> image_;
  const std::string at_capture_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> dropped_{false};
  std::atomic<int> writes_{0};
  std::atomic<int> mismatches_{0};
  std::thread thread_;
};

}  // namespace sluice::dataflow
