#pragma once
// Subscription: the rows a stream, view or source emits, delivered to one subscriber through
// its own bounded queue. recv() and recv_for() spin briefly, yield, then sleep; they wake at
// once on data, on close() and on database shutdown. They never poll.
//
// When the queue is full, the subscription's overflow policy decides:
//   block        (default) the compute thread waits, so pressure reaches the sources;
//   drop_oldest  the oldest batch is dropped to make room and counted in dropped_batches()
//                and dropped_rows(): a gap is never silent.
//
// Thread: any thread may call any method; poll/recv from several threads each get distinct
// batches. recv/recv_for may block; poll/close never do.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>

#include "sluice/record_batch.h"
#include "sluice/status.h"

namespace sluice {

namespace runtime {
struct SubscriptionState;
}

enum class SubscriptionOverflow { kBlock, kDropOldest };

struct SubscribeOptions {
  size_t capacity = 64;  // batches
  SubscriptionOverflow on_full = SubscriptionOverflow::kBlock;
};

class Subscription {
 public:
  Subscription() = default;
  explicit Subscription(std::shared_ptr<runtime::SubscriptionState> state);
  ~Subscription();
  Subscription(Subscription&&) noexcept;
  Subscription& operator=(Subscription&&) noexcept;

  // The next batch if one is waiting; never blocks.
  std::optional<RecordBatch> poll();
  // Waits for the next batch. SLC-0003 once the subscription is closed or the database shut
  // down and every delivered batch has been received.
  Result<RecordBatch> recv();
  // As recv(), giving up with SLC-0004 after `timeout`.
  Result<RecordBatch> recv_for(std::chrono::nanoseconds timeout);
  // Stops delivery and wakes every thread waiting in recv().
  void close();

  const std::string& name() const;
  const SchemaPtr& schema() const;
  uint64_t dropped_batches() const;
  uint64_t dropped_rows() const;

 private:
  std::shared_ptr<runtime::SubscriptionState> state_;
};

}  // namespace sluice
