#include "console_feed.h"

#include "columnar/json_writer.h"

namespace sluice::server {
namespace {

// A page's backlog bound: a few snapshots; beyond it the oldest go (the newest is what counts).
constexpr int64_t kConsoleQueueBytes = 1 << 20;

}  // namespace

ConsoleFeed::ConsoleFeed(const Api& api, std::shared_ptr<WebSocketHub> hub,
                         std::chrono::milliseconds interval)
    : api_(api), interval_(interval) {
  connectors::websocket::ChannelOptions options;
  options.sink = "console";
  options.path = std::string(kConsolePath);
  options.client_queue_bytes = kConsoleQueueBytes;
  options.policy = connectors::websocket::SlowClientPolicy::kDropOldest;
  channel_ = std::make_shared<HubChannel>(std::move(hub), std::move(options));
  thread_ = std::thread([this] { run(); });
}

ConsoleFeed::~ConsoleFeed() {
  stopping_.store(true);
  wake_.notify_all();
  thread_.join();
  channel_->close();
}

std::string ConsoleFeed::snapshot(const Api& api, int64_t seq) {
  Database& db = api.db();
  JsonWriter w;
  w.begin_object().key("seq").value(seq);
  const auto now = std::chrono::steady_clock::now().time_since_epoch();
  w.key("time_ms").value(
      static_cast<int64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(now).count()));
  w.key("error");
  if (Status s = db.status(); s.ok()) {
    w.null();
  } else {
    w.begin_object().key("code").value(s.code_string()).key("message").value(s.message());
    w.end_object();
  }
  std::string out = w.take();
  // The parts below are JSON already (the API's own answers): spliced in, not re-parsed.
  auto graph = db.graph_json();
  out += ",\"graph\":" + (graph.ok() ? *graph : std::string("null"));
  for (const char* what : {"sinks", "sources"}) {
    auto objects = api.objects_json(what);
    out += std::string(",\"") + what + "\":" + (objects.ok() ? *objects : std::string("[]"));
  }
  out += '}';
  return out;
}

void ConsoleFeed::run() {
  int64_t seq = 0;
  for (;;) {
    wake_.wait_until([&] { return stopping_.load(); }, deadline_after(interval_));
    if (stopping_.load()) return;
    if (channel_->counters().clients.load(std::memory_order_relaxed) == 0) continue;
    channel_->publish(std::make_shared<const std::string>(snapshot(api_, ++seq)));
  }
}

}  // namespace sluice::server
