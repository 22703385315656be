#pragma once
// Api: the HTTP API of `sluice serve` as plain functions of a request, apart from the
// transport (http_server.cc holds Boost.Beast), so every endpoint is tested without sockets
// and Beast stays in one file.
//
//   GET  /                       the console page (console_assets.h; no token: it holds no data,
//   GET  /console/NAME           and asks for the token to call the API and /ws/console)
//   GET  /health                 200 while the process runs (no token)
//   GET  /ready                  200 once the pipeline runs, 503 before and while draining (no
//                                token)
//   POST /api/v1/sql             {"sql": "..."}: statements and ad-hoc SELECT, rows as JSON
//   GET  /api/v1/sources|streams|views|sinks   the objects, with their metrics
//   POST /api/v1/sources/NAME/rows   JSON lines pushed into a push source
//   GET  /api/v1/graph           the pipeline graph (Database::graph_json)
//   POST /api/v1/checkpoint      cuts a checkpoint, returns its epoch
//   GET  /metrics                Prometheus text format (metrics_text.h)
// Everything but the console's files, /health and /ready needs `Authorization: Bearer <token>`
// (else 401). Errors are {"error": {"code": "SLC-NNNN", "message": ..., "line": L, "column": C}}.
//
// Thread: handle() may run on any thread, several at once: it only reads its members and
// calls the Database, whose methods are thread-safe. handle() may block for as long as the
// database works (a CHECKPOINT, a statement): the transport calls it off its io thread unless
// answers_at_once() says it does not touch the database.

#include <atomic>
#include <string>

#include "sluice/database.h"
#include "websocket_hub.h"

namespace sluice::server {

struct ApiRequest {
  std::string method;         // "GET", "POST", ...
  std::string target;         // "/api/v1/sql?x=1"
  std::string authorization;  // the Authorization header's value, "" when absent
  std::string body;
};

struct ApiResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  bool unauthorized = false;  // 401: the transport adds WWW-Authenticate: Bearer
};

// The JSON error body and status for `error` (SLC code, message, line and column when the
// location is a SQL "line:column").
ApiResponse error_response(int http_status, const Status& error);

class Api {
 public:
  // `hub`: the WebSocket channels of `websocket` sinks (null: none); /metrics counts them.
  Api(Database& db, std::string token, std::shared_ptr<WebSocketHub> hub = nullptr)
      : db_(db), token_(std::move(token)), hub_(std::move(hub)) {}

  const std::shared_ptr<WebSocketHub>& hub() const { return hub_; }
  Database& db() const { return db_; }
  // The bearer token is right: in the Authorization header or, for a WebSocket upgrade
  // (browsers cannot set headers on one), as `token=` in the query.
  bool authorized(const ApiRequest& request, bool allow_query_token = false) const;

  // /ready answers 200 from now on (the pipeline file is declared and started), or 503
  // again (the server is draining).
  void set_ready(bool ready) { ready_.store(ready); }

  // True for requests answered without touching the database (/health, /ready, a missing
  // token, an unknown path): the transport answers them on its io thread.
  bool answers_at_once(const ApiRequest& request) const;
  ApiResponse handle(const ApiRequest& request) const;

  // The JSON array of GET /api/v1/WHAT ("sources", "streams", "views", "sinks"): each object's
  // SHOW columns and, for sources and sinks, its metrics. The console feed reuses it.
  Result<std::string> objects_json(const std::string& what) const;

 private:
  ApiResponse execute_sql(const std::string& body) const;
  ApiResponse list(const std::string& what) const;
  ApiResponse push(const std::string& source, const std::string& lines) const;
  ApiResponse checkpoint() const;
  ApiResponse metrics() const;

  Database& db_;
  const std::string token_;
  const std::shared_ptr<WebSocketHub> hub_;
  std::atomic<bool> ready_{false};
};

}  // namespace sluice::server
