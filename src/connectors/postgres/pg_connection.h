#pragma once
// PgConnection: one libpq connection, in blocking mode, with errors as Status values.
//   kUnavailable  could not connect, or the connection broke (SQLSTATE class 08, a server
//                 shutting down: 57P01..57P03, or libpq reporting a bad connection); the
//                 caller reconnects and retries
//   kTimeout      statement_timeout cancelled the statement (57014)
//   kRejected     any other server error; the message carries SQLSTATE, message and detail
// libpq's header stays inside this folder: this header only forward-declares its handle.
//
// Thread: owned by one sink task.

#include <chrono>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sluice/status.h"

struct pg_conn;

namespace sluice::connectors::postgres {

struct ConnectParams {
  // libpq keywords and values (host, port, dbname, user, password); `dsn`, when given, is
  // expanded first (a URI or "key=value ..."), and the separate keywords override it.
  std::string dsn;
  std::vector<std::pair<std::string, std::string>> keywords;
  std::chrono::milliseconds connect_timeout{10000};
  std::chrono::milliseconds statement_timeout{30000};
};

// A small text result: rows of optional (NULL) strings.
using PgRows = std::vector<std::vector<std::optional<std::string>>>;

class PgConnection {
 public:
  PgConnection() = default;
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;
  ~PgConnection();

  Status connect(const ConnectParams& params);
  void disconnect();
  bool connected() const;
  // "host:port/dbname", for messages (never the password).
  const std::string& where() const { return where_; }
  // The SQLSTATE of the last statement the server rejected ("" when it was not rejected).
  const std::string& last_sqlstate() const { return last_sqlstate_; }

  // Runs statements that return no rows.
  Status exec(std::string_view sql);
  // Runs a query with text parameters; returns its rows as text.
  Result<PgRows> query(std::string_view sql, std::span<const std::string> params = {});
  // COPY ... FROM STDIN (FORMAT binary): sends the chunks in order, then ends the COPY.
  Status copy_in(std::string_view copy_sql, std::span<const std::string_view> chunks);
  // The same with the data produced as it goes: `next` sets the next chunk and returns true,
  // or returns false at the end; an error from it aborts the COPY and is returned.
  using CopySource = std::function<Result<bool>(std::string_view& chunk)>;
  Status copy_in(std::string_view copy_sql, const CopySource& next);

 private:
  Status result_error(const void* result, std::string_view what) const;
  Status connection_error(std::string_view what) const;

  pg_conn* conn_ = nullptr;
  std::string where_;
  mutable std::string last_sqlstate_;
};

// "name" with embedded quotes doubled: safe to splice into SQL whatever the name holds.
std::string quote_ident(std::string_view name);
// 'text' with embedded quotes doubled (standard_conforming_strings is on since 9.1).
std::string quote_literal(std::string_view text);

}  // namespace sluice::connectors::postgres
