#pragma once
// ConsoleFeed: what the console page (GET /) shows live, over the WebSocket /ws/console: every
// `interval`, while at least one page is connected, one snapshot of the pipeline — its graph
// with rows in and out per node (Database::graph_json), each sink's metrics and each source's
// (as GET /api/v1/sinks and /api/v1/sources), and the pipeline's error if it failed:
//
//   {"seq": N, "time_ms": T, "error": null | {"code", "message"}, "graph": {...},
//    "sinks": [...], "sources": [...]}
//
// The page derives rows/s from two snapshots' counters and `time_ms` (a steady clock). Each
// snapshot is built once and published into a channel of its own (a WebSocketHub channel: one
// shared buffer for every page; a page that does not read drops its oldest snapshots).
//
// Threads: its own thread sleeps between snapshots (WaitSignal, so the destructor wakes it)
// and calls the database only while pages are connected: an idle server stays idle. Made and
// destroyed by the Server's controlling thread; the destructor joins the thread.

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "api.h"
#include "common/wait_signal.h"
#include "websocket_hub.h"

namespace sluice::server {

// The path of the console's live feed (reserved: no `websocket` sink may use it).
inline constexpr std::string_view kConsolePath = "/ws/console";

class ConsoleFeed {
 public:
  ConsoleFeed(const Api& api, std::shared_ptr<WebSocketHub> hub,
              std::chrono::milliseconds interval);
  ~ConsoleFeed();
  ConsoleFeed(const ConsoleFeed&) = delete;
  ConsoleFeed& operator=(const ConsoleFeed&) = delete;

  const std::shared_ptr<HubChannel>& channel() const { return channel_; }

  // One snapshot's JSON (the format above), numbered `seq`.
  static std::string snapshot(const Api& api, int64_t seq);

 private:
  void run();

  const Api& api_;
  const std::chrono::milliseconds interval_;
  std::shared_ptr<HubChannel> channel_;
  std::atomic<bool> stopping_{false};
  WaitSignal wake_;
  std::thread thread_;
};

}  // namespace sluice::server
