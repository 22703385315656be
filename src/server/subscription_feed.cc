#include "subscription_feed.h"

#include "api.h"
#include "columnar/row_encoder.h"
#include "connectors/websocket/websocket_sink.h"
#include "dataflow/project_operator.h"
#include "sql/binder.h"
#include "sql/parser.h"

namespace sluice::server {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// application/x-www-form-urlencoded: %XX and '+' for a space.
Result<std::string> percent_decoded(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out += ' ';
    } else if (text[i] == '%') {
      const int hi = i + 2 < text.size() ? hex_value(text[i + 1]) : -1;
      const int lo = hi >= 0 ? hex_value(text[i + 2]) : -1;
      if (lo < 0) {
        return Status(ErrorCode::kBadRequest, "a malformed %-escape in the query string");
      }
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

}  // namespace

Result<SubscribeRequest> parse_subscribe_query(const std::string& target) {
  SubscribeRequest request;
  const size_t query = target.find('?');
  std::string_view rest =
      query == std::string::npos ? std::string_view() : std::string_view(target).substr(query + 1);
  while (!rest.empty()) {
    const size_t amp = rest.find('&');
    const std::string_view param = rest.substr(0, amp);
    const size_t eq = param.find('=');
    const std::string_view key = param.substr(0, eq);
    if (eq != std::string_view::npos && (key == "stream" || key == "where")) {
      SLC_ASSIGN_OR_RETURN(std::string value, percent_decoded(param.substr(eq + 1)));
      (key == "stream" ? request.stream : request.where) = std::move(value);
    }
    if (amp == std::string_view::npos) break;
    rest = rest.substr(amp + 1);
  }
  if (request.stream.empty()) {
    return Status(ErrorCode::kBadRequest,
                  "/ws/subscribe needs ?stream=NAME (a stream, view or source)");
  }
  return request;
}

struct SubscriptionFeed::State {
  Subscription subscription;
  sql::BoundExprPtr where;  // null: every row
  std::unique_ptr<JsonLinesEncoder> encoder;
};

Result<std::unique_ptr<SubscriptionFeed>> SubscriptionFeed::start(Database& db,
                                                                  std::shared_ptr<WebSocketHub> hub,
                                                                  const SubscribeRequest& request,
                                                                  int64_t client_queue_bytes,
                                                                  int& http_status) {
  auto state = std::make_unique<State>();
  SubscribeOptions options;
  options.on_full = SubscriptionOverflow::kDropOldest;
  http_status = 404;
  SLC_ASSIGN_OR_RETURN(state->subscription, db.subscribe(request.stream, options));
  http_status = 400;
  const Schema& schema = *state->subscription.schema();
  if (!request.where.empty()) {
    // Compiled once: parsed and bound against the stream's columns here, evaluated per batch.
    SLC_ASSIGN_OR_RETURN(sql::ExprPtr parsed, sql::parse_expression(request.where));
    const sql::Catalog no_objects;
    SLC_ASSIGN_OR_RETURN(state->where,
                         sql::Binder(no_objects).bind_scalar(*parsed, schema, request.stream));
    if (state->where->type != DataType::kBoolean) {
      return Status(ErrorCode::kSqlTypeMismatch, "where= must be a BOOLEAN condition, not " +
                                                     std::string(type_name(state->where->type)));
    }
  }
  state->encoder = std::make_unique<JsonLinesEncoder>(schema);
  connectors::websocket::ChannelOptions channel;
  channel.sink = "subscribe:" + request.stream;
  channel.path = "/ws/subscribe";
  channel.client_queue_bytes = client_queue_bytes;
  channel.policy = connectors::websocket::SlowClientPolicy::kDropOldest;
  std::unique_ptr<SubscriptionFeed> feed(new SubscriptionFeed(std::move(state)));
  feed->channel_ = std::make_shared<HubChannel>(std::move(hub), std::move(channel));
  feed->thread_ = std::thread([raw = feed.get()] { raw->run(); });
  return feed;
}

SubscriptionFeed::SubscriptionFeed(std::unique_ptr<State> state) : state_(std::move(state)) {}

SubscriptionFeed::~SubscriptionFeed() {
  state_->subscription.close();  // wakes recv()
  if (thread_.joinable()) thread_.join();
  channel_->close();
}

void SubscriptionFeed::run() {
  std::vector<uint32_t> selection;
  std::string scratch;
  int64_t seq = 0;
  for (;;) {
    auto batch = state_->subscription.recv();
    if (!batch.ok()) return;  // closed: the client left, the server or database stops
    auto kept = dataflow::filter_batch(state_->where, *batch, selection);
    if (!kept.ok()) {
      // A row the condition cannot evaluate (an overflow): the client is told, and the
      // subscription ends rather than skip rows silently.
      channel_->publish(
          std::make_shared<const std::string>(error_response(400, kept.status()).body));
      return;
    }
    if (kept->num_rows() == 0) continue;
    channel_->publish(connectors::websocket::encode_message(
        *state_->encoder, *kept, 0, kept->num_rows(), ++seq, false, scratch));
  }
}

}  // namespace sluice::server
