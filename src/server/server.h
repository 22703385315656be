#pragma once
// Server: the HTTP listener of `sluice serve` over a Database (api.h has the endpoints).
// This header is free of Boost: Beast and Asio stay in http_server.cc, the one file that
// compiles them.
//
// Threads: one io thread runs Asio (accepts, reads requests, writes responses, runs the
// WebSocket clients of `websocket` sinks; it never calls the database). Requests that touch the
// database (api.h: all but /health, /ready and refusals) go to a small pool of worker threads,
// which call Api::handle (the Database is thread-safe; a statement or CHECKPOINT may take long) and
// post the response back to the io thread, so a slow statement never stalls other connections.
// start() and stop() from one controlling thread.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "api.h"
#include "sluice/status.h"

namespace sluice::server {

struct ServerOptions {
  std::string host = "127.0.0.1";   // loopback by default: exposing it is a deliberate choice
  uint16_t port = 8080;             // 0: any free port (port() says which)
  size_t max_body_bytes = 1 << 20;  // larger bodies: 413
  int workers = 2;                  // threads that run database calls
  // A connection that sends nothing for this long is closed (an idle keep-alive, a client
  // that stalls mid-request).
  std::chrono::seconds idle_timeout{30};
  // TLS (both or neither): PEM files of the certificate chain and its private key. Set, every
  // connection is HTTPS / WSS; the files are read once, at start().
  std::string tls_certificate_file;
  std::string tls_private_key_file;
  // How often the console page's live feed (/ws/console) sends a snapshot while a page is open.
  std::chrono::milliseconds console_interval{500};
};

// "127.0.0.1:8080", "[::1]:8080", "0.0.0.0:9000" → host and port; an error names the value.
Status parse_listen_address(const std::string& text, ServerOptions& options);

class Server {
 public:
  // Binds and listens (an error: the address is taken or invalid, a TLS file cannot be read or
  // its key does not match its certificate), then starts the threads.
  static Result<std::unique_ptr<Server>> start(Api& api, const ServerOptions& options);
  ~Server();  // stop()
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // The port bound (the one chosen when options.port was 0).
  uint16_t port() const;
  // Stops accepting, lets the requests being run finish and their answers go out (up to a
  // few seconds), then stops the threads. Idempotent.
  void stop();

  struct Impl;

 private:
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace sluice::server
