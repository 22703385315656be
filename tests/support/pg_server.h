#pragma once
// PgServer: a throwaway PostgreSQL server for one test or benchmark (tools/pg_tmp.sh on a temp
// directory and a free port), and a plain libpq client to look at what the sink wrote. The client
// is libpq itself, not the sink's wrapper, so the checks do not share the code under test.
#include <libpq-fe.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "support/temp_dir.h"

namespace sluice::testing {

class PgServer {
 public:
  explicit PgServer(std::string extra_options = "") : extra_(std::move(extra_options)) {
    for (int attempt = 0;; ++attempt) {
      port_ = free_port();
      if (run("start " + (dir_ / "pg").string() + " " + std::to_string(port_) + " " + extra_))
        break;
      if (attempt == 2) throw std::runtime_error("cannot start PostgreSQL (see the output above)");
    }
    exec("SET TimeZone = 'UTC'");
  }
  ~PgServer() {
    if (conn_) PQfinish(conn_);
    run("destroy " + (dir_ / "pg").string());  // then dir_ removes the files
  }

  int port() const { return port_; }
  std::string dsn() const {
    return "host=127.0.0.1 port=" + std::to_string(port_) + " user=postgres dbname=postgres";
  }
  // Stops the server (`fast`: clients are disconnected), keeping its data.
  void stop() {
    if (conn_) PQfinish(conn_);
    conn_ = nullptr;
    run("stop " + (dir_ / "pg").string() + " fast");
  }
  void start() {
    if (!run("start " + (dir_ / "pg").string() + " " + std::to_string(port_) + " " + extra_))
      throw std::runtime_error("cannot restart PostgreSQL");
  }

  // Rows of a query as text (NULL as nullopt); throws on an error.
  std::vector<std::vector<std::optional<std::string>>> query(const std::string& sql) {
    PGresult* r = PQexec(connection(), sql.c_str());
    if (PQresultStatus(r) != PGRES_TUPLES_OK && PQresultStatus(r) != PGRES_COMMAND_OK) {
      std::string error = PQresultErrorMessage(r);
      PQclear(r);
      throw std::runtime_error(sql + ": " + error);
    }
    std::vector<std::vector<std::optional<std::string>>> rows;
    for (int i = 0; i < PQntuples(r); ++i) {
      rows.emplace_back();
      for (int c = 0; c < PQnfields(r); ++c) {
        if (PQgetisnull(r, i, c))
          rows.back().emplace_back(std::nullopt);
        else
          rows.back().emplace_back(PQgetvalue(r, i, c));
      }
    }
    PQclear(r);
    return rows;
  }
  void exec(const std::string& sql) { query(sql); }
  // The one value of a one-row, one-column query.
  std::string scalar(const std::string& sql) {
    auto rows = query(sql);
    if (rows.size() != 1 || rows[0].size() != 1 || !rows[0][0])
      throw std::runtime_error(sql + ": not one value");
    return *rows[0][0];
  }
  int64_t count(const std::string& table) {
    return std::stoll(scalar("SELECT count(*) FROM " + table));
  }

 private:
  static int free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    ::close(fd);
    return ntohs(addr.sin_port);
  }
  static bool run(const std::string& args) {
    const std::string cmd = std::string(SLUICE_SOURCE_DIR) + "/tools/pg_tmp.sh " + args;
    return std::system(cmd.c_str()) == 0;
  }
  PGconn* connection() {
    if (conn_ && PQstatus(conn_) == CONNECTION_OK) return conn_;
    if (conn_) PQfinish(conn_);
    conn_ = PQconnectdb(dsn().c_str());
    if (PQstatus(conn_) != CONNECTION_OK)
      throw std::runtime_error(std::string("test client: ") + PQerrorMessage(conn_));
    PQclear(PQexec(conn_, "SET TimeZone = 'UTC'"));
    return conn_;
  }

  std::string extra_;
  TempDir dir_{"sluice_pg_"};
  int port_ = 0;
  PGconn* conn_ = nullptr;
};

}  // namespace sluice::testing
