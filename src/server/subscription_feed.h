#pragma once
// SubscriptionFeed: an ad-hoc WebSocket subscription, /ws/subscribe?stream=s[&where=...]: the
// rows of a stream, view or source from the moment the client connects, optionally filtered
// by a WHERE condition compiled once (bound against the stream's columns) and evaluated
// vectorized per batch. Messages are the websocket sink's ({"seq":N,"rows":[...]}), into a
// channel of its own with one client (drop_oldest, bounded in bytes).
//
// Threads: start() on a worker thread (it subscribes through the database). Its own thread
// receives from the subscription (a drop_oldest ring: a slow client never holds up the
// compute thread), filters, encodes and publishes. The destructor closes the subscription and
// joins that thread: call it off the io thread.

#include <memory>
#include <string>
#include <thread>

#include "sluice/database.h"
#include "websocket_hub.h"

namespace sluice::server {

// The parameters of /ws/subscribe's query: `stream` (required) and `where` (optional),
// percent-decoded. An error names what is missing or malformed.
struct SubscribeRequest {
  std::string stream;
  std::string where;
};
Result<SubscribeRequest> parse_subscribe_query(const std::string& target);

class SubscriptionFeed {
 public:
  // An error (unknown stream, a WHERE that does not parse or bind, or is not BOOLEAN) says
  // what and where (line:column within the condition); `http_status` is then its HTTP status
  // (404: no such stream; 400: the condition).
  static Result<std::unique_ptr<SubscriptionFeed>> start(Database& db,
                                                         std::shared_ptr<WebSocketHub> hub,
                                                         const SubscribeRequest& request,
                                                         int64_t client_queue_bytes,
                                                         int& http_status);
  ~SubscriptionFeed();
  SubscriptionFeed(const SubscriptionFeed&) = delete;
  SubscriptionFeed& operator=(const SubscriptionFeed&) = delete;

  const std::shared_ptr<HubChannel>& channel() const { return channel_; }

 private:
  struct State;
  explicit SubscriptionFeed(std::unique_ptr<State> state);
  void run();

  std::unique_ptr<State> state_;
  std::shared_ptr<HubChannel> channel_;
  std::thread thread_;
};

}  // namespace sluice::server
