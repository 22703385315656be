#pragma once
// RecordingClient: a HubClient that records what it was handed, for tests without sockets.

#include <memory>
#include <string>
#include <vector>

#include "common/mutex.h"
#include "server/websocket_hub.h"

namespace sluice::server {

// A client that records what it was handed. The io thread is whichever thread posts: the
// hub's poster runs work at once (the sink's or a feed's thread), hence the lock.
class RecordingClient final : public HubClient {
 public:
  void deliver(const std::shared_ptr<const std::string>& message) override {
    MutexLock lock(mutex_);
    messages_.push_back(message);
  }
  void disconnect() override {
    MutexLock lock(mutex_);
    disconnected_ = true;
  }
  std::vector<std::shared_ptr<const std::string>> messages() const {
    MutexLock lock(mutex_);
    return messages_;
  }
  bool disconnected() const {
    MutexLock lock(mutex_);
    return disconnected_;
  }

 private:
  mutable Mutex mutex_;
  std::vector<std::shared_ptr<const std::string>> messages_ GUARDED_BY(mutex_);
  bool disconnected_ GUARDED_BY(mutex_) = false;
};

}  // namespace sluice::server
