#pragma once
// What the `websocket` sink publishes through, and what `sluice serve` provides: the sink
// encodes each message once into an immutable buffer and hands it to its channel; the
// server's channel delivers that same buffer to every connected client (each client's queue
// holds a reference, never a copy). The database has no WebSocket server of its own, so the
// application provides one as the service kBroadcasterService (DatabaseOptions::services);
// without it CREATE SINK ... INTO websocket is refused.
//
// Thread: open_channel() from any thread (the sink task's); publish() and close() from the
// sink's task thread; implementations never block there on a client.

#include <memory>
#include <string>
#include <string_view>

#include "sluice/status.h"

namespace sluice::connectors::websocket {

// The name under which the application provides a Broadcaster (std::shared_ptr<Broadcaster>
// stored as std::shared_ptr<void>).
inline constexpr std::string_view kBroadcasterService = "websocket.broadcaster";

// What happens when a client's queue (bytes) is full and another message comes.
enum class SlowClientPolicy {
  kDropOldest,  // drop queued messages, oldest first, until it fits; the client is told
  kDropNewest,  // drop the new message for this client
  kDisconnect,  // close the client
};

struct ChannelOptions {
  std::string sink;  // the sink's name (metrics)
  std::string path;  // "/ws/live": where clients connect
  int64_t client_queue_bytes = 1 << 20;
  SlowClientPolicy policy = SlowClientPolicy::kDropOldest;
};

class BroadcastChannel {
 public:
  virtual ~BroadcastChannel() = default;
  // Delivers `message` (a complete WebSocket text message) to every client connected now.
  virtual void publish(std::shared_ptr<const std::string> message) = 0;
  // Disconnects the clients and frees the path. Idempotent.
  virtual void close() = 0;
};

class Broadcaster {
 public:
  virtual ~Broadcaster() = default;
  // The channel at options.path; an error when another sink serves that path.
  virtual Result<std::shared_ptr<BroadcastChannel>> open_channel(const ChannelOptions& options) = 0;
};

}  // namespace sluice::connectors::websocket
