#pragma once
// Bounded queues with non-blocking and blocking push/pop and close, in two flavours:
//   SpscQueue<T>  one producer thread, one consumer thread (a plain ring, no CAS);
//   MpscQueue<T>  any number of producers, one consumer (Vyukov's bounded ring; also safe
//                 with several consumers).
// Blocking calls wait through WaitSignal (spin, yield, then futex sleep): never an
// unbounded spin. A full queue blocks producers, which is how backpressure travels.
//
// Close: after close(), pushes fail with kClosed and pops drain what is left, then return
// kClosed. Close from the producer side after the last push, or from the consumer side to
// refuse further items; both wake every blocked caller.
//
// Thread: as the flavour says; close() and size() from any thread.

#include <atomic>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <utility>

#include "common/wait_signal.h"

namespace sluice {

enum class QueueStatus { kOk, kFull, kEmpty, kClosed, kTimeout };

inline constexpr size_t kCacheLine = 64;

// Single-producer single-consumer ring.
template <typename T>
class SpscRing {
 public:
  explicit SpscRing(size_t capacity)
      : capacity_(capacity),
        mask_(std::bit_ceil(capacity < 1 ? 1 : capacity) - 1),
        slots_(new Slot[mask_ + 1]) {}
  ~SpscRing() {
    const uint64_t tail = tail_.load(std::memory_order_relaxed);
    for (uint64_t h = head_.load(std::memory_order_relaxed); h != tail; ++h) {
      std::launder(reinterpret_cast<T*>(slots_[h & mask_].bytes))->~T();
    }
  }

  bool try_push(T& value) {
    const uint64_t tail = tail_.load(std::memory_order_relaxed);
    if (tail - head_cache_ >= capacity_) {
      head_cache_ = head_.load(std::memory_order_acquire);
      if (tail - head_cache_ >= capacity_) return false;
    }
    new (slots_[tail & mask_].bytes) T(std::move(value));
    tail_.store(tail + 1, std::memory_order_release);
    return true;
  }

  bool try_pop(T& out) {
    const uint64_t head = head_.load(std::memory_order_relaxed);
    if (head == tail_cache_) {
      tail_cache_ = tail_.load(std::memory_order_acquire);
      if (head == tail_cache_) return false;
    }
    T* slot = std::launder(reinterpret_cast<T*>(slots_[head & mask_].bytes));
    out = std::move(*slot);
    slot->~T();
    head_.store(head + 1, std::memory_order_release);
    return true;
  }

  size_t size() const {
    const uint64_t head = head_.load(std::memory_order_acquire);
    const uint64_t tail = tail_.load(std::memory_order_acquire);
    return tail >= head ? static_cast<size_t>(tail - head) : 0;
  }
  size_t capacity() const { return capacity_; }

 private:
  struct Slot {
    alignas(T) unsigned char bytes[sizeof(T)];
  };
  const size_t capacity_;
  const size_t mask_;
  std::unique_ptr<Slot[]> slots_;
  alignas(kCacheLine) std::atomic<uint64_t> head_{0};  // consumer's
  uint64_t tail_cache_ = 0;                            // consumer's view of tail_
  alignas(kCacheLine) std::atomic<uint64_t> tail_{0};  // producer's
  uint64_t head_cache_ = 0;                            // producer's view of head_
};

// Multi-producer ring (Dmitry Vyukov's bounded queue: a sequence number per cell).
template <typename T>
class MpscRing {
 public:
  explicit MpscRing(size_t capacity)
      : limit_(capacity < 1 ? 1 : capacity),
        capacity_(std::bit_ceil(limit_ < 2 ? 2 : limit_)),
        mask_(capacity_ - 1),
        cells_(new Cell[capacity_]) {
    for (size_t i = 0; i < capacity_; ++i) cells_[i].sequence.store(i, std::memory_order_relaxed);
  }
  ~MpscRing() {
    const uint64_t tail = enqueue_.load(std::memory_order_relaxed);
    for (uint64_t pos = dequeue_.load(std::memory_order_relaxed); pos != tail; ++pos) {
      Cell& cell = cells_[pos & mask_];
      if (cell.sequence.load(std::memory_order_relaxed) == pos + 1) {
        std::launder(reinterpret_cast<T*>(cell.bytes))->~T();
      }
    }
  }

  bool try_push(T& value) {
    uint64_t pos = enqueue_.load(std::memory_order_relaxed);
    for (;;) {
      Cell& cell = cells_[pos & mask_];
      const uint64_t seq = cell.sequence.load(std::memory_order_acquire);
      const int64_t diff = static_cast<int64_t>(seq) - static_cast<int64_t>(pos);
      if (diff == 0) {
        // The ring is a power of two; a smaller requested capacity is enforced here. The
        // check uses the very position being claimed, so racing producers cannot overshoot.
        if (limit_ != capacity_ && pos - dequeue_.load(std::memory_order_acquire) >= limit_) {
          return false;
        }
        if (enqueue_.compare_exchange_weak(pos, pos + 1, std::memory_order_relaxed)) {
          new (cell.bytes) T(std::move(value));
          cell.sequence.store(pos + 1, std::memory_order_release);
          return true;
        }
      } else if (diff < 0) {
        return false;  // full
      } else {
        pos = enqueue_.load(std::memory_order_relaxed);
      }
    }
  }

  bool try_pop(T& out) {
    uint64_t pos = dequeue_.load(std::memory_order_relaxed);
    for (;;) {
      Cell& cell = cells_[pos & mask_];
      const uint64_t seq = cell.sequence.load(std::memory_order_acquire);
      const int64_t diff = static_cast<int64_t>(seq) - static_cast<int64_t>(pos + 1);
      if (diff == 0) {
        if (dequeue_.compare_exchange_weak(pos, pos + 1, std::memory_order_relaxed)) {
          T* item = std::launder(reinterpret_cast<T*>(cell.bytes));
          out = std::move(*item);
          item->~T();
          cell.sequence.store(pos + capacity_, std::memory_order_release);
          return true;
        }
      } else if (diff < 0) {
        return false;  // empty
      } else {
        pos = dequeue_.load(std::memory_order_relaxed);
      }
    }
  }

  size_t size() const {
    const uint64_t head = dequeue_.load(std::memory_order_acquire);
    const uint64_t tail = enqueue_.load(std::memory_order_acquire);
    return tail >= head ? static_cast<size_t>(tail - head) : 0;
  }
  size_t capacity() const { return limit_; }

 private:
  struct Cell {
    std::atomic<uint64_t> sequence;
    alignas(T) unsigned char bytes[sizeof(T)];
  };
  const size_t limit_;     // the capacity asked for
  const size_t capacity_;  // cells in the ring: limit_ rounded up to a power of two
  const size_t mask_;
  std::unique_ptr<Cell[]> cells_;
  alignas(kCacheLine) std::atomic<uint64_t> enqueue_{0};
  alignas(kCacheLine) std::atomic<uint64_t> dequeue_{0};
};

// Blocking, closable queue over a ring. Use the SpscQueue / MpscQueue aliases.
template <typename Ring, typename T>
class BoundedQueue {
 public:
  explicit BoundedQueue(size_t capacity) : ring_(capacity) {}
  BoundedQueue(const BoundedQueue&) = delete;
  BoundedQueue& operator=(const BoundedQueue&) = delete;

  // Moves `value` in when there is room: kOk, kFull or kClosed (value untouched unless kOk).
  QueueStatus try_push(T& value) {
    if (closed_.load(std::memory_order_acquire)) return QueueStatus::kClosed;
    if (!ring_.try_push(value)) return QueueStatus::kFull;
    not_empty_.notify_all();
    return QueueStatus::kOk;
  }

  // Waits for room until the deadline: kOk, kClosed or kTimeout.
  QueueStatus push(T& value, Deadline deadline = kNoDeadline) {
    QueueStatus status = try_push(value);
    if (status != QueueStatus::kFull) return status;
    not_full_.wait_until(
        [&] {
          status = try_push(value);
          return status != QueueStatus::kFull;
        },
        deadline);
    return status == QueueStatus::kFull ? QueueStatus::kTimeout : status;
  }
  QueueStatus push(T&& value, Deadline deadline = kNoDeadline) { return push(value, deadline); }

  // Moves the oldest item to `out`: kOk, kEmpty, or kClosed once closed and drained.
  QueueStatus try_pop(T& out) {
    if (ring_.try_pop(out)) {
      not_full_.notify_all();
      return QueueStatus::kOk;
    }
    if (!closed_.load(std::memory_order_acquire)) return QueueStatus::kEmpty;
    // Closed: an item pushed just before close() must still come out.
    if (ring_.try_pop(out)) {
      not_full_.notify_all();
      return QueueStatus::kOk;
    }
    return QueueStatus::kClosed;
  }

  // Waits for an item until the deadline: kOk, kClosed or kTimeout.
  QueueStatus pop(T& out, Deadline deadline = kNoDeadline) {
    QueueStatus status = try_pop(out);
    if (status != QueueStatus::kEmpty) return status;
    not_empty_.wait_until(
        [&] {
          status = try_pop(out);
          return status != QueueStatus::kEmpty;
        },
        deadline);
    return status == QueueStatus::kEmpty ? QueueStatus::kTimeout : status;
  }

  void close() {
    closed_.store(true, std::memory_order_release);
    not_empty_.notify_all();
    not_full_.notify_all();
  }
  bool closed() const { return closed_.load(std::memory_order_acquire); }
  size_t size() const { return ring_.size(); }
  size_t capacity() const { return ring_.capacity(); }

  // For tests: threads asleep waiting to pop / to push.
  uint32_t sleeping_consumers() const { return not_empty_.sleepers(); }
  uint32_t sleeping_producers() const { return not_full_.sleepers(); }

 private:
  Ring ring_;
  std::atomic<bool> closed_{false};
  WaitSignal not_empty_;
  WaitSignal not_full_;
};

template <typename T>
using SpscQueue = BoundedQueue<SpscRing<T>, T>;
template <typename T>
using MpscQueue = BoundedQueue<MpscRing<T>, T>;

}  // namespace sluice
