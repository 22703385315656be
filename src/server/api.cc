#include "api.h"

#include <simdjson.h>

#include <charconv>
#include <string_view>

#include "access_token.h"
#include "columnar/json_writer.h"
#include "columnar/row_encoder.h"
#include "console_assets.h"
#include "metrics_text.h"

namespace sluice::server {
namespace {

// The request body of POST /api/v1/sql: {"sql": "..."}. Its own limit (the transport's body
// limit) keeps it small; simdjson needs its padding, hence the copy.
Result<std::string> sql_of(const std::string& body) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (auto error = parser.parse(simdjson::padded_string(body)).get(doc); error) {
    return Status(ErrorCode::kJsonParse,
                  std::string("the request body is not JSON: ") + simdjson::error_message(error));
  }
  std::string_view sql;
  if (doc.type() != simdjson::dom::element_type::OBJECT ||
      doc["sql"].get(sql) != simdjson::SUCCESS) {
    return Status(ErrorCode::kBadRequest,
                  R"(the request body must be a JSON object {"sql": "<statements>"})");
  }
  return std::string(sql);
}

// "3:14" -> line 3, column 14; false for any other location.
bool sql_position(std::string_view location, int& line, int& column) {
  const size_t colon = location.find(':');
  if (colon == std::string_view::npos) return false;
  const char* end = location.data() + location.size();
  auto [p1, e1] = std::from_chars(location.data(), location.data() + colon, line);
  auto [p2, e2] = std::from_chars(location.data() + colon + 1, end, column);
  return e1 == std::errc() && e2 == std::errc() && p1 == location.data() + colon && p2 == end;
}

// The HTTP status of a statement's error: the client's fault (400) unless the database is
// closed (503) or broke its own rules (500).
int http_status_of(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInternal:
      return 500;
    case ErrorCode::kClosed:
      return 503;
    default:
      return 400;
  }
}

ApiResponse json_response(int status, std::string body) {
  ApiResponse response;
  response.status = status;
  response.body = std::move(body);
  return response;
}

// The rows of `batch` as a JSON array of objects (the JSON lines encoder's objects, so values
// are written as every other JSON output of sluice writes them).
void write_rows(const RecordBatch& batch, std::string& out) {
  out += '[';
  if (batch.num_rows() > 0) {
    std::string lines;
    JsonLinesEncoder(*batch.schema()).encode(batch, lines);
    for (char& c : lines) {
      if (c == '\n') c = ',';  // JSON strings escape newlines, so each '\n' ends a row
    }
    lines.pop_back();
    out += lines;
  }
  out += ']';
}

void write_columns(const RecordBatch& batch, JsonWriter& w) {
  w.key("columns").begin_array();
  if (batch.schema()) {
    for (const Field& field : batch.schema()->fields()) {
      w.begin_object().key("name").value(field.name).key("type").value(type_name(field.type));
      w.end_object();
    }
  }
  w.end_array();
}

void write_sink_metrics(const SinkMetrics& m, JsonWriter& w) {
  w.begin_object();
  w.key("state").value(m.state);
  w.key("rows").value(m.rows).key("batches").value(m.batches).key("bytes").value(m.bytes);
  w.key("write_errors").value(m.write_errors).key("retries").value(m.retries);
  w.key("queue_depth").value(m.queue_depth);
  w.key("backpressure_events").value(m.backpressure_events);
  w.key("dropped_rows").value(m.dropped_rows).key("failed_rows").value(m.failed_rows);
  w.key("dead_lettered_rows").value(m.dead_lettered_rows).key("slow_writes").value(m.slow_writes);
  w.key("last_committed_epoch").value(m.last_committed_epoch);
  w.key("write_p50_ns").value(static_cast<int64_t>(m.write_p50_ns));
  w.key("write_p99_ns").value(static_cast<int64_t>(m.write_p99_ns));
  w.key("write_max_ns").value(static_cast<int64_t>(m.write_max_ns));
  w.key("last_error").value(m.last_error);
  w.end_object();
}

void write_source_metrics(const SourceMetrics& m, JsonWriter& w) {
  w.begin_object();
  w.key("pushed_rows").value(m.pushed_rows).key("blocked").value(m.blocked);
  w.key("dropped_rows").value(m.dropped_rows).key("rejected").value(m.rejected);
  w.key("in_flight").value(m.in_flight).key("skipped_lines").value(m.skipped_lines);
  w.key("alignment_pauses").value(m.alignment_pauses);
  w.key("alignment_paused_micros").value(m.alignment_paused_micros);
  w.key("alignment_paused").value(m.alignment_paused);
  w.end_object();
}

struct Route {
  std::string_view path;
  std::string_view method;
};
constexpr Route kRoutes[] = {
    {"/health", "GET"},         {"/ready", "GET"},
    {"/metrics", "GET"},        {"/api/v1/sql", "POST"},
    {"/api/v1/sources", "GET"}, {"/api/v1/streams", "GET"},
    {"/api/v1/views", "GET"},   {"/api/v1/sinks", "GET"},
    {"/api/v1/graph", "GET"},   {"/api/v1/checkpoint", "POST"},
};

std::string_view path_of(std::string_view target) {
  return target.substr(0, target.find('?'));
}

// POST /api/v1/sources/NAME/rows: the one path with a name in it.
constexpr std::string_view kSourcesPrefix = "/api/v1/sources/";
constexpr std::string_view kRowsSuffix = "/rows";
constexpr Route kPushRoute = {"/api/v1/sources/{name}/rows", "POST"};

// NAME of /api/v1/sources/NAME/rows; empty for any other path.
std::string_view pushed_source(std::string_view path) {
  if (!path.starts_with(kSourcesPrefix) || !path.ends_with(kRowsSuffix) ||
      path.size() <= kSourcesPrefix.size() + kRowsSuffix.size()) {
    return {};
  }
  return path.substr(kSourcesPrefix.size(),
                     path.size() - kSourcesPrefix.size() - kRowsSuffix.size());
}

// The route of a request; null with `status` 404 (no such path) or 405 (another method).
const Route* find_route(const ApiRequest& request, int& status) {
  const std::string_view path = path_of(request.target);
  status = 404;
  if (!pushed_source(path).empty()) {
    if (request.method == kPushRoute.method) return &kPushRoute;
    status = 405;
    return nullptr;
  }
  for (const Route& route : kRoutes) {
    if (route.path != path) continue;
    if (route.method == request.method) return &route;
    status = 405;
  }
  return nullptr;
}

ApiResponse no_route(const ApiRequest& request, int status) {
  const std::string path(path_of(request.target));
  return error_response(
      status,
      Status(ErrorCode::kNotFound, status == 405 ? request.method + " is not allowed on " + path
                                                 : "no endpoint " + path + " (docs/server.md)"));
}

}  // namespace

ApiResponse error_response(int http_status, const Status& error) {
  JsonWriter w;
  w.begin_object().key("error").begin_object();
  w.key("code").value(error.code_string());
  w.key("message").value(error.message());
  int line = 0, column = 0;
  if (sql_position(error.location(), line, column)) {
    w.key("line").value(int64_t{line}).key("column").value(int64_t{column});
  } else if (!error.location().empty()) {
    w.key("location").value(error.location());
  }
  w.end_object().end_object();
  ApiResponse response = json_response(http_status, w.take());
  response.unauthorized = http_status == 401;
  return response;
}

bool Api::authorized(const ApiRequest& request, bool allow_query_token) const {
  constexpr std::string_view kBearer = "Bearer ";
  const std::string_view header = request.authorization;
  if (header.substr(0, kBearer.size()) == kBearer &&
      token_matches(header.substr(kBearer.size()), token_)) {
    return true;
  }
  if (!allow_query_token) return false;
  const std::string_view target = request.target;
  const size_t query = target.find('?');
  if (query == std::string_view::npos) return false;
  std::string_view rest = target.substr(query + 1);
  while (!rest.empty()) {
    const size_t amp = rest.find('&');
    const std::string_view param = rest.substr(0, amp);
    if (param.starts_with("token=") && token_matches(param.substr(6), token_)) return true;
    if (amp == std::string_view::npos) break;
    rest = rest.substr(amp + 1);
  }
  return false;
}

bool Api::answers_at_once(const ApiRequest& request) const {
  int status = 0;
  const Route* route = find_route(request, status);
  if (route == nullptr) return true;
  return route->path == "/health" || route->path == "/ready" || !authorized(request);
}

ApiResponse Api::handle(const ApiRequest& request) const {
  const std::string_view path = path_of(request.target);
  if (path == "/health" && request.method == "GET") return json_response(200, R"({"status":"ok"})");
  if (path == "/ready" && request.method == "GET") {
    return ready_.load() ? json_response(200, R"({"ready":true})")
                         : json_response(503, R"({"ready":false})");
  }
  // The console's files hold no data (a browser loading a page cannot send a token): the
  // page asks for the token and sends it with every API call and on /ws/console.
  if (request.method == "GET") {
    if (const ConsoleAsset* asset = find_console_asset(path)) {
      ApiResponse response = json_response(200, std::string(asset->body));
      response.content_type = std::string(asset->content_type);
      return response;
    }
  }
  // The token before anything else: without it a client learns nothing, not even which
  // paths exist.
  if (!authorized(request)) {
    return error_response(401,
                          Status(ErrorCode::kUnauthorized,
                                 request.authorization.empty()
                                     ? "this endpoint needs an Authorization: Bearer <token> header"
                                     : "the bearer token is not this server's"));
  }
  int status = 0;
  const Route* route = find_route(request, status);
  if (route == nullptr) return no_route(request, status);
  if (route->path == "/api/v1/sql") return execute_sql(request.body);
  if (route == &kPushRoute) return push(std::string(pushed_source(path)), request.body);
  if (route->path == "/api/v1/graph") {
    auto graph = db_.graph_json();
    return graph.ok() ? json_response(200, std::move(graph).value())
                      : error_response(http_status_of(graph.status().code()), graph.status());
  }
  if (route->path == "/api/v1/checkpoint") return checkpoint();
  if (route->path == "/metrics") return metrics();
  return list(std::string(route->path.substr(std::string_view("/api/v1/").size())));
}

ApiResponse Api::execute_sql(const std::string& body) const {
  auto sql = sql_of(body);
  if (!sql.ok()) return error_response(400, sql.status());
  auto result = db_.execute(*sql);
  if (!result.ok()) return error_response(http_status_of(result.status().code()), result.status());
  JsonWriter w;
  w.begin_object().key("message").value(result->message);
  std::string out;
  if (result->has_rows) {
    write_columns(result->rows, w);
    w.key("rows");
    out = w.take();
    write_rows(result->rows, out);
    out += '}';
  } else {
    out = w.end_object().take();
  }
  return json_response(200, std::move(out));
}

Result<std::string> Api::objects_json(const std::string& what) const {
  const char* statement = what == "sources"   ? "SHOW SOURCES"
                          : what == "streams" ? "SHOW STREAMS"
                          : what == "views"   ? "SHOW MATERIALIZED VIEWS"
                                              : "SHOW SINKS";
  SLC_ASSIGN_OR_RETURN(QueryResult shown, db_.execute(statement));
  const RecordBatch& rows = shown.rows;
  // Each object's SHOW columns (as the JSON lines encoder writes them) and, for sources and
  // sinks, their live counters.
  const JsonLinesEncoder encoder(*rows.schema());
  std::string out = "[";
  for (int64_t row = 0; row < rows.num_rows(); ++row) {
    if (row > 0) out += ',';
    encoder.encode_rows(rows, row, row + 1, out);
    out.resize(out.size() - 2);  // the object's '}' and the line's '\n'
    const std::string object(rows.column(0).string_value(row));
    JsonWriter w;
    if (what == "sources") {
      if (auto m = db_.source_metrics(object); m.ok()) write_source_metrics(*m, w);
    } else if (what == "sinks") {
      if (auto m = db_.sink_metrics(object); m.ok()) write_sink_metrics(*m, w);
    }
    if (!w.str().empty()) out += ",\"metrics\":" + w.str();
    out += '}';
  }
  out += ']';
  return out;
}

ApiResponse Api::list(const std::string& what) const {
  auto objects = objects_json(what);
  if (!objects.ok())
    return error_response(http_status_of(objects.status().code()), objects.status());
  return json_response(200, "{\"" + what + "\":" + *objects + "}");
}

ApiResponse Api::push(const std::string& source, const std::string& lines) const {
  auto handle = db_.source(source);
  if (!handle.ok()) return error_response(404, handle.status());
  if (Status s = handle->push_json(lines); !s.ok()) {
    return error_response(http_status_of(s.code()), s.with_location("source '" + source + "'"));
  }
  JsonWriter w;
  w.begin_object().key("source").value(source).key("accepted").value(true).end_object();
  return json_response(200, w.take());
}

ApiResponse Api::checkpoint() const {
  auto epoch = db_.checkpoint();
  if (!epoch.ok()) return error_response(http_status_of(epoch.status().code()), epoch.status());
  JsonWriter w;
  w.begin_object().key("epoch").value(static_cast<int64_t>(*epoch)).end_object();
  return json_response(200, w.take());
}

ApiResponse Api::metrics() const {
  auto text = prometheus_text(db_, hub_.get());
  if (!text.ok()) return error_response(http_status_of(text.status().code()), text.status());
  ApiResponse response = json_response(200, std::move(text).value());
  response.content_type = "text/plain; version=0.0.4; charset=utf-8";
  return response;
}

}  // namespace sluice::server
