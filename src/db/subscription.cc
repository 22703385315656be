#include "sluice/subscription.h"

#include "runtime/subscription_state.h"

namespace sluice {

Subscription::Subscription(std::shared_ptr<runtime::SubscriptionState> state)
    : state_(std::move(state)) {}
Subscription::~Subscription() = default;
Subscription::Subscription(Subscription&&) noexcept = default;
Subscription& Subscription::operator=(Subscription&&) noexcept = default;

namespace {
Status disconnected(const runtime::SubscriptionState& s) {
  return Status(ErrorCode::kClosed,
                "subscription to '" + s.name + "' is closed (closed, dropped or shut down)");
}
}  // namespace

std::optional<RecordBatch> Subscription::poll() {
  if (!state_) return std::nullopt;
  RecordBatch out;
  if (state_->queue.try_pop(out) == QueueStatus::kOk) return out;
  return std::nullopt;
}

Result<RecordBatch> Subscription::recv() {
  if (!state_) return Status(ErrorCode::kClosed, "empty subscription");
  RecordBatch out;
  if (state_->queue.pop(out) == QueueStatus::kOk) return out;
  return disconnected(*state_);
}

Result<RecordBatch> Subscription::recv_for(std::chrono::nanoseconds timeout) {
  if (!state_) return Status(ErrorCode::kClosed, "empty subscription");
  RecordBatch out;
  switch (state_->queue.pop(out, deadline_after(timeout))) {
    case QueueStatus::kOk:
      return out;
    case QueueStatus::kTimeout:
      return Status(ErrorCode::kTimeout, "no batch from '" + state_->name + "' within " +
                                             std::to_string(timeout.count() / 1000000) + " ms");
    default:
      return disconnected(*state_);
  }
}

void Subscription::close() {
  if (state_) state_->queue.close();
}

const std::string& Subscription::name() const {
  return state_->name;
}
const SchemaPtr& Subscription::schema() const {
  return state_->schema;
}
uint64_t Subscription::dropped_batches() const {
  return state_ ? state_->dropped_batches.load() : 0;
}
uint64_t Subscription::dropped_rows() const {
  return state_ ? state_->dropped_rows.load() : 0;
}

}  // namespace sluice
