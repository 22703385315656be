// The transport of `sluice serve`: Boost.Beast HTTP/1.1 over Asio, in plain TCP or TLS (Asio
// SSL over OpenSSL). The only file that includes Beast, Asio or OpenSSL (they are heavy to
// compile); server.h says which thread does what.
//
// A connection is a Session<Stream> and, once upgraded, a WsClient<Stream>, where Stream is
// beast::tcp_stream or its TLS wrapper (kTls<Stream> tells them apart): one code path for both,
// the TLS handshake and shutdown being the only steps of their own.

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <charconv>
#include <deque>
#include <future>
#include <map>
#include <optional>
#include <thread>
#include <vector>

#include "console_feed.h"
#include "server.h"
#include "subscription_feed.h"

namespace sluice::server {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

namespace {

template <typename Stream>
constexpr bool kTls = std::is_same_v<Stream, TlsStream>;

// How long stop() lets answers being written go out before it stops the io thread.
constexpr std::chrono::seconds kStopGrace{5};
// Request headers larger than this are refused (431), like the body limit.
constexpr uint32_t kMaxHeaderBytes = 16 * 1024;
// WebSocket clients only receive; a message from one larger than this closes it.
constexpr size_t kMaxClientMessageBytes = 64 * 1024;
// The backlog bound of an ad-hoc subscription's client (drop_oldest beyond it).
constexpr int64_t kSubscriptionQueueBytes = 1 << 20;
// How long a WebSocket client has to answer our close frame before the connection is cut.
constexpr std::chrono::seconds kCloseTimeout{2};

// What stop() needs of a connection, whatever its stream.
class Connection {
 public:
  virtual ~Connection() = default;
  // The server stops: an idle connection closes now, a busy one after its answer.
  virtual void stop() = 0;
};

}  // namespace

struct Server::Impl {
  Impl(Api& a, const ServerOptions& o) : api(a), options(o), acceptor(io), workers(o.workers) {}

  void accept();

  Api& api;
  const ServerOptions options;
  asio::io_context io{1};
  tcp::acceptor acceptor;
  std::optional<asio::ssl::context> tls;  // set: every connection is TLS
  asio::thread_pool workers;
  std::thread io_thread;
  std::promise<void> io_done;
  uint16_t port = 0;
  bool stopped = false;  // the controlling thread's
  // Open connections, so that stop() can close the idle ones. io thread only.
  std::vector<std::weak_ptr<Connection>> sessions;
  std::vector<std::weak_ptr<HubClient>> ws_clients;
  // Ad-hoc subscriptions (/ws/subscribe), by their channel; made and ended on worker threads
  // (they call into the database and join their thread), the rest in stop().
  Mutex feeds_mutex;
  std::map<const HubChannel*, std::unique_ptr<SubscriptionFeed>> feeds GUARDED_BY(feeds_mutex);
  // The console page's live feed (/ws/console); null without a hub. Ended in stop().
  std::unique_ptr<ConsoleFeed> console;
  bool stopping = false;  // io thread only
};

namespace {

// One WebSocket client of a `websocket` sink's channel, on the io thread. Its queue holds
// references to the channel's shared messages, bounded in bytes; when a message does not fit,
// the channel's policy decides (websocket_hub.h). Reads only to notice the client leave or
// break the protocol (an invalid frame or invalid UTF-8 closes this client alone).
template <typename Stream>
class WsClient final : public HubClient, public std::enable_shared_from_this<WsClient<Stream>> {
 public:
  // `stream`: the HTTP connection being upgraded (its TLS session, if any, goes on).
  WsClient(Stream stream, std::shared_ptr<HubChannel> channel, Server::Impl& server)
      : ws_(std::move(stream)),
        channel_(std::move(channel)),
        server_(server),
        close_timer_(ws_.get_executor()) {}

  void accept(http::request<http::string_body> request) {
    beast::get_lowest_layer(ws_).expires_never();  // websocket's own timeouts from here on
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& r) { r.set(http::field::server, "sluice"); }));
    ws_.read_message_max(kMaxClientMessageBytes);
    ws_.text(true);
    ws_.async_accept(request, [self = this->shared_from_this()](beast::error_code ec) {
      if (ec) return self->channel_->detach(self.get());  // ends an ad-hoc feed at once
      self->open_ = true;
      auto& clients = self->server_.ws_clients;
      std::erase_if(clients, [](const std::weak_ptr<HubClient>& c) { return c.expired(); });
      clients.push_back(self);
      self->channel_->attach(self);
      self->read();
    });
  }

  void deliver(const std::shared_ptr<const std::string>& message) override {
    if (!open_) return;
    // The bound is on the backlog: a message always fits an empty queue (else one larger than
    // the bound would reach nobody), so a client that keeps up gets everything.
    const auto& options = channel_->options();
    const int64_t size = static_cast<int64_t>(message->size());
    if (!queue_.empty() && queued_bytes_ + size > options.client_queue_bytes) {
      switch (options.policy) {
        case connectors::websocket::SlowClientPolicy::kDisconnect:
          channel_->counters().disconnects.fetch_add(1, std::memory_order_relaxed);
          return close(websocket::close_code::policy_error, "too slow: client queue full");
        case connectors::websocket::SlowClientPolicy::kDropNewest:
          return drop(1);
        case connectors::websocket::SlowClientPolicy::kDropOldest:
          while (!queue_.empty() && queued_bytes_ + size > options.client_queue_bytes) {
            queued_bytes_ -= static_cast<int64_t>(queue_.front()->size());
            queue_.pop_front();
            drop(1);
          }
          break;
      }
    }
    queue_.push_back(message);
    queued_bytes_ += size;
    if (!writing_) write_next();
  }

  void disconnect() override {
    close(websocket::close_code::going_away, "the sink was dropped or the server stops");
  }

 private:
  void drop(int64_t messages) {
    missed_ += messages;
    channel_->counters().dropped_messages.fetch_add(messages, std::memory_order_relaxed);
  }

  void write_next() {
    if (!open_) return;
    std::shared_ptr<const std::string> message;
    if (missed_ > 0) {
      // The client is told how many messages it missed before the next one it gets (a small
      // message of its own; the data messages stay shared).
      message = std::make_shared<const std::string>("{\"missed\":" + std::to_string(missed_) + "}");
      missed_ = 0;
    } else if (!queue_.empty()) {
      message = std::move(queue_.front());
      queue_.pop_front();
      queued_bytes_ -= static_cast<int64_t>(message->size());
    } else {
      writing_ = false;
      return;
    }
    writing_ = true;
    ws_.async_write(asio::buffer(*message), [self = this->shared_from_this(), message](
                                                beast::error_code ec, size_t bytes) {
      if (ec) return self->gone();
      auto& counters = self->channel_->counters();
      counters.messages_sent.fetch_add(1, std::memory_order_relaxed);
      counters.bytes_sent.fetch_add(static_cast<int64_t>(bytes), std::memory_order_relaxed);
      self->write_next();
    });
  }

  void read() {
    ws_.async_read(in_, [self = this->shared_from_this()](beast::error_code ec, size_t) {
      if (ec) return self->gone();  // closed, reset, or a protocol error (Beast answered it)
      self->in_.consume(self->in_.size());  // what a client says is ignored
      self->read();
    });
  }

  // The connection ended: leave the channel.
  void gone() {
    if (!open_) return;
    open_ = false;
    leave();
  }

  void close(websocket::close_code code, const char* reason) {
    if (!open_) return;
    open_ = false;
    leave();
    ws_.async_close(
        websocket::close_reason(code, reason),
        [self = this->shared_from_this()](beast::error_code) { self->close_timer_.cancel(); });
    // The close frame waits behind what is being written: a client that does not read would
    // keep the connection (and a server that stops) waiting. Cut it after kCloseTimeout.
    close_timer_.expires_after(kCloseTimeout);
    close_timer_.async_wait([self = this->shared_from_this()](beast::error_code ec) {
      if (ec) return;  // the close handshake finished first
      beast::error_code ignored;
      beast::get_lowest_layer(self->ws_).socket().close(ignored);
    });
  }

  // Detaching is posted: this may run inside the channel's loop over its clients.
  void leave() {
    queue_.clear();
    queued_bytes_ = 0;
    asio::post(ws_.get_executor(),
               [self = this->shared_from_this()] { self->channel_->detach(self.get()); });
  }

  websocket::stream<Stream> ws_;
  const std::shared_ptr<HubChannel> channel_;
  Server::Impl& server_;
  asio::steady_timer close_timer_;
  beast::flat_buffer in_;
  std::deque<std::shared_ptr<const std::string>> queue_;
  int64_t queued_bytes_ = 0;
  int64_t missed_ = 0;  // dropped since the last message this client got
  bool writing_ = false;
  bool open_ = false;
};

// One connection, on the io thread; at most one request at a time (HTTP/1.1 without
// pipelining: the next request is read once the answer is written).
template <typename Stream>
class Session final : public Connection, public std::enable_shared_from_this<Session<Stream>> {
 public:
  Session(Stream stream, Server::Impl& server) : stream_(std::move(stream)), server_(server) {}

  // TLS: the handshake first, within the idle timeout (a client that never completes it is
  // closed like an idle one).
  void start() {
    if constexpr (kTls<Stream>) {
      busy_ = true;
      lowest().expires_after(server_.options.idle_timeout);
      stream_.async_handshake(asio::ssl::stream_base::server,
                              [self = this->shared_from_this()](beast::error_code ec) {
                                self->busy_ = false;
                                if (ec || self->stopping_) return self->close_now();
                                self->read();
                              });
    } else {
      read();
    }
  }

  void stop() override {
    stopping_ = true;
    if (!busy_) close();
  }

 private:
  void read() {
    parser_.emplace();
    parser_->body_limit(server_.options.max_body_bytes);
    parser_->header_limit(kMaxHeaderBytes);
    lowest().expires_after(server_.options.idle_timeout);
    http::async_read(
        stream_, buffer_, *parser_,
        [self = this->shared_from_this()](beast::error_code ec, size_t) { self->on_read(ec); });
  }

  void on_read(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == asio::error::eof ||
        ec == asio::error::connection_reset || ec == asio::error::operation_aborted ||
        ec == beast::error::timeout || ec == asio::ssl::error::stream_truncated) {
      return close();  // the client left or went quiet: nothing to answer
    }
    if (ec == http::error::body_limit || ec == http::error::header_limit) {
      const bool body = ec == http::error::body_limit;
      return send(
          error_response(body ? 413 : 431,
                         Status(ErrorCode::kRequestTooLarge,
                                body ? "the request body is larger than " +
                                           std::to_string(server_.options.max_body_bytes) + " bytes"
                                     : "the request headers are larger than " +
                                           std::to_string(kMaxHeaderBytes) + " bytes")),
          false);
    }
    if (ec) {
      // Whatever follows a malformed request cannot be framed: answer, then close.
      return send(error_response(400, Status(ErrorCode::kBadRequest,
                                             "malformed HTTP request: " + ec.message())),
                  false);
    }
    http::request<http::string_body> message = parser_->release();
    if (websocket::is_upgrade(message)) return upgrade(std::move(message));
    ApiRequest request;
    request.method = std::string(message.method_string());
    request.target = std::string(message.target());
    request.authorization = std::string(message[http::field::authorization]);
    request.body = std::move(message.body());
    const bool keep_alive = message.keep_alive();
    busy_ = true;
    if (server_.api.answers_at_once(request)) return send(server_.api.handle(request), keep_alive);
    // Database work runs on a worker; its answer comes back to the io thread.
    asio::post(server_.workers, [self = this->shared_from_this(), request = std::move(request),
                                 keep_alive]() mutable {
      ApiResponse response = self->server_.api.handle(request);
      asio::post(self->stream_.get_executor(),
                 [self, response = std::move(response), keep_alive]() mutable {
                   self->send(std::move(response), keep_alive);
                 });
    });
  }

  // A WebSocket client for a `websocket` sink's path: the token (header or ?token=), then the
  // connection moves to a WsClient.
  void upgrade(http::request<http::string_body> message) {
    ApiRequest request;
    request.method = std::string(message.method_string());
    request.target = std::string(message.target());
    request.authorization = std::string(message[http::field::authorization]);
    if (!server_.api.authorized(request, true)) {
      return send(error_response(401, Status(ErrorCode::kUnauthorized,
                                             "a WebSocket needs the bearer token (Authorization "
                                             "header or ?token=)")),
                  false);
    }
    const std::string path = request.target.substr(0, request.target.find('?'));
    const auto& hub = server_.api.hub();
    if (path == "/ws/subscribe" && hub) return subscribe(std::move(message));
    std::shared_ptr<HubChannel> channel = path == kConsolePath && server_.console
                                              ? server_.console->channel()
                                          : hub ? hub->find(path)
                                                : nullptr;
    if (!channel) {
      return send(
          error_response(404, Status(ErrorCode::kNotFound, "no websocket sink serves " + path)),
          false);
    }
    upgraded_ = true;
    auto client =
        std::make_shared<WsClient<Stream>>(std::move(stream_), std::move(channel), server_);
    client->accept(std::move(message));
  }

  // /ws/subscribe?stream=s[&where=...]: the feed subscribes through the database on a worker;
  // its answer (a feed to attach to, or an error) comes back to the io thread.
  void subscribe(http::request<http::string_body> message) {
    busy_ = true;
    auto request = parse_subscribe_query(std::string(message.target()));
    if (!request.ok()) return send(error_response(400, request.status()), false);
    auto shared = std::make_shared<http::request<http::string_body>>(std::move(message));
    asio::post(server_.workers, [self = this->shared_from_this(), request = *request, shared] {
      Server::Impl& server = self->server_;
      int status = 400;
      auto feed = SubscriptionFeed::start(server.api.db(), server.api.hub(), request,
                                          kSubscriptionQueueBytes, status);
      std::shared_ptr<HubChannel> channel;
      Status error;
      if (feed.ok()) {
        channel = (*feed)->channel();
        MutexLock lock(server.feeds_mutex);
        server.feeds[channel.get()] = std::move(feed).value();
      } else {
        error = feed.status();
      }
      asio::post(self->stream_.get_executor(), [self, channel, error, status, shared]() mutable {
        if (!channel) return self->send(error_response(status, error), false);
        Server::Impl* server = &self->server_;
        // The client left: end the feed on a worker (it joins the feed's thread).
        channel->set_on_empty([server, key = channel.get()] {
          asio::post(server->workers, [server, key] {
            std::unique_ptr<SubscriptionFeed> ended;
            {
              MutexLock lock(server->feeds_mutex);
              auto it = server->feeds.find(key);
              if (it == server->feeds.end()) return;
              ended = std::move(it->second);
              server->feeds.erase(it);
            }
          });
        });
        if (self->stopping_) return self->close();  // the server stopped meanwhile
        self->upgraded_ = true;
        auto client = std::make_shared<WsClient<Stream>>(std::move(self->stream_),
                                                         std::move(channel), *server);
        client->accept(std::move(*shared));
      });
    });
  }

  void send(ApiResponse answer, bool keep_alive) {
    busy_ = true;
    keep_alive = keep_alive && !stopping_;
    response_ = {};
    response_.result(static_cast<http::status>(answer.status));
    response_.version(11);
    response_.set(http::field::server, "sluice");
    response_.set(http::field::content_type, answer.content_type);
    if (answer.unauthorized) response_.set(http::field::www_authenticate, "Bearer");
    response_.body() = std::move(answer.body);
    response_.keep_alive(keep_alive);
    response_.prepare_payload();
    lowest().expires_after(server_.options.idle_timeout);
    http::async_write(stream_, response_,
                      [self = this->shared_from_this(), keep_alive](beast::error_code ec, size_t) {
                        self->busy_ = false;
                        if (ec || !keep_alive || self->stopping_) return self->close();
                        self->read();
                      });
  }

  beast::tcp_stream& lowest() { return beast::get_lowest_layer(stream_); }

  // Ends the connection: TLS says close_notify first (bounded by kCloseTimeout); plain TCP
  // shuts its sending side. After an upgrade the stream belongs to the WsClient.
  void close() {
    if (upgraded_ || closing_) return;
    closing_ = true;
    if constexpr (kTls<Stream>) {
      lowest().expires_after(kCloseTimeout);
      stream_.async_shutdown(
          [self = this->shared_from_this()](beast::error_code) { self->close_socket(); });
    } else {
      close_socket();
    }
  }

  // Without TLS's close_notify: the handshake failed, or close() sent it.
  void close_now() {
    if (upgraded_) return;
    closing_ = true;
    close_socket();
  }

  void close_socket() {
    beast::error_code ignored;
    lowest().socket().shutdown(tcp::socket::shutdown_send, ignored);
    lowest().socket().close(ignored);
  }

  Stream stream_;
  Server::Impl& server_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> response_;  // alive while async_write sends it
  bool busy_ = false;
  bool stopping_ = false;
  bool upgraded_ = false;  // the stream moved to a WsClient
  bool closing_ = false;   // close() ran
};

template <typename Stream>
std::shared_ptr<Connection> start_session(Stream stream, Server::Impl& server) {
  auto session = std::make_shared<Session<Stream>>(std::move(stream), server);
  session->start();
  return session;
}

}  // namespace

void Server::Impl::accept() {
  acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || stopping) return;  // stop() closed it
    if (!ec) {
      std::erase_if(sessions, [](const std::weak_ptr<Connection>& s) { return s.expired(); });
      sessions.push_back(tls ? start_session(TlsStream(std::move(socket), *tls), *this)
                             : start_session(beast::tcp_stream(std::move(socket)), *this));
    }
    // A failed accept (a client that reset at once, no file descriptors left) ends only
    // that connection: keep accepting.
    accept();
  });
}

Status parse_listen_address(const std::string& text, ServerOptions& options) {
  const size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon + 1 == text.size()) {
    return Status(ErrorCode::kInvalidArgument,
                  "--listen takes HOST:PORT (e.g. 127.0.0.1:8080), not '" + text + "'");
  }
  std::string host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  unsigned port = 0;
  const char* end = text.data() + text.size();
  auto [p, e] = std::from_chars(text.data() + colon + 1, end, port);
  if (e != std::errc() || p != end || port > 65535) {
    return Status(ErrorCode::kInvalidArgument,
                  "--listen: the port must be a number from 0 to 65535, not '" +
                      text.substr(colon + 1) + "'");
  }
  beast::error_code ec;
  asio::ip::make_address(host, ec);
  if (ec) {
    return Status(ErrorCode::kInvalidArgument,
                  "--listen: '" + host + "' is not an IP address (" + ec.message() + ")");
  }
  options.host = host;
  options.port = static_cast<uint16_t>(port);
  return Status::Ok();
}

namespace {

// The TLS context of --tls-cert and --tls-key: TLS 1.2 and later, the certificate chain and its
// private key (PEM). OpenSSL refuses a key that is not the certificate's ("key values
// mismatch") as it loads it, before the server takes any connection.
Result<asio::ssl::context> tls_context(const ServerOptions& options) {
  if (options.tls_certificate_file.empty() || options.tls_private_key_file.empty()) {
    return Status(ErrorCode::kInvalidArgument,
                  "TLS needs both a certificate file and a private key file");
  }
  asio::ssl::context context(asio::ssl::context::tls_server);
  beast::error_code ec;
  context.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                          asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                          asio::ssl::context::no_tlsv1_1 | asio::ssl::context::single_dh_use,
                      ec);
  if (!ec) context.use_certificate_chain_file(options.tls_certificate_file, ec);
  if (ec) {
    return Status(ErrorCode::kIoError, "cannot load the TLS certificate (PEM): " + ec.message(),
                  options.tls_certificate_file);
  }
  context.use_private_key_file(options.tls_private_key_file, asio::ssl::context::pem, ec);
  if (ec) {
    return Status(ErrorCode::kIoError, "cannot load the TLS private key (PEM): " + ec.message(),
                  options.tls_private_key_file);
  }
  return context;
}

}  // namespace

Result<std::unique_ptr<Server>> Server::start(Api& api, const ServerOptions& options) {
  auto impl = std::make_unique<Impl>(api, options);
  beast::error_code ec;
  const tcp::endpoint endpoint(asio::ip::make_address(options.host, ec), options.port);
  const std::string where = options.host + ":" + std::to_string(options.port);
  if (ec) return Status(ErrorCode::kInvalidArgument, "not an IP address: " + ec.message(), where);
  if (!options.tls_certificate_file.empty() || !options.tls_private_key_file.empty()) {
    SLC_ASSIGN_OR_RETURN(impl->tls, tls_context(options));
  }
  impl->acceptor.open(endpoint.protocol(), ec);
  if (!ec) impl->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) impl->acceptor.bind(endpoint, ec);
  if (!ec) impl->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return Status(ErrorCode::kIoError, "cannot listen: " + ec.message(), where);
  impl->port = impl->acceptor.local_endpoint().port();
  impl->accept();
  Impl* raw = impl.get();
  if (const auto& hub = api.hub()) {
    hub->set_io([raw](std::function<void()> work) { asio::post(raw->io, std::move(work)); });
    raw->console = std::make_unique<ConsoleFeed>(api, hub, options.console_interval);
  }
  impl->io_thread = std::thread([raw] {
    raw->io.run();
    raw->io_done.set_value();
  });
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Server::~Server() {
  stop();
}

uint16_t Server::port() const {
  return impl_->port;
}

void Server::stop() {
  if (impl_->stopped) return;
  impl_->stopped = true;
  Impl* raw = impl_.get();
  asio::post(raw->io, [raw] {
    raw->stopping = true;
    beast::error_code ignored;
    raw->acceptor.close(ignored);
    for (const auto& weak : raw->sessions) {
      if (auto session = weak.lock()) session->stop();
    }
    for (const auto& weak : raw->ws_clients) {
      if (auto client = weak.lock()) client->disconnect();
    }
  });
  // From now on the sinks' messages have no clients to go to.
  if (const auto& hub = raw->api.hub()) hub->set_io(nullptr);
  raw->workers.join();  // requests being run finish; their answers are posted to the io thread
  // With the acceptor and every connection closed the io thread runs out of work and ends;
  // a client that does not take its answer is given kStopGrace.
  if (raw->io_done.get_future().wait_for(kStopGrace) != std::future_status::ready) raw->io.stop();
  raw->io_thread.join();
  // Ad-hoc subscriptions still open: close them and join their threads.
  std::map<const HubChannel*, std::unique_ptr<SubscriptionFeed>> feeds;
  {
    MutexLock lock(raw->feeds_mutex);
    feeds.swap(raw->feeds);
  }
  feeds.clear();
  raw->console.reset();
}

}  // namespace sluice::server
