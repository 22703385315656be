// Secrets of the postgres sink against a real server: a role that needs its password, given
// as ${env:NAME} (resolved at open, stored nowhere, resolved again at a restart) or written
// out; whatever the form, EXPLAIN, SHOW SINKS, the graph JSON, errors and the catalog log never
// hold the password. And an error of the sink names the sink once.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "sluice/database.h"
#include "support/pg_server.h"
#include "support/temp_dir.h"

namespace sluice {
namespace {

using namespace std::chrono_literals;
using testing::PgServer;

constexpr const char* kPassword = "Hunter2-pg-secret";

class PostgresSecrets : public ::testing::Test {
 protected:
  void SetUp() override {
    // A role that must give its password (scram) over TCP; everyone else keeps trust.
    pg_.exec(std::string("CREATE ROLE app LOGIN SUPERUSER PASSWORD '") + kPassword + "'");
    const std::string hba = pg_.scalar("SHOW hba_file");
    pg_.exec(
        "COPY (VALUES ('local all all trust'), ('host all app 127.0.0.1/32 scram-sha-256'), "
        "('host all all 127.0.0.1/32 trust')) TO '" +
        hba + "'");
    pg_.scalar("SELECT pg_reload_conf()");
    ::setenv("SLUICE_TEST_PG_PASSWORD", kPassword, 1);
    ::unsetenv("SLUICE_TEST_PG_UNSET");
  }
  std::string app(const std::string& password_option) const {
    return "INTO postgres (host = '127.0.0.1', port = '" + std::to_string(pg_.port()) +
           "', dbname = 'postgres', user = 'app', " + password_option +
           ", table = 'out', flush.interval = '20ms')";
  }
  // Everything the database shows about its pipeline.
  static std::string shown(Database& db) {
    std::string out;
    for (const char* sql :
         {"EXPLAIN out", "EXPLAIN t", "SHOW SINKS", "SHOW PIPELINE", "DESCRIBE out"}) {
      auto r = db.execute(sql);
      EXPECT_TRUE(r.ok()) << sql << ": " << r.status().to_string();
      if (r.ok()) out += r->rows.to_string(INT64_MAX);
    }
    auto json = db.graph_json();
    EXPECT_TRUE(json.ok());
    if (json.ok()) out += *json;
    return out;
  }
  bool eventually_rows(int64_t want) {
    const auto end = std::chrono::steady_clock::now() + 10s;
    for (;;) {
      if (pg_.scalar("SELECT count(*) FROM information_schema.tables WHERE table_name = 'out'") ==
              "1" &&
          pg_.count("out") == want)
        return true;
      if (std::chrono::steady_clock::now() > end) return false;
      std::this_thread::sleep_for(10ms);
    }
  }

  PgServer pg_;
  sluice::testing::TempDir tmp_{"sluice_pgsecret_"};
};

TEST_F(PostgresSecrets, EnvironmentReferenceResolvesAtOpenAndAgainAtRestart) {
  DatabaseOptions o;
  o.data_dir = (tmp_ / "data").string();
  const std::string script =
      "CREATE SOURCE t (n BIGINT) WITH (durable = true);\nCREATE SINK out FROM t " +
      app("password = '${env:SLUICE_TEST_PG_PASSWORD}'");
  {
    auto db = Database::open(o).value();
    auto created = db->declare(script);
    ASSERT_TRUE(created.ok()) << created.status().to_string();
    ASSERT_TRUE(db->source("t")->push_json("{\"n\": 1}").ok());
    ASSERT_TRUE(eventually_rows(1));
    const std::string all = shown(*db);
    EXPECT_NE(all.find("password=${env:SLUICE_TEST_PG_PASSWORD}"), std::string::npos) << all;
    EXPECT_EQ(all.find(kPassword), std::string::npos) << all;
    ASSERT_TRUE(db->shutdown().ok());
  }
  // The catalog log keeps the statement as written: the reference, not the secret.
  std::string stored;
  for (const auto& e : std::filesystem::recursive_directory_iterator(tmp_ / "data")) {
    if (!e.is_regular_file()) continue;
    std::ifstream in(e.path(), std::ios::binary);
    stored += std::string(std::istreambuf_iterator<char>(in), {});
  }
  EXPECT_NE(stored.find("${env:SLUICE_TEST_PG_PASSWORD}"), std::string::npos);
  EXPECT_EQ(stored.find(kPassword), std::string::npos) << "no file of the data_dir holds it";
  {
    // A restart reads the environment again.
    auto db = Database::open(o).value();
    ASSERT_TRUE(db->declare(script).ok());
    ASSERT_TRUE(db->source("t")->push_json("{\"n\": 2}").ok());
    ASSERT_TRUE(eventually_rows(2));
    ASSERT_TRUE(db->shutdown().ok());
  }
  // (A restart without the variable cannot open the sink; that Database::open returns such an
  // error promptly is issue 14's item 3, tested with it.)
}

TEST_F(PostgresSecrets, AnUnsetVariableFailsCreateSinkNamingIt) {
  auto db = Database::open().value();
  ASSERT_TRUE(db->execute("CREATE SOURCE t (n BIGINT)").ok());
  auto r = db->execute("CREATE SINK out FROM t " + app("password = '${env:SLUICE_TEST_PG_UNSET}'"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kSqlInvalidOption);
  EXPECT_NE(r.status().to_string().find(
                "sink 'out': option 'password' names environment variable SLUICE_TEST_PG_UNSET"),
            std::string::npos)
      << r.status().to_string();
}

TEST_F(PostgresSecrets, WrittenOutPasswordsAreShownNowhere) {
  auto db = Database::open().value();
  ASSERT_TRUE(db->execute("CREATE SOURCE t (n BIGINT)").ok());
  auto created =
      db->execute("CREATE SINK out FROM t " + app(std::string("password = '") + kPassword + "'"));
  ASSERT_TRUE(created.ok()) << created.status().to_string();
  // The DSN forms: a URI with the password, and the keyword form.
  created = db->execute(
      "CREATE SINK uri FROM t INTO postgres (dsn = 'postgresql://app:" + std::string(kPassword) +
      "@127.0.0.1:" + std::to_string(pg_.port()) + "/postgres', table = 'out_uri')");
  ASSERT_TRUE(created.ok()) << created.status().to_string();
  created = db->execute("CREATE SINK kw FROM t INTO postgres (dsn = 'host=127.0.0.1 port=" +
                        std::to_string(pg_.port()) + " user=app password=" + kPassword +
                        " dbname=postgres', table = 'out_kw')");
  ASSERT_TRUE(created.ok()) << created.status().to_string();
  ASSERT_TRUE(db->source("t")->push_json("{\"n\": 1}").ok());
  ASSERT_TRUE(eventually_rows(1));
  std::string all = shown(*db);
  for (const char* sink : {"EXPLAIN uri", "EXPLAIN kw"}) {
    auto r = db->execute(sink);
    ASSERT_TRUE(r.ok());
    all += r->rows.to_string(INT64_MAX);
  }
  EXPECT_NE(all.find("password=***"), std::string::npos) << all;
  EXPECT_NE(all.find("postgresql://app:***@127.0.0.1"), std::string::npos) << all;
  EXPECT_EQ(all.find(kPassword), std::string::npos) << all;

  // Errors about statements holding it: a syntax error, an unknown option, a refused login.
  for (const std::string& bad :
       {"CREATE SINK x FROM t INTO postgres (password '" + std::string(kPassword) + "')",
        "CREATE SINK x FROM t INTO postgres (password = '" + std::string(kPassword) +
            "', tabel = 'x')",
        "CREATE SINK x FROM t " + app("password = 'wrong-Hunter2-pg-secret'")}) {
    auto r = db->execute(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().to_string().find("Hunter2"), std::string::npos) << r.status().to_string();
    EXPECT_EQ(db->redact(bad).find("Hunter2"), std::string::npos) << db->redact(bad);
  }
  ASSERT_TRUE(db->shutdown().ok());
}

// How many times `what` occurs in `text`.
size_t occurrences(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST_F(PostgresSecrets, ARejectedExactlyOnceEpochNamesItsSinkOnce) {
  pg_.exec("CREATE TABLE checked (n bigint CHECK (n < 100))");
  DatabaseOptions o;
  o.data_dir = (tmp_ / "eo").string();
  o.checkpoint_interval = 3600s;
  auto db = Database::open(o).value();
  ASSERT_TRUE(db->execute("CREATE SOURCE t (n BIGINT) WITH (durable = true)").ok());
  auto created = db->execute(
      "CREATE SINK pg FROM t INTO postgres (dsn = '" + pg_.dsn() +
      "', table = 'checked', delivery = 'exactly-once', batch.size = 1, retry.max = 0)");
  ASSERT_TRUE(created.ok()) << created.status().to_string();
  ASSERT_TRUE(db->source("t")->push_json("{\"n\": 500}").ok());
  const Status failed = db->wait_for_failure(30s);
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.to_string().find("violates check constraint"), std::string::npos)
      << failed.to_string();
  EXPECT_EQ(occurrences(failed.to_string(), "sink 'pg'"), 1u) << failed.to_string();
  (void)db->shutdown();
}

}  // namespace
}  // namespace sluice
