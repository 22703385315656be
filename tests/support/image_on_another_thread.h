#pragma once
// ImageOnAnotherThread: a checkpoint image written on a thread of its own (the checkpoint
// thread's part) while the test goes on changing the state it was captured from (the compute
// thread's part), then dropped there while the test still changes that state. The write must
// equal what a snapshot wrote at the capture.
//
// The two threads tell each other only through relaxed atomics, so the helper adds no
// happens-before of its own: under ThreadSanitizer, what orders the image's reads before the
// state's writes is the state's own synchronization (the chunks' reference counts).
//
// One write per image, as the checkpoint thread makes, and the thread stays alive until
// finish(): ThreadSanitizer (v3, clang 14) keeps a bounded history, and a thread that writes
// an image over and over, or has exited, loses the record of the reads it should check.
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
  // Starts the thread and returns once it is writing the image.
  ImageOnAnotherThread(std::unique_ptr<StateImage> image, std::string at_capture)
      : image_(std::move(image)), at_capture_(std::move(at_capture)) {
    thread_ = std::thread([this] {
      writing_.store(true, std::memory_order_relaxed);
      StateWriter w;
      image_->write(w);
      matches_.store(w.bytes() == at_capture_, std::memory_order_relaxed);
      // Held until the test drops it: the live state's writes meanwhile must copy.
      while (!drop_.load(std::memory_order_relaxed)) std::this_thread::yield();
      image_.reset();
      dropped_.store(true, std::memory_order_relaxed);
      // Alive until finish(): ThreadSanitizer checks accesses against a running thread's.
      while (!finish_.load(std::memory_order_relaxed)) std::this_thread::yield();
    });
    while (!writing_.load(std::memory_order_relaxed)) std::this_thread::yield();
  }
  ImageOnAnotherThread(const ImageOnAnotherThread&) = delete;
  ImageOnAnotherThread& operator=(const ImageOnAnotherThread&) = delete;
  ~ImageOnAnotherThread() { finish(); }

  // Waits until the image is written and dropped; the state's next changes write what only
  // the live state holds now.
  void drop() {
    drop_.store(true, std::memory_order_relaxed);
    while (!dropped_.load(std::memory_order_relaxed)) std::this_thread::yield();
  }
  // Joins the thread (dropping the image first if drop() was not called).
  void finish() {
    drop_.store(true, std::memory_order_relaxed);
    finish_.store(true, std::memory_order_relaxed);
    if (thread_.joinable()) thread_.join();
  }
  // After finish(): whether the image wrote what the snapshot at the capture did.
  bool matches() const { return matches_.load(); }

 private:
  std::unique_ptr<StateImage> image_;
  const std::string at_capture_;
  std::atomic<bool> writing_{false};
  std::atomic<bool> matches_{false};
  std::atomic<bool> drop_{false};
  std::atomic<bool> dropped_{false};
  std::atomic<bool> finish_{false};
  std::thread thread_;
};

}  // namespace sluice::dataflow
