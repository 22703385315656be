#pragma once
// What a Subscription shares with the compute thread: a bounded queue of batches (the
// compute thread pushes, subscriber threads pop), the overflow policy, and the counts of
// what drop_oldest dropped.
//
// Thread: deliver() on the compute thread only; the rest from any thread.

#include <atomic>
#include <cstdint>
#include <string>

#include "common/bounded_queue.h"
#include "sluice/record_batch.h"
#include "sluice/subscription.h"

namespace sluice::runtime {

struct SubscriptionState {
  SubscriptionState(std::string object, SchemaPtr object_schema, const SubscribeOptions& options)
      : name(std::move(object)),
        schema(std::move(object_schema)),
        queue(options.capacity),
        policy(options.on_full) {}

  // Hands `batch` to the subscriber per the policy. With block, waits for room until the
  // subscriber takes some, closes, or `abandon` turns true (a forced shutdown). Returns false
  // once the subscriber is gone: the caller forgets it.
  bool deliver(const RecordBatch& batch, const std::atomic<bool>& abandon) {
    RecordBatch copy = batch;
    if (policy == SubscriptionOverflow::kDropOldest) {
      for (;;) {
        const QueueStatus s = queue.try_push(copy);
        if (s == QueueStatus::kOk) return true;
        if (s == QueueStatus::kClosed) return false;
        RecordBatch oldest;
        if (queue.try_pop(oldest) == QueueStatus::kOk) {
          dropped_batches.fetch_add(1, std::memory_order_relaxed);
          dropped_rows.fetch_add(static_cast<uint64_t>(oldest.num_rows()),
                                 std::memory_order_relaxed);
        }
      }
    }
    for (;;) {
      const QueueStatus s = queue.push(copy, deadline_after(std::chrono::milliseconds(100)));
      if (s == QueueStatus::kOk) return true;
      if (s == QueueStatus::kClosed) return false;
      if (abandon.load(std::memory_order_acquire)) {
        dropped_batches.fetch_add(1, std::memory_order_relaxed);
        dropped_rows.fetch_add(static_cast<uint64_t>(batch.num_rows()), std::memory_order_relaxed);
        return false;
      }
    }
  }

  const std::string name;
  const SchemaPtr schema;
  MpscQueue<RecordBatch> queue;  // Vyukov's ring: safe for several consumers too
  const SubscriptionOverflow policy;
  std::atomic<uint64_t> dropped_batches{0};
  std::atomic<uint64_t> dropped_rows{0};
};

}  // namespace sluice::runtime
