// The transport of `sluice serve`: Boost.Beast HTTP/1.1 over Asio. The only file that
// includes Beast or Asio (they are heavy to compile); server.h says which thread does what.

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <charconv>
#include <future>
#include <optional>
#include <thread>
#include <vector>

#include "server.h"

namespace sluice::server {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

// How long stop() lets answers being written go out before it stops the io thread.
constexpr std::chrono::seconds kStopGrace{5};
// Request headers larger than this are refused (431), like the body limit.
constexpr uint32_t kMaxHeaderBytes = 16 * 1024;

class Session;

}  // namespace

struct Server::Impl {
  Impl(Api& a, const ServerOptions& o) : api(a), options(o), acceptor(io), workers(o.workers) {}

  void accept();

  Api& api;
  const ServerOptions options;
  asio::io_context io{1};
  tcp::acceptor acceptor;
  asio::thread_pool workers;
  std::thread io_thread;
  std::promise<void> io_done;
  uint16_t port = 0;
  bool stopped = false;  // the controlling thread's
  // Open connections, so that stop() can close the idle ones. io thread only.
  std::vector<std::weak_ptr<Session>> sessions;
  bool stopping = false;  // io thread only
};

namespace {

// One connection, on the io thread; at most one request at a time (HTTP/1.1 without
// pipelining: the next request is read once the answer is written).
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, Server::Impl& server) : stream_(std::move(socket)), server_(server) {}

  void start() { read(); }

  // The server stops: an idle connection closes now, a busy one after its answer.
  void stop() {
    stopping_ = true;
    if (!busy_) close();
  }

 private:
  void read() {
    parser_.emplace();
    parser_->body_limit(server_.options.max_body_bytes);
    parser_->header_limit(kMaxHeaderBytes);
    stream_.expires_after(server_.options.idle_timeout);
    http::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->on_read(ec); });
  }

  void on_read(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == asio::error::eof ||
        ec == asio::error::connection_reset || ec == asio::error::operation_aborted ||
        ec == beast::error::timeout) {
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
    ApiRequest request;
    request.method = std::string(message.method_string());
    request.target = std::string(message.target());
    request.authorization = std::string(message[http::field::authorization]);
    request.body = std::move(message.body());
    const bool keep_alive = message.keep_alive();
    busy_ = true;
    if (server_.api.answers_at_once(request)) return send(server_.api.handle(request), keep_alive);
    // Database work runs on a worker; its answer comes back to the io thread.
    asio::post(server_.workers,
               [self = shared_from_this(), request = std::move(request), keep_alive]() mutable {
                 ApiResponse response = self->server_.api.handle(request);
                 asio::post(self->stream_.get_executor(),
                            [self, response = std::move(response), keep_alive]() mutable {
                              self->send(std::move(response), keep_alive);
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
    stream_.expires_after(server_.options.idle_timeout);
    http::async_write(stream_, response_,
                      [self = shared_from_this(), keep_alive](beast::error_code ec, size_t) {
                        self->busy_ = false;
                        if (ec || !keep_alive || self->stopping_) return self->close();
                        self->read();
                      });
  }

  void close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.socket().close(ignored);
  }

  beast::tcp_stream stream_;
  Server::Impl& server_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> response_;  // alive while async_write sends it
  bool busy_ = false;
  bool stopping_ = false;
};

}  // namespace

void Server::Impl::accept() {
  acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || stopping) return;  // stop() closed it
    if (!ec) {
      auto session = std::make_shared<Session>(std::move(socket), *this);
      std::erase_if(sessions, [](const std::weak_ptr<Session>& s) { return s.expired(); });
      sessions.push_back(session);
      session->start();
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

Result<std::unique_ptr<Server>> Server::start(Api& api, const ServerOptions& options) {
  auto impl = std::make_unique<Impl>(api, options);
  beast::error_code ec;
  const tcp::endpoint endpoint(asio::ip::make_address(options.host, ec), options.port);
  const std::string where = options.host + ":" + std::to_string(options.port);
  if (ec) return Status(ErrorCode::kInvalidArgument, "not an IP address: " + ec.message(), where);
  impl->acceptor.open(endpoint.protocol(), ec);
  if (!ec) impl->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) impl->acceptor.bind(endpoint, ec);
  if (!ec) impl->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return Status(ErrorCode::kIoError, "cannot listen: " + ec.message(), where);
  impl->port = impl->acceptor.local_endpoint().port();
  impl->accept();
  Impl* raw = impl.get();
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
  });
  raw->workers.join();  // requests being run finish; their answers are posted to the io thread
  // With the acceptor and every connection closed the io thread runs out of work and ends;
  // a client that does not take its answer is given kStopGrace.
  if (raw->io_done.get_future().wait_for(kStopGrace) != std::future_status::ready) raw->io.stop();
  raw->io_thread.join();
}

}  // namespace sluice::server
