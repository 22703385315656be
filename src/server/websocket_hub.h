#pragma once
// WebSocketHub: `sluice serve`'s side of the `websocket` sink (connectors/websocket/
// broadcaster.h). One HubChannel per sink path; each holds the clients connected to it.
// A published message is one immutable buffer: the channel hands the same shared_ptr to every
// client's queue (HubClient::deliver), never a copy, never a second encoding.
//
// Threads: open_channel(), find() and channels() from any thread (a mutex guards the paths).
// HubChannel::publish() and close() from the sink's task thread: they only queue and post to
// the io thread (set_io; at most one post per message), so a slow client never holds up the
// sink. Clients are attached, detached
// and delivered to on the io thread only, so the client lists need no lock. Counters are
// atomics, read by /metrics from any thread.

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/mutex.h"
#include "connectors/websocket/broadcaster.h"

namespace sluice::server {

// A connected WebSocket client as a channel sees it; implemented by the transport
// (http_server.cc). Thread: the io thread only.
class HubClient {
 public:
  virtual ~HubClient() = default;
  // Queues `message` (shared: the client keeps a reference) under the channel's policy.
  virtual void deliver(const std::shared_ptr<const std::string>& message) = 0;
  // The channel closed (its sink was dropped or the server stops): close the connection.
  virtual void disconnect() = 0;
};

struct ChannelCounters {
  std::atomic<int64_t> clients{0};           // connected now
  std::atomic<int64_t> published{0};         // messages the sink encoded and published
  std::atomic<int64_t> messages_sent{0};     // per client: messages written to the socket
  std::atomic<int64_t> bytes_sent{0};        // their bytes
  std::atomic<int64_t> dropped_messages{0};  // per client: dropped by drop_oldest/newest
  std::atomic<int64_t> disconnects{0};       // clients closed by the disconnect policy
};

class WebSocketHub;

class HubChannel final : public connectors::websocket::BroadcastChannel,
                         public std::enable_shared_from_this<HubChannel> {
 public:
  HubChannel(std::shared_ptr<WebSocketHub> hub, connectors::websocket::ChannelOptions options)
      : hub_(std::move(hub)), options_(std::move(options)) {}

  // BroadcastChannel (the sink's thread).
  void publish(std::shared_ptr<const std::string> message) override;
  void close() override;

  // The io thread.
  void attach(const std::shared_ptr<HubClient>& client);
  void detach(const HubClient* client);
  // Runs `callback` (on the io thread, once) when the last client leaves: an ad-hoc
  // subscription's channel ends its feed then.
  void set_on_empty(std::function<void()> callback) { on_empty_ = std::move(callback); }
  bool closed() const { return closed_.load(); }

  const connectors::websocket::ChannelOptions& options() const { return options_; }
  ChannelCounters& counters() { return counters_; }
  const ChannelCounters& counters() const { return counters_; }

 private:
  const std::shared_ptr<WebSocketHub> hub_;
  const connectors::websocket::ChannelOptions options_;
  ChannelCounters counters_;
  std::atomic<bool> closed_{false};
  // The io thread: hands the messages published since the last call to every client.
  void deliver_pending();

  std::vector<std::shared_ptr<HubClient>> clients_;  // io thread only
  std::function<void()> on_empty_;                   // io thread only
  // Published, not yet handed to the clients; non-empty: a deliver_pending() is posted.
  Mutex pending_mutex_;
  std::vector<std::shared_ptr<const std::string>> pending_ GUARDED_BY(pending_mutex_);
};

class WebSocketHub final : public connectors::websocket::Broadcaster,
                           public std::enable_shared_from_this<WebSocketHub> {
 public:
  using IoPoster = std::function<void(std::function<void()>)>;

  Result<std::shared_ptr<connectors::websocket::BroadcastChannel>> open_channel(
      const connectors::websocket::ChannelOptions& options) override;

  // The open channel at `path`; null when none.
  std::shared_ptr<HubChannel> find(const std::string& path) const;
  // Every open channel, by path (for /metrics).
  std::vector<std::shared_ptr<HubChannel>> channels() const;

  // The server sets how to run work on its io thread when it starts, and clears it when it
  // stops; without one, published messages (no client can be connected) are only counted.
  void set_io(IoPoster post);
  // Runs `work` on the io thread; false (not run) when no server runs.
  bool post(std::function<void()> work);

  // HubChannel::close: frees the path.
  void remove(const std::string& path, const HubChannel* channel);

 private:
  mutable Mutex mutex_;
  std::map<std::string, std::weak_ptr<HubChannel>> channels_ GUARDED_BY(mutex_);
  IoPoster post_ GUARDED_BY(mutex_);
};

}  // namespace sluice::server
