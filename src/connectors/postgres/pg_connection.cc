#include "connectors/postgres/pg_connection.h"

#include <libpq-fe.h>

#include <algorithm>
#include <memory>

#include "sql/redaction.h"

namespace sluice::connectors::postgres {
namespace {

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using ResultPtr = std::unique_ptr<PGresult, ResultDeleter>;

std::string trimmed(const char* text) {
  std::string s = text ? text : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// libpq's message on a failed connect may repeat part of the connection string (a malformed
// "key=value" names what it could not read): every password given is masked, with any other a
// connection string holds.
std::string without_passwords(const std::string& message, const ConnectParams& params) {
  std::vector<std::string> passwords;
  for (const auto& [key, value] : params.keywords) {
    if (key == "password") passwords.push_back(value);
  }
  if (!params.dsn.empty()) {
    if (PQconninfoOption* parsed = PQconninfoParse(params.dsn.c_str(), nullptr)) {
      for (PQconninfoOption* o = parsed; o->keyword != nullptr; ++o) {
        if (o->val != nullptr && std::string_view(o->keyword) == "password")
          passwords.push_back(o->val);
      }
      PQconninfoFree(parsed);
    }
  }
  return sql::redact_connection_string(sql::mask_secrets(message, passwords));
}

bool is_connection_state(std::string_view sqlstate) {
  return sqlstate.starts_with("08") || sqlstate == "57P01" || sqlstate == "57P02" ||
         sqlstate == "57P03";
}

}  // namespace

PgConnection::~PgConnection() {
  disconnect();
}

Status PgConnection::connect(const ConnectParams& params) {
  disconnect();
  std::vector<std::pair<std::string, std::string>> kv;
  if (!params.dsn.empty()) kv.emplace_back("dbname", params.dsn);  // expanded by libpq
  for (const auto& p : params.keywords) kv.push_back(p);
  // libpq takes whole seconds, at least 2.
  const auto seconds = std::max<int64_t>(
      2, std::chrono::duration_cast<std::chrono::seconds>(params.connect_timeout).count());
  kv.emplace_back("connect_timeout", std::to_string(seconds));
  kv.emplace_back("application_name", "sluice");
  kv.emplace_back("options",
                  "-c statement_timeout=" + std::to_string(params.statement_timeout.count()));
  std::vector<const char*> keys;
  std::vector<const char*> values;
  for (const auto& [k, v] : kv) {
    keys.push_back(k.c_str());
    values.push_back(v.c_str());
  }
  keys.push_back(nullptr);
  values.push_back(nullptr);
  conn_ = PQconnectdbParams(keys.data(), values.data(), params.dsn.empty() ? 0 : 1);
  if (conn_ == nullptr) return Status(ErrorCode::kResourceExhausted, "libpq: out of memory");
  if (PQstatus(conn_) != CONNECTION_OK) {
    Status s(ErrorCode::kUnavailable,
             "cannot connect to PostgreSQL: " +
                 without_passwords(trimmed(PQerrorMessage(conn_)), params));
    disconnect();
    return s;
  }
  // Notices (CREATE ... IF NOT EXISTS skipping) are not errors; libpq would print them.
  PQsetNoticeProcessor(
      conn_, [](void*, const char*) {}, nullptr);
  where_ = std::string(PQhost(conn_) ? PQhost(conn_) : "") + ":" +
           (PQport(conn_) ? PQport(conn_) : "") + "/" + (PQdb(conn_) ? PQdb(conn_) : "");
  return Status::Ok();
}

void PgConnection::disconnect() {
  if (conn_ != nullptr) PQfinish(conn_);
  conn_ = nullptr;
}

bool PgConnection::connected() const {
  return conn_ != nullptr && PQstatus(conn_) == CONNECTION_OK;
}

Status PgConnection::connection_error(std::string_view what) const {
  return Status(ErrorCode::kUnavailable, "lost the connection to PostgreSQL " + where_ +
                                             " during " + std::string(what) +
                                             (conn_ ? ": " + trimmed(PQerrorMessage(conn_)) : ""));
}

Status PgConnection::result_error(const void* r, std::string_view what) const {
  const PGresult* result = static_cast<const PGresult*>(r);
  const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  if (state == nullptr || !connected()) return connection_error(what);
  const std::string sqlstate = state;
  last_sqlstate_ = sqlstate;
  std::string msg = "PostgreSQL " + where_ + " rejected " + std::string(what) + ": " +
                    trimmed(PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY)) + " (SQLSTATE " +
                    sqlstate + ")";
  if (const char* detail = PQresultErrorField(result, PG_DIAG_MESSAGE_DETAIL))
    msg += "; " + trimmed(detail);
  if (const char* context = PQresultErrorField(result, PG_DIAG_CONTEXT))
    msg += "; " + trimmed(context);
  ErrorCode code = ErrorCode::kRejected;
  if (is_connection_state(sqlstate)) code = ErrorCode::kUnavailable;
  if (sqlstate == "57014") code = ErrorCode::kTimeout;
  return Status(code, std::move(msg));
}

Status PgConnection::exec(std::string_view sql) {
  last_sqlstate_.clear();
  if (!connected()) return connection_error("a statement");
  ResultPtr r(PQexec(conn_, std::string(sql).c_str()));
  const ExecStatusType st = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
  if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return Status::Ok();
  return result_error(r.get(), sql.substr(0, sql.find(' ')));
}

Result<PgRows> PgConnection::query(std::string_view sql, std::span<const std::string> params) {
  if (!connected()) return connection_error("a query");
  std::vector<const char*> values;
  for (const std::string& p : params) values.push_back(p.c_str());
  ResultPtr r(PQexecParams(conn_, std::string(sql).c_str(), static_cast<int>(values.size()),
                           nullptr, values.data(), nullptr, nullptr, 0));
  if (!r || PQresultStatus(r.get()) != PGRES_TUPLES_OK) return result_error(r.get(), "a query");
  PgRows rows(static_cast<size_t>(PQntuples(r.get())));
  const int columns = PQnfields(r.get());
  for (size_t i = 0; i < rows.size(); ++i) {
    for (int c = 0; c < columns; ++c) {
      if (PQgetisnull(r.get(), static_cast<int>(i), c))
        rows[i].emplace_back(std::nullopt);
      else
        rows[i].emplace_back(PQgetvalue(r.get(), static_cast<int>(i), c));
    }
  }
  return rows;
}

Status PgConnection::copy_in(std::string_view copy_sql, std::span<const std::string_view> chunks) {
  size_t i = 0;
  return copy_in(copy_sql, [&](std::string_view& chunk) -> Result<bool> {
    if (i == chunks.size()) return false;
    chunk = chunks[i++];
    return true;
  });
}

Status PgConnection::copy_in(std::string_view copy_sql, const CopySource& next) {
  if (!connected()) return connection_error("COPY");
  ResultPtr start(PQexec(conn_, std::string(copy_sql).c_str()));
  if (!start || PQresultStatus(start.get()) != PGRES_COPY_IN)
    return result_error(start.get(), "COPY");
  Status source_error;
  for (;;) {
    std::string_view chunk;
    Result<bool> more = next(chunk);
    if (!more.ok()) {
      source_error = more.status();
      break;
    }
    if (!*more) break;
    // libpq buffers and sends; a chunk larger than an int is sent in pieces.
    while (!chunk.empty()) {
      const size_t n = std::min<size_t>(chunk.size(), size_t{1} << 30);
      if (PQputCopyData(conn_, chunk.data(), static_cast<int>(n)) != 1) {
        return connection_error("COPY");
      }
      chunk.remove_prefix(n);
    }
  }
  // Ending with an error message makes the server abort the COPY (and its transaction).
  const std::string abort_reason(source_error.message());
  if (PQputCopyEnd(conn_, source_error.ok() ? nullptr : abort_reason.c_str()) != 1)
    return connection_error("COPY");
  Status result;
  // The COPY's result, then nothing: every result must be read before the next command.
  while (PGresult* raw = PQgetResult(conn_)) {
    ResultPtr r(raw);
    if (PQresultStatus(r.get()) != PGRES_COMMAND_OK && result.ok())
      result = result_error(r.get(), "COPY");
  }
  if (!source_error.ok()) return source_error;
  if (result.ok() && !connected()) return connection_error("COPY");
  return result;
}

std::string quote_ident(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string quote_literal(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

}  // namespace sluice::connectors::postgres
