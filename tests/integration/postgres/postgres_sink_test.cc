// The postgres sink against a real PostgreSQL server started for each test: COPY of every
// type, upserts and changelog deletes, auto-create and mismatches, the periodic flush, a
// server restarted mid-stream, and exactly-once with prepared transactions.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <future>
#include <thread>

#include "common/fault_point.h"
#include "connectors/postgres/postgres_connector.h"
#include "connectors/postgres/postgres_sink.h"
#include "connectors/registry.h"
#include "sluice/batch_builder.h"
#include "sluice/database.h"
#include "sql/options.h"
#include "support/pg_server.h"
#include "support/temp_dir.h"

namespace sluice {
namespace {

namespace fs = std::filesystem;

// The postgres connector's registration alone (its spec, for option checks).
const connectors::Registry& registry() {
  static const connectors::Registry* const r = [] {
    auto* made = new connectors::Registry;
    connectors::postgres::register_connector(*made);
    return made;
  }();
  return *r;
}
using namespace std::chrono_literals;
using testing::PgServer;

class PostgresSink : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = tmp_ / "work";  // not created: the code under test makes it
  }

  std::unique_ptr<Database> open(bool durable = false) {
    DatabaseOptions o;
    if (durable) {
      o.data_dir = (dir_ / "data").string();
      o.checkpoint_interval = 3600s;  // only the checkpoints the test asks for
    }
    auto db = Database::open(o);
    EXPECT_TRUE(db.ok()) << db.status().to_string();
    return db.ok() ? std::move(db).value() : nullptr;
  }
  static void exec(Database& db, const std::string& sql) {
    auto r = db.execute(sql);
    ASSERT_TRUE(r.ok()) << r.status().to_string() << "\n" << sql;
  }
  std::string into(const std::string& options) const {
    return "INTO postgres (dsn = '" + pg_.dsn() + "', " + options + ")";
  }
  // Waits (up to `limit`) for a query's single value to become `want`.
  bool eventually(const std::string& sql, const std::string& want,
                  std::chrono::milliseconds limit = 10s) {
    const auto end = std::chrono::steady_clock::now() + limit;
    for (;;) {
      if (pg_.scalar(sql) == want) return true;
      if (std::chrono::steady_clock::now() > end) return false;
      std::this_thread::sleep_for(10ms);
    }
  }

  PgServer pg_;
  sluice::testing::TempDir tmp_{"sluice_pgsink_"};
  fs::path dir_;
};

TEST_F(PostgresSink, AppendsEveryTypeWithNullsAndNonAscii) {
  auto db = open();
  exec(*db,
       "CREATE SOURCE t (b BOOLEAN, i INT, l BIGINT, d DOUBLE, s VARCHAR, ts TIMESTAMP, "
       "iv INTERVAL)");
  exec(*db, "CREATE SINK out FROM t " + into("table = 'everything'"));
  auto t = db->source("t").value();
  ASSERT_TRUE(
      t.push_json(
           R"({"b": true, "i": -7, "l": 9007199254740993, "d": 2.5, "s": "grüße, 東京 🚀", "ts": "2026-11-24T10:00:00.123456Z", "iv": 90061001})"
           "\n"
           R"({"b": null, "i": null, "l": null, "d": null, "s": null, "ts": null, "iv": null})"
           "\n"
           R"({"b": false, "i": 2147483647, "l": -1, "d": -1e-300, "s": "it's \"quoted\"\\", "ts": "1969-07-20T20:17:40Z", "iv": -1})")
          .ok());
  ASSERT_TRUE(db->shutdown().ok());
  // Auto-created with the mapped types.
  auto types = pg_.query(
      "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = "
      "'everything' ORDER BY ordinal_position");
  ASSERT_EQ(types.size(), 7u);
  EXPECT_EQ(*types[0][1], "boolean");
  EXPECT_EQ(*types[1][1], "integer");
  EXPECT_EQ(*types[2][1], "bigint");
  EXPECT_EQ(*types[3][1], "double precision");
  EXPECT_EQ(*types[4][1], "text");
  EXPECT_EQ(*types[5][1], "timestamp with time zone");
  EXPECT_EQ(*types[6][1], "interval");
  auto rows = pg_.query("SELECT b, i, l, d, s, ts, iv FROM everything ORDER BY l NULLS LAST");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(*rows[0][0], "f");
  EXPECT_EQ(*rows[0][1], "2147483647");
  EXPECT_EQ(*rows[0][2], "-1");
  EXPECT_EQ(*rows[0][3], "-1e-300");
  EXPECT_EQ(*rows[0][4], "it's \"quoted\"\\");
  EXPECT_EQ(*rows[0][5], "1969-07-20 20:17:40+00");
  EXPECT_EQ(*rows[0][6], "-00:00:00.001");  // JSON intervals are milliseconds
  EXPECT_EQ(*rows[1][0], "t");
  EXPECT_EQ(*rows[1][1], "-7");
  EXPECT_EQ(*rows[1][2], "9007199254740993");
  EXPECT_EQ(*rows[1][3], "2.5");
  EXPECT_EQ(*rows[1][4], "grüße, 東京 🚀");
  EXPECT_EQ(*rows[1][5], "2026-11-24 10:00:00.123456+00");
  EXPECT_EQ(*rows[1][6], "25:01:01.001");
  for (const auto& v : rows[2]) EXPECT_FALSE(v.has_value());
}

// DECIMAL arrives as numeric(p,s) with its exact digits (binary COPY builds PostgreSQL's
// base-10000 numeric from the decimal text, never from a double), DATE as date.
TEST_F(PostgresSink, DecimalsArriveExactlyAsNumericAndDatesAsDate) {
  auto db = open();
  exec(*db,
       "CREATE SOURCE t (id INT, x DECIMAL(10,1), y DECIMAL(10,1), big DECIMAL(38,2), "
       "f DECIMAL(38,10), d DATE)");
  exec(*db,
       "CREATE STREAM money AS SELECT id, x + y AS s, big, big * 2 AS twice, -big AS neg, f, d, "
       "d + 1 AS next_day FROM t");
  exec(*db, "CREATE SINK out FROM money " + into("table = 'money'"));
  auto t = db->source("t").value();
  ASSERT_TRUE(
      t.push_json(
           R"({"id": 1, "x": 0.1, "y": 0.2, "big": 12345678901234567890.12, "f": 0.0000000001, "d": "2024-01-31"})"
           "\n"
           R"({"id": 2, "x": 0, "y": -0.1, "big": "10000", "f": "100000000.0000000001", "d": "1999-12-31"})"
           "\n"
           R"({"id": 3, "x": 99999999.9, "y": null, "big": 0.01, "f": -9999999999999999999999999999.9999999999, "d": null})"
           "\n"
           R"({"id": 4, "x": 1, "y": 2, "big": 0, "f": 123456789012.3456789, "d": "2000-01-01"})")
          .ok());
  ASSERT_TRUE(db->shutdown().ok());
  auto types = pg_.query(
      "SELECT column_name, data_type, numeric_precision, numeric_scale FROM "
      "information_schema.columns WHERE table_name = 'money' ORDER BY ordinal_position");
  ASSERT_EQ(types.size(), 8u);
  EXPECT_EQ(*types[1][1], "numeric");
  EXPECT_EQ(*types[1][2] + "," + *types[1][3], "11,1");  // DECIMAL(10,1) + DECIMAL(10,1)
  EXPECT_EQ(*types[2][2] + "," + *types[2][3], "38,2");
  EXPECT_EQ(*types[5][2] + "," + *types[5][3], "38,10");
  EXPECT_EQ(*types[6][1], "date");
  auto rows =
      pg_.query("SELECT s, big, twice, neg, f, d, next_day, s = 0.3 FROM money ORDER BY id");
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(*rows[0][0], "0.3");
  EXPECT_EQ(*rows[0][7], "t") << "0.1 + 0.2 is 0.3 exactly";
  EXPECT_EQ(*rows[0][1], "12345678901234567890.12");
  EXPECT_EQ(*rows[0][2], "24691357802469135780.24");
  EXPECT_EQ(*rows[0][3], "-12345678901234567890.12");
  EXPECT_EQ(*rows[0][4], "0.0000000001");
  EXPECT_EQ(*rows[0][5], "2024-01-31");
  EXPECT_EQ(*rows[0][6], "2024-02-01");
  EXPECT_EQ(*rows[1][0], "-0.1");
  EXPECT_EQ(*rows[1][1], "10000.00");
  EXPECT_EQ(*rows[1][4], "100000000.0000000001");
  EXPECT_EQ(*rows[1][5], "1999-12-31");
  EXPECT_FALSE(rows[2][0].has_value());
  EXPECT_EQ(*rows[2][1], "0.01");
  EXPECT_EQ(*rows[2][3], "-0.01");
  EXPECT_EQ(*rows[2][4], "-9999999999999999999999999999.9999999999");
  EXPECT_FALSE(rows[2][5].has_value());
  EXPECT_EQ(*rows[3][0], "3.0");
  EXPECT_EQ(*rows[3][1], "0.00");
  EXPECT_EQ(*rows[3][3], "0.00");
  EXPECT_EQ(*rows[3][4], "123456789012.3456789000");
  EXPECT_EQ(*rows[3][5], "2000-01-01");
  EXPECT_EQ(pg_.scalar("SELECT sum(big) FROM money"), "12345678901234577890.13");
}

TEST_F(PostgresSink, RowsAreVisibleWithinTheFlushIntervalWithoutMoreInput) {
  auto db = open();
  exec(*db, "CREATE SOURCE t (n BIGINT)");
  exec(*db, "CREATE SINK out FROM t " + into("table = 'quick'"));  // flush.interval 250ms
  auto t = db->source("t").value();
  ASSERT_TRUE(t.push_json("{\"n\": 1}\n{\"n\": 2}").ok());
  const auto pushed = std::chrono::steady_clock::now();
  // Far below batch.size (4096): only the periodic flush can deliver them.
  ASSERT_TRUE(eventually("SELECT count(*) FROM quick", "2", 5s));
  const auto took = std::chrono::steady_clock::now() - pushed;
  EXPECT_LT(took, 1500ms) << "the 250 ms flush did not deliver in time";
  ASSERT_TRUE(db->shutdown().ok());
}

TEST_F(PostgresSink, BatchSizeDeliversBeforeTheInterval) {
  auto db = open();
  exec(*db, "CREATE SOURCE t (n BIGINT)");
  exec(*db, "CREATE SINK out FROM t " +
                into("table = 'batched', batch.size = 100, flush.interval = '1h'"));
  auto t = db->source("t").value();
  std::string lines;
  for (int i = 0; i < 250; ++i) lines += "{\"n\": " + std::to_string(i) + "}\n";
  ASSERT_TRUE(t.push_json(lines).ok());
  // At least the first full batches arrive though the interval is an hour.
  const auto end = std::chrono::steady_clock::now() + 10s;
  while (pg_.count("batched") < 200 && std::chrono::steady_clock::now() < end)
    std::this_thread::sleep_for(10ms);
  EXPECT_GE(pg_.count("batched"), 200);
  ASSERT_TRUE(db->shutdown().ok());
  EXPECT_EQ(pg_.count("batched"), 250);  // the rest at close
  EXPECT_EQ(pg_.scalar("SELECT sum(n) FROM batched"), std::to_string(249 * 250 / 2));
}

TEST_F(PostgresSink, UpsertKeepsTheLatestRowPerKey) {
  auto db = open();
  exec(*db, "CREATE SOURCE t (k VARCHAR, v BIGINT)");
  exec(*db,
       "CREATE STREAM totals AS SELECT k, COUNT(*) AS n, SUM(v) AS total FROM t GROUP BY k "
       "EMIT ON UPDATE");
  exec(*db, "CREATE SINK out FROM totals " +
                into("table = 'totals', mode = 'upsert', primary.key = 'k'"));
  auto t = db->source("t").value();
  for (int round = 0; round < 5; ++round) {
    std::string lines;
    for (int i = 0; i < 300; ++i) {
      lines += "{\"k\": \"k" + std::to_string(i % 37) + "\", \"v\": " + std::to_string(i) + "}\n";
    }
    ASSERT_TRUE(t.push_json(lines).ok());
    ASSERT_TRUE(db->flush().ok());
  }
  ASSERT_TRUE(db->shutdown().ok());
  EXPECT_EQ(pg_.count("totals"), 37);
  EXPECT_EQ(pg_.scalar("SELECT sum(n) FROM totals"), "1500");
  EXPECT_EQ(pg_.scalar("SELECT sum(total) FROM totals"), std::to_string(5 * (299 * 300 / 2)));
  EXPECT_EQ(pg_.scalar("SELECT n || ',' || total FROM totals WHERE k = 'k0'"),
            "45," + std::to_string(5 * (0 + 37 + 74 + 111 + 148 + 185 + 222 + 259 + 296)));
  // A primary key was created for the upsert.
  EXPECT_EQ(pg_.scalar("SELECT count(*) FROM pg_index WHERE indrelid = 'totals'::regclass "
                       "AND indisprimary"),
            "1");
}

TEST_F(PostgresSink, ChangelogDeletesRemoveKeys) {
  auto db = open();
  exec(*db, "CREATE SOURCE t (k VARCHAR, v BIGINT)");
  // A key is deleted once its count passes 2 (it stops passing HAVING).
  exec(*db,
       "CREATE STREAM few AS SELECT k, COUNT(*) AS n FROM t GROUP BY k HAVING COUNT(*) <= 2 "
       "EMIT CHANGES");
  exec(*db, "CREATE SINK out FROM few " +
                into("table = 'few', mode = 'upsert', primary.key = 'k', flush.interval = '50ms'"));
  auto t = db->source("t").value();
  ASSERT_TRUE(
      t.push_json("{\"k\":\"a\",\"v\":1}\n{\"k\":\"b\",\"v\":1}\n{\"k\":\"c\",\"v\":1}").ok());
  ASSERT_TRUE(eventually("SELECT count(*) FROM few", "3"));
  ASSERT_TRUE(
      t.push_json("{\"k\":\"a\",\"v\":1}\n{\"k\":\"a\",\"v\":1}\n{\"k\":\"b\",\"v\":1}").ok());
  ASSERT_TRUE(db->shutdown().ok());
  auto rows = pg_.query("SELECT k, n FROM few ORDER BY k");
  ASSERT_EQ(rows.size(), 2u);  // a was deleted
  EXPECT_EQ(*rows[0][0], "b");
  EXPECT_EQ(*rows[0][1], "2");
  EXPECT_EQ(*rows[1][0], "c");
  EXPECT_EQ(*rows[1][1], "1");
  // The _op column is not a table column.
  EXPECT_EQ(pg_.scalar("SELECT count(*) FROM information_schema.columns WHERE table_name = 'few'"),
            "2");
}

TEST_F(PostgresSink, MismatchedTablesAreRefusedAtCreate) {
  pg_.exec("CREATE TABLE narrow (n integer, s text)");
  pg_.exec("CREATE TABLE strict (n bigint, extra text NOT NULL)");
  pg_.exec("CREATE TABLE nokey (k text, n bigint)");
  auto db = open();
  exec(*db, "CREATE SOURCE t (n BIGINT, s VARCHAR)");
  exec(*db, "CREATE SOURCE u (n BIGINT)");
  exec(*db, "CREATE STREAM c AS SELECT s AS k, COUNT(*) AS n FROM t GROUP BY s");

  auto r = db->execute("CREATE SINK a FROM t " + into("table = 'narrow'"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kSchemaMismatch);
  EXPECT_NE(r.status().to_string().find("column \"n\" of table \"public\".\"narrow\" is int4, but "
                                        "the stream's n is BIGINT"),
            std::string::npos)
      << r.status().to_string();

  r = db->execute("CREATE SINK b FROM u " + into("table = 'strict'"));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().to_string().find("\"extra\""), std::string::npos) << r.status().to_string();
  EXPECT_NE(r.status().to_string().find("NOT NULL without a default"), std::string::npos);

  r = db->execute("CREATE SINK c1 FROM t " + into("table = 'absent', auto.create = false"));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().to_string().find("does not exist"), std::string::npos);

  r = db->execute("CREATE SINK d FROM c " +
                  into("table = 'nokey', mode = 'upsert', primary.key = 'k'"));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().to_string().find("no primary key or unique index on exactly (\"k\")"),
            std::string::npos)
      << r.status().to_string();

  r = db->execute("CREATE SINK e FROM c " + into("table = 'x', mode = 'upsert'"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kSqlInvalidOption);
  EXPECT_NE(r.status().to_string().find("needs primary.key"), std::string::npos);

  r = db->execute("CREATE SINK f FROM c " +
                  into("table = 'x', mode = 'upsert', primary.key = 'nope'"));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().to_string().find("'nope' is not a column of the input"), std::string::npos);

  r = db->execute(
      "CREATE SINK g FROM t INTO postgres (host = '127.0.0.1', port = 1, "
      "table = 'x', connect.timeout = '2s')");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kUnavailable);
  EXPECT_NE(r.status().to_string().find("cannot connect"), std::string::npos);
  // None of the refused sinks exists.
  EXPECT_FALSE(db->sink_metrics("a").ok());
  ASSERT_TRUE(db->shutdown().ok());
}

TEST_F(PostgresSink, NamesAreQuotedNotInjected) {
  auto db = open();
  exec(*db, "CREATE SOURCE t (\"Mixed Case\" BIGINT, \"semi;colon\" VARCHAR)");
  exec(*db, "CREATE SINK out FROM t " +
                into("schema = 'Odd Schema', table = 'x\"; DROP TABLE victim; --'"));
  pg_.exec("CREATE TABLE victim (n int)");
  auto t = db->source("t").value();
  ASSERT_TRUE(t.push_json(R"({"Mixed Case": 1, "semi;colon": "ok"})").ok());
  ASSERT_TRUE(db->shutdown().ok());
  EXPECT_EQ(pg_.count("\"Odd Schema\".\"x\"\"; DROP TABLE victim; --\""), 1);
  EXPECT_EQ(pg_.count("victim"), 0);  // still there
}

TEST_F(PostgresSink, AServerRestartMidStreamLosesNothing) {
  auto db = open();
  exec(*db, "CREATE SOURCE t (n BIGINT)");
  exec(*db, "CREATE SINK out FROM t " +
                into("table = 'survivor', batch.size = 50, flush.interval = '20ms'"));
  auto t = db->source("t").value();
  auto push_range = [&](int from, int to) {
    for (int i = from; i < to; ++i)
      ASSERT_TRUE(t.push_json("{\"n\": " + std::to_string(i) + "}").ok());
  };
  push_range(0, 500);
  ASSERT_TRUE(eventually("SELECT count(*) FROM survivor", "500"));
  pg_.stop();
  push_range(500, 1000);  // buffered, retried while the server is down
  std::this_thread::sleep_for(500ms);
  pg_.start();
  push_range(1000, 1500);
  ASSERT_TRUE(db->shutdown().ok());
  // At-least-once: every row is there; a batch in flight at the stop may be there twice.
  EXPECT_EQ(pg_.scalar("SELECT count(DISTINCT n) FROM survivor"), "1500");
  EXPECT_EQ(pg_.scalar("SELECT min(n) || ',' || max(n) FROM survivor"), "0,1499");
}

TEST_F(PostgresSink, ARejectedRowFailsTheSinkWithTheServersReason) {
  pg_.exec("CREATE TABLE checked (n bigint CHECK (n < 100))");
  auto db = open();
  exec(*db, "CREATE SOURCE t (n BIGINT)");
  exec(*db, "CREATE SINK out FROM t " +
                into("table = 'checked', flush.interval = '20ms', retry.backoff = '10ms'"));
  auto t = db->source("t").value();
  ASSERT_TRUE(t.push_json("{\"n\": 1}").ok());
  ASSERT_TRUE(eventually("SELECT count(*) FROM checked", "1"));
  ASSERT_TRUE(t.push_json("{\"n\": 500}").ok());
  // The delivery keeps failing; the next write cannot be taken, is retried, and fails.
  const auto end = std::chrono::steady_clock::now() + 10s;
  while (db->status().ok() && std::chrono::steady_clock::now() < end) {
    (void)t.push_json("{\"n\": 2}");
    std::this_thread::sleep_for(20ms);
  }
  const Status s = db->status();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), ErrorCode::kRejected) << s.to_string();
  EXPECT_NE(s.to_string().find("violates check constraint"), std::string::npos) << s.to_string();
  EXPECT_NE(s.to_string().find("SQLSTATE 23514"), std::string::npos) << s.to_string();
  EXPECT_EQ(db->sink_metrics("out")->state, "failed");
  (void)db->shutdown();
  EXPECT_EQ(pg_.count("checked"), 1);  // the accepted row stays; nothing half-written
}

TEST_F(PostgresSink, AServerDownLongerThanWriteTimeoutFailsTheSink) {
  auto db = open();
  exec(*db, "CREATE SOURCE t (n BIGINT)");
  exec(*db, "CREATE SINK out FROM t " +
                into("table = 'gone', flush.interval = '20ms', write.timeout = '1s', "
                     "retry.max = 1, retry.backoff = '10ms'"));
  auto t = db->source("t").value();
  ASSERT_TRUE(t.push_json("{\"n\": 1}").ok());
  ASSERT_TRUE(eventually("SELECT count(*) FROM gone", "1"));
  pg_.stop();
  const auto end = std::chrono::steady_clock::now() + 30s;
  while (db->status().ok() && std::chrono::steady_clock::now() < end) {
    (void)t.push_json("{\"n\": 2}");
    std::this_thread::sleep_for(50ms);
  }
  const Status s = db->status();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), ErrorCode::kUnavailable) << s.to_string();
  EXPECT_NE(s.to_string().find("after write.timeout (1000 ms)"), std::string::npos)
      << s.to_string();
  (void)db->shutdown();
}

TEST_F(PostgresSink, StatementTimeoutCancelsAWaitingCopy) {
  pg_.exec("CREATE TABLE locked (n bigint)");
  auto db = open();
  exec(*db, "CREATE SOURCE t (n BIGINT)");
  exec(*db, "CREATE SINK out FROM t " +
                into("table = 'locked', flush.interval = '20ms', statement.timeout = '200ms', "
                     "retry.max = 1, retry.backoff = '10ms'"));
  pg_.exec("BEGIN");
  pg_.exec("LOCK TABLE locked IN ACCESS EXCLUSIVE MODE");  // held by the test's session
  auto t = db->source("t").value();
  const auto end = std::chrono::steady_clock::now() + 20s;
  while (db->status().ok() && std::chrono::steady_clock::now() < end) {
    (void)t.push_json("{\"n\": 1}");
    std::this_thread::sleep_for(50ms);
  }
  pg_.exec("COMMIT");
  const Status s = db->status();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), ErrorCode::kTimeout) << s.to_string();
  EXPECT_NE(s.to_string().find("statement timeout"), std::string::npos) << s.to_string();
  (void)db->shutdown();
}

TEST_F(PostgresSink, ExactlyOnceRowsAppearAtCommitOnly) {
  auto db = open(true);
  exec(*db, "CREATE SOURCE t (n BIGINT) WITH (durable = true)");
  exec(*db, "CREATE SINK out FROM t " +
                into("table = 'eo', delivery = 'exactly-once', flush.interval = '20ms', "
                     "batch.size = 10"));
  auto t = db->source("t").value();
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(t.push_json("{\"n\": " + std::to_string(i) + "}").ok());
  ASSERT_TRUE(db->flush().ok());
  std::this_thread::sleep_for(200ms);  // flushes went into the epoch's transaction
  EXPECT_EQ(pg_.count("eo"), 0);
  ASSERT_TRUE(db->checkpoint().ok());
  EXPECT_EQ(pg_.count("eo"), 100);
  EXPECT_EQ(pg_.scalar("SELECT count(*) FROM pg_prepared_xacts"), "0");
  for (int i = 100; i < 150; ++i)
    ASSERT_TRUE(t.push_json("{\"n\": " + std::to_string(i) + "}").ok());
  ASSERT_TRUE(db->shutdown().ok());  // the last epoch commits at shutdown
  EXPECT_EQ(pg_.count("eo"), 150);
  EXPECT_EQ(pg_.scalar("SELECT count(DISTINCT n) FROM eo"), "150");
}

TEST_F(PostgresSink, ExactlyOnceUpsertOverManyEpochs) {
  auto db = open(true);
  exec(*db, "CREATE SOURCE t (k VARCHAR, v BIGINT) WITH (durable = true)");
  exec(*db,
       "CREATE STREAM totals AS SELECT k, COUNT(*) AS n, SUM(v) AS total FROM t GROUP BY k "
       "EMIT CHANGES");
  exec(*db, "CREATE SINK out FROM totals " +
                into("table = 'eo_totals', mode = 'upsert', primary.key = 'k', "
                     "delivery = 'exactly-once', batch.size = 7"));
  auto t = db->source("t").value();
  for (int round = 0; round < 20; ++round) {
    std::string lines;
    for (int i = 0; i < 50; ++i)
      lines += "{\"k\": \"k" + std::to_string(i % 11) + "\", \"v\": 1}\n";
    ASSERT_TRUE(t.push_json(lines).ok());
    // Back-to-back checkpoints update the same keys each epoch. (A cut does not wait for
    // queued input; flush first so the epoch holds this round.)
    ASSERT_TRUE(db->flush().ok());
    ASSERT_TRUE(db->checkpoint().ok());
    EXPECT_EQ(pg_.scalar("SELECT sum(n) FROM eo_totals"), std::to_string(50 * (round + 1)));
  }
  ASSERT_TRUE(db->shutdown().ok());
  EXPECT_EQ(pg_.count("eo_totals"), 11);
}

// Twice: with the epoch's sent rows kept in memory, and spilled to a temporary file as they go
// (resend.memory = 0).
class PostgresSinkResend : public PostgresSink, public ::testing::WithParamInterface<int> {};

TEST_P(PostgresSinkResend, ExactlyOnceResendsTheEpochAfterARestart) {
  auto db = open(true);
  exec(*db, "CREATE SOURCE t (n BIGINT) WITH (durable = true)");
  exec(*db, "CREATE SINK out FROM t " +
                into("table = 'eo_restart', delivery = 'exactly-once', flush.interval = '20ms', "
                     "batch.size = 10, resend.memory = " +
                     std::to_string(GetParam())));
  auto t = db->source("t").value();
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(t.push_json("{\"n\": " + std::to_string(i) + "}").ok());
  ASSERT_TRUE(db->flush().ok());
  ASSERT_TRUE(db->checkpoint().ok());
  for (int i = 100; i < 200; ++i)
    ASSERT_TRUE(t.push_json("{\"n\": " + std::to_string(i) + "}").ok());
  ASSERT_TRUE(db->flush().ok());
  std::this_thread::sleep_for(100ms);  // some of the epoch is in its transaction
  pg_.stop();                          // which dies with the connection
  for (int i = 200; i < 300; ++i)
    ASSERT_TRUE(t.push_json("{\"n\": " + std::to_string(i) + "}").ok());
  std::this_thread::sleep_for(300ms);
  pg_.start();
  ASSERT_TRUE(db->flush().ok());
  ASSERT_TRUE(db->checkpoint().ok()) << db->status().to_string();
  EXPECT_EQ(pg_.count("eo_restart"), 300);
  EXPECT_EQ(pg_.scalar("SELECT count(DISTINCT n) FROM eo_restart"), "300");
  ASSERT_TRUE(db->shutdown().ok());
  EXPECT_EQ(pg_.count("eo_restart"), 300);
}

INSTANTIATE_TEST_SUITE_P(InMemoryAndSpilled, PostgresSinkResend, ::testing::Values(16 << 20, 0));

// The connector alone, call by call: a prepared epoch survives the server's restart, and the
// commit that comes after it (on a new connection) still makes exactly its rows visible.
TEST_F(PostgresSink, APreparedEpochCommitsAfterAServerRestart) {
  const std::vector<sql::Option> given = {
      {"dsn", pg_.dsn(), {}}, {"table", "eo_prepared", {}}, {"delivery", "exactly-once", {}}};
  auto options =
      sql::validate_sink_options(given, *registry().find_sink("postgres"), "sink 'direct'");
  ASSERT_TRUE(options.ok()) << options.status().to_string();
  sql::SinkDef def;
  def.name = "direct";
  def.connector = "postgres";
  def.options = *options;
  auto made = connectors::postgres::make_postgres_sink(def);
  ASSERT_TRUE(made.ok()) << made.status().to_string();
  auto& sink = **made;
  const SchemaPtr schema = make_schema({{"n", DataType::kInt64}});
  ASSERT_TRUE(sink.open(sink::SinkContext{"direct", schema, 5000ms, true}).ok());
  auto rows = [&](int64_t first, int count) {
    BatchBuilder b(schema);
    for (int64_t i = first; i < first + count; ++i) b.column(0).append_int64(i);
    return b.finish();
  };
  ASSERT_TRUE(sink.begin_epoch(1).ok());
  ASSERT_TRUE(sink.write(rows(0, 10)).ok());
  ASSERT_TRUE(sink.flush().ok());
  ASSERT_TRUE(sink.pre_commit(1).ok());
  ASSERT_TRUE(sink.begin_epoch(2).ok());
  ASSERT_TRUE(sink.write(rows(10, 5)).ok());  // waits while epoch 1 is prepared
  EXPECT_EQ(pg_.count("eo_prepared"), 0);
  pg_.stop();
  pg_.start();
  EXPECT_EQ(pg_.scalar("SELECT count(*) FROM pg_prepared_xacts"), "1");
  ASSERT_TRUE(sink.commit(1).ok());
  EXPECT_EQ(pg_.count("eo_prepared"), 10);
  ASSERT_TRUE(sink.pre_commit(2).ok());
  ASSERT_TRUE(sink.commit(2).ok());
  EXPECT_EQ(pg_.count("eo_prepared"), 15);
  EXPECT_EQ(pg_.scalar("SELECT count(DISTINCT n) FROM eo_prepared"), "15");
  EXPECT_EQ(pg_.scalar("SELECT count(*) FROM pg_prepared_xacts"), "0");
  ASSERT_TRUE(sink.close().ok());
}

TEST_F(PostgresSink, DroppingAnExactlyOnceSinkLeavesNoPreparedTransaction) {
  DatabaseOptions o;
  o.data_dir = (dir_ / "data").string();
  o.checkpoint_interval = 5ms;  // a checkpoint is nearly always in flight
  auto db = Database::open(o).value();
  exec(*db, "CREATE SOURCE t (n BIGINT) WITH (durable = true)");
  auto t = db->source("t").value();
  for (int round = 0; round < 5; ++round) {
    const std::string name = "out" + std::to_string(round);
    exec(*db, "CREATE SINK " + name + " FROM t " +
                  into("table = 'dropped', delivery = 'exactly-once', flush.interval = '5ms'"));
    for (int i = 0; i < 200; ++i)
      ASSERT_TRUE(t.push_json("{\"n\": " + std::to_string(i) + "}").ok());
    exec(*db, "DROP SINK " + name);
    EXPECT_EQ(pg_.scalar("SELECT count(*) FROM pg_prepared_xacts"), "0") << "round " << round;
  }
  ASSERT_TRUE(db->shutdown().ok());
}

TEST_F(PostgresSink, InDoubtTransactionsAreResolvedOnRecovery) {
  const std::string declare =
      "CREATE SOURCE t (n BIGINT) WITH (durable = true);"
      "CREATE SINK out FROM t " +
      into("table = 'doubt', delivery = 'exactly-once'");
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // Dies between PREPARE and COMMIT PREPARED of its second checkpoint.
    arm_fault_point("before_commit:2");
    auto db = open(true);
    if (!db || !db->declare(declare).ok()) ::_exit(2);
    auto t = db->source("t").value();
    for (int i = 0; i < 100; ++i) {
      if (!t.push_json("{\"n\": " + std::to_string(i) + "}").ok()) ::_exit(3);
      if (i % 50 == 49 && db->flush().ok()) (void)db->checkpoint();
    }
    ::_exit(4);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the child was to be killed at the fault point";
  EXPECT_EQ(pg_.count("doubt"), 50);
  EXPECT_EQ(pg_.scalar("SELECT count(*) FROM pg_prepared_xacts"), "1");
  auto db = open(true);
  ASSERT_TRUE(db->declare(declare).ok());
  // The manifest of the second checkpoint was written: recovery commits it.
  EXPECT_EQ(pg_.count("doubt"), 100);
  EXPECT_EQ(pg_.scalar("SELECT count(*) FROM pg_prepared_xacts"), "0");
  ASSERT_TRUE(db->shutdown().ok());
  EXPECT_EQ(pg_.scalar("SELECT count(DISTINCT n) FROM doubt"), "100");
}

TEST(PostgresSinkServer, ExactlyOnceNeedsPreparedTransactions) {
  PgServer pg("-c max_prepared_transactions=0");
  const sluice::testing::TempDir tmp("sluice_pgsink_nopx_");
  const fs::path dir = tmp / "work";
  DatabaseOptions o;
  o.data_dir = (dir / "data").string();
  auto db = Database::open(o);
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE((*db)->execute("CREATE SOURCE t (n BIGINT) WITH (durable = true)").ok());
  auto r = (*db)->execute("CREATE SINK out FROM t INTO postgres (dsn = '" + pg.dsn() +
                          "', table = 'x', delivery = 'exactly-once')");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kUnsupported);
  EXPECT_NE(r.status().to_string().find("max_prepared_transactions = 0"), std::string::npos)
      << r.status().to_string();
  ASSERT_TRUE((*db)->shutdown().ok());
}

}  // namespace
}  // namespace sluice

namespace sluice {
namespace {

// A TCP port that takes connections (the kernel's backlog) and never answers: a server that
// hangs. The sink's connect then lasts its whole connect.timeout.
class SilentServer {
 public:
  SilentServer() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), len) != 0 || ::listen(fd_, 16) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      ADD_FAILURE() << "cannot listen on loopback";
    }
    port_ = ntohs(addr.sin_port);
  }
  ~SilentServer() { ::close(fd_); }
  // A CREATE SINK that connects here, giving up after 2 s.
  std::string create_sink(const std::string& name) const {
    return "CREATE SINK " + name + " FROM t INTO postgres (host = '127.0.0.1', port = '" +
           std::to_string(port_) +
           "', dbname = 'x', user = 'x', table = 'out', connect.timeout = '2s')";
  }

 private:
  int fd_ = -1;
  int port_ = 0;
};

// CREATE SINK opens its connector on the sink's own thread: while a hanging server holds the
// open for its connect.timeout, the pipeline goes on serving pushes, subscribers, SHOW SINKS
// and a CHECKPOINT (which waits for the sink to settle); then the CREATE fails cleanly.
TEST(PostgresSinkOpening, AHangingServerStallsOnlyItsOwnCreate) {
  SilentServer silent;
  const sluice::testing::TempDir tmp("sluice_pgopen_");
  const fs::path dir = tmp / "work";
  DatabaseOptions o;
  o.data_dir = (dir / "data").string();
  o.checkpoint_interval = 50ms;  // periodic cuts keep coming; they must skip, not block
  auto db = std::move(Database::open(o)).value();
  ASSERT_TRUE(db->execute("CREATE SOURCE t (n BIGINT) WITH (durable = true);"
                          "CREATE STREAM doubled AS SELECT n * 2 AS n2 FROM t")
                  .ok());
  auto sub = db->subscribe("doubled").value();
  auto t = db->source("t").value();

  const auto start = std::chrono::steady_clock::now();
  auto create =
      std::async(std::launch::async, [&] { return db->execute(silent.create_sink("out")); });
  // Wait until the sink is there, opening.
  std::string state;
  while (state != "opening" && std::chrono::steady_clock::now() - start < 1500ms) {
    auto m = db->sink_metrics("out");
    if (m.ok()) state = m->state;
    std::this_thread::sleep_for(5ms);
  }
  ASSERT_EQ(state, "opening");
  // The pipeline keeps going meanwhile.
  ASSERT_TRUE(t.push_json("{\"n\": 21}").ok());
  auto got = sub.recv_for(1s);
  ASSERT_TRUE(got.ok()) << got.status().to_string();
  EXPECT_EQ(got->column(0).int64_value(0), 42);
  auto shown = db->execute("SHOW SINKS");
  ASSERT_TRUE(shown.ok());
  EXPECT_EQ(shown->rows.num_rows(), 1);
  auto drop = db->execute("DROP SINK out");
  EXPECT_EQ(drop.status().code(), ErrorCode::kInvalidArgument) << drop.status().to_string();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1800ms) << "the calls above waited";
  // A checkpoint asked for now is cut once the sink settled.
  auto checkpoint = std::async(std::launch::async, [&] { return db->checkpoint(); });

  auto created = create.get();
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.status().code(), ErrorCode::kUnavailable) << created.status().to_string();
  EXPECT_NE(created.status().to_string().find("sink 'out'"), std::string::npos)
      << created.status().to_string();
  EXPECT_GE(std::chrono::steady_clock::now() - start, 1900ms) << "connect.timeout not honoured?";
  auto epoch = checkpoint.get();
  ASSERT_TRUE(epoch.ok()) << epoch.status().to_string();
  EXPECT_EQ(db->execute("SHOW SINKS")->rows.num_rows(), 0) << "nothing half-created";
  ASSERT_TRUE(db->shutdown().ok());
  db.reset();

  // The failed CREATE left nothing in the catalog log: the database opens again.
  auto again = Database::open(o);
  ASSERT_TRUE(again.ok()) << again.status().to_string();
  EXPECT_FALSE((*again)->sink_metrics("out").ok());
  ASSERT_TRUE((*again)->shutdown().ok());
}

// Shutdown while a sink is still opening: the CREATE SINK fails, and the sink is not left in
// the catalog log half-created.
TEST(PostgresSinkOpening, ShutdownUndoesASinkStillOpening) {
  SilentServer silent;
  const sluice::testing::TempDir tmp("sluice_pgopen_stop_");
  const fs::path dir = tmp / "work";
  DatabaseOptions o;
  o.data_dir = (dir / "data").string();
  auto db = std::move(Database::open(o)).value();
  ASSERT_TRUE(db->execute("CREATE SOURCE t (n BIGINT) WITH (durable = true)").ok());
  auto create =
      std::async(std::launch::async, [&] { return db->execute(silent.create_sink("out")); });
  const auto start = std::chrono::steady_clock::now();
  while (!db->sink_metrics("out").ok() && std::chrono::steady_clock::now() - start < 1500ms)
    std::this_thread::sleep_for(5ms);
  ASSERT_TRUE(db->sink_metrics("out").ok());
  ASSERT_TRUE(db->shutdown().ok());
  EXPECT_FALSE(create.get().ok());
  db.reset();
  auto again = Database::open(o);
  ASSERT_TRUE(again.ok()) << again.status().to_string();
  EXPECT_FALSE((*again)->sink_metrics("out").ok());
  EXPECT_TRUE((*again)->execute("CREATE SINK out FROM t INTO blackhole").ok())
      << "the name is free again";
  ASSERT_TRUE((*again)->shutdown().ok());
}

}  // namespace
}  // namespace sluice
