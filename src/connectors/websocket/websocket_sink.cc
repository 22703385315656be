#include "connectors/websocket/websocket_sink.h"

#include "connectors/registry.h"

namespace sluice::connectors::websocket {
namespace {

using sink::Sink;
using sink::SinkCapabilities;
using sink::SinkContext;

std::atomic<int64_t> g_encoded{0};

class WebSocketSink final : public Sink {
 public:
  WebSocketSink(std::shared_ptr<Broadcaster> broadcaster, ChannelOptions options, bool per_row)
      : broadcaster_(std::move(broadcaster)), options_(std::move(options)), per_row_(per_row) {}

  // At most once: a replayed batch is sent again, with new sequence numbers.
  SinkCapabilities capabilities() const override { return {}; }

  Status open(const SinkContext& context) override {
    encoder_ = std::make_unique<JsonLinesEncoder>(*context.schema);
    SLC_ASSIGN_OR_RETURN(channel_, broadcaster_->open_channel(options_));
    return Status::Ok();
  }

  Status write(const RecordBatch& batch) override {
    if (per_row_) {
      for (int64_t row = 0; row < batch.num_rows(); ++row) publish(batch, row, row + 1);
    } else if (batch.num_rows() > 0) {
      publish(batch, 0, batch.num_rows());
    }
    return Status::Ok();
  }

  Status flush() override { return Status::Ok(); }

  Status close() override {
    if (channel_) channel_->close();
    channel_.reset();
    return Status::Ok();
  }

  int64_t bytes_written() const override { return bytes_; }

 private:
  void publish(const RecordBatch& batch, int64_t begin, int64_t end) {
    auto message = encode_message(*encoder_, batch, begin, end, ++seq_, per_row_, scratch_);
    bytes_ += static_cast<int64_t>(message->size());
    channel_->publish(std::move(message));
  }

  std::shared_ptr<Broadcaster> broadcaster_;
  const ChannelOptions options_;
  const bool per_row_;
  std::unique_ptr<JsonLinesEncoder> encoder_;
  std::shared_ptr<BroadcastChannel> channel_;
  std::string scratch_;  // reused: the encoder's output before it is framed
  int64_t seq_ = 0;
  int64_t bytes_ = 0;
};

SlowClientPolicy policy_of(const std::string& name) {
  if (name == "drop_newest") return SlowClientPolicy::kDropNewest;
  if (name == "disconnect") return SlowClientPolicy::kDisconnect;
  return SlowClientPolicy::kDropOldest;
}

Status check_websocket(const sql::OptionMap& options, const Schema&) {
  const std::string& path = options.at("path");
  if (!path.starts_with("/ws/") || path.size() == 4 || path == "/ws/subscribe" ||
      path == "/ws/console" || path.find_first_of("?# ") != std::string::npos) {
    return Status(ErrorCode::kSqlInvalidOption,
                  "option 'path' must be a path under /ws/ (e.g. '/ws/live'), without a query, "
                  "and not /ws/subscribe or /ws/console (the server's own); got '" +
                      path + "'");
  }
  return Status::Ok();
}

}  // namespace

std::shared_ptr<const std::string> encode_message(const JsonLinesEncoder& encoder,
                                                  const RecordBatch& batch, int64_t begin,
                                                  int64_t end, int64_t seq, bool per_row,
                                                  std::string& scratch) {
  scratch.clear();
  encoder.encode_rows(batch, begin, end, scratch);
  auto message = std::make_shared<std::string>();
  message->reserve(scratch.size() + 32);
  *message += "{\"seq\":";
  *message += std::to_string(seq);
  if (per_row) {
    *message += ",\"row\":";
    message->append(scratch, 0, scratch.size() - 1);  // without the line's '\n'
  } else {
    *message += ",\"rows\":[";
    for (char& c : scratch) {
      if (c == '\n') c = ',';  // JSON strings escape newlines: each '\n' ends a row
    }
    message->append(scratch, 0, scratch.size() - 1);
    *message += ']';
  }
  *message += '}';
  g_encoded.fetch_add(1, std::memory_order_relaxed);
  return message;
}

int64_t encoded_messages() {
  return g_encoded.load(std::memory_order_relaxed);
}

std::unique_ptr<Sink> make_websocket_sink(std::shared_ptr<Broadcaster> broadcaster,
                                          ChannelOptions options, bool per_row) {
  return std::make_unique<WebSocketSink>(std::move(broadcaster), std::move(options), per_row);
}

void register_connector(Registry& registry) {
  using K = sql::OptionSpec::Kind;
  registry.add_sink(
      {.name = "websocket",
       .options = {{"path", K::kString, {}, true, "", 0},
                   {"format", K::kChoice, {"batch", "row"}, false, "batch", 0},
                   {"client.queue.bytes", K::kInteger, {}, false, "1048576", 1024},
                   {"client.slow",
                    K::kChoice,
                    {"drop_oldest", "drop_newest", "disconnect"},
                    false,
                    "drop_oldest",
                    0}},
       .check = check_websocket},
      [](const sql::SinkDef& def,
         const SinkFactoryContext& context) -> Result<std::unique_ptr<sink::Sink>> {
        std::shared_ptr<void> service =
            context.service ? context.service(std::string(kBroadcasterService)) : nullptr;
        if (!service) {
          return Status(ErrorCode::kUnsupported,
                        "sink '" + def.name +
                            "': INTO websocket needs a WebSocket server; run the pipeline with "
                            "`sluice serve` (an embedded database has none)");
        }
        ChannelOptions options;
        options.sink = def.name;
        options.path = def.options.at("path");
        options.client_queue_bytes = std::stoll(def.options.at("client.queue.bytes"));
        options.policy = policy_of(def.options.at("client.slow"));
        return make_websocket_sink(std::static_pointer_cast<Broadcaster>(service),
                                   std::move(options), def.options.at("format") == "row");
      });
}

}  // namespace sluice::connectors::websocket
