#include "websocket_hub.h"

#include <algorithm>
#include <utility>

namespace sluice::server {

void HubChannel::publish(std::shared_ptr<const std::string> message) {
  counters_.published.fetch_add(1, std::memory_order_relaxed);
  if (closed_.load() || counters_.clients.load(std::memory_order_relaxed) == 0) return;
  // At most one post per message, whatever the number of clients: a message published while
  // a post is on its way rides along with it (a sink publishing a batch's rows wakes the io
  // thread once, not once per row). The fan-out runs on the io thread.
  bool schedule = false;
  {
    MutexLock lock(pending_mutex_);
    schedule = pending_.empty();
    pending_.push_back(std::move(message));
  }
  if (!schedule) return;
  if (!hub_->post([self = shared_from_this()] { self->deliver_pending(); })) {
    MutexLock lock(pending_mutex_);  // no server (it stopped): nobody to deliver to
    pending_.clear();
  }
}

void HubChannel::deliver_pending() {
  std::vector<std::shared_ptr<const std::string>> messages;
  {
    MutexLock lock(pending_mutex_);
    messages.swap(pending_);
  }
  // In order: a later post is run after this one, on the same thread.
  for (const auto& message : messages) {
    for (const auto& client : clients_) client->deliver(message);
  }
}

void HubChannel::close() {
  if (closed_.exchange(true)) return;
  hub_->remove(options_.path, this);
  hub_->post([self = shared_from_this()] {
    std::vector<std::shared_ptr<HubClient>> clients;
    clients.swap(self->clients_);
    self->counters_.clients.store(0);
    for (const auto& client : clients) client->disconnect();
  });
}

void HubChannel::attach(const std::shared_ptr<HubClient>& client) {
  if (closed_.load()) return client->disconnect();
  clients_.push_back(client);
  counters_.clients.store(static_cast<int64_t>(clients_.size()));
}

void HubChannel::detach(const HubClient* client) {
  std::erase_if(clients_, [&](const std::shared_ptr<HubClient>& c) { return c.get() == client; });
  counters_.clients.store(static_cast<int64_t>(clients_.size()));
  if (clients_.empty() && on_empty_) std::exchange(on_empty_, nullptr)();
}

Result<std::shared_ptr<connectors::websocket::BroadcastChannel>> WebSocketHub::open_channel(
    const connectors::websocket::ChannelOptions& options) {
  MutexLock lock(mutex_);
  auto& slot = channels_[options.path];
  if (auto other = slot.lock(); other && !other->closed()) {
    return Status(ErrorCode::kSqlDuplicateName, "sink '" + options.sink + "': path " +
                                                    options.path + " is already served by sink '" +
                                                    other->options().sink + "'");
  }
  auto channel = std::make_shared<HubChannel>(shared_from_this(), options);
  slot = channel;
  return std::shared_ptr<connectors::websocket::BroadcastChannel>(channel);
}

std::shared_ptr<HubChannel> WebSocketHub::find(const std::string& path) const {
  MutexLock lock(mutex_);
  auto it = channels_.find(path);
  return it == channels_.end() ? nullptr : it->second.lock();
}

std::vector<std::shared_ptr<HubChannel>> WebSocketHub::channels() const {
  MutexLock lock(mutex_);
  std::vector<std::shared_ptr<HubChannel>> out;
  for (const auto& [path, weak] : channels_) {
    if (auto channel = weak.lock()) out.push_back(std::move(channel));
  }
  return out;
}

void WebSocketHub::set_io(IoPoster post) {
  MutexLock lock(mutex_);
  post_ = std::move(post);
}

bool WebSocketHub::post(std::function<void()> work) {
  MutexLock lock(mutex_);
  if (!post_) return false;
  post_(std::move(work));
  return true;
}

void WebSocketHub::remove(const std::string& path, const HubChannel* channel) {
  MutexLock lock(mutex_);
  auto it = channels_.find(path);
  if (it == channels_.end()) return;
  auto current = it->second.lock();
  if (!current || current.get() == channel) channels_.erase(it);
}

}  // namespace sluice::server
