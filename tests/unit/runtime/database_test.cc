#include "sluice/database.h"

#include "support/temp_dir.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

namespace sluice {
namespace {

using namespace std::chrono_literals;

double process_cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

std::unique_ptr<Database> open_db() {
  auto db = Database::open();
  EXPECT_TRUE(db.ok()) << db.status().to_string();
  return std::move(db).value();
}

void exec(Database& db, std::string_view sql) {
  auto r = db.execute(sql);
  ASSERT_TRUE(r.ok()) << r.status().to_string() << "\n" << sql;
}

int64_t total_rows(Subscription& sub, std::chrono::milliseconds wait = 2000ms) {
  int64_t rows = 0;
  for (;;) {
    auto b = sub.recv_for(wait);
    if (!b.ok()) return rows;
    rows += b->num_rows();
  }
}

TEST(Database, IdleEngineWithTenBlockedSubscribersUsesAlmostNoCpu) {
  auto db = open_db();
  exec(*db, "CREATE SOURCE t (n BIGINT); CREATE STREAM s AS SELECT n FROM t");
  std::vector<Subscription> subs;
  for (int i = 0; i < 10; ++i) subs.push_back(db->subscribe("s").value());
  std::vector<std::thread> waiters;
  std::atomic<int> woke{0};
  for (auto& sub : subs) {
    waiters.emplace_back([&] {
      auto b = sub.recv();  // blocks until shutdown
      EXPECT_FALSE(b.ok());
      ++woke;
    });
  }
  std::this_thread::sleep_for(100ms);  // let everyone fall asleep
  const double before = process_cpu_seconds();
  std::this_thread::sleep_for(1s);
  const double used = process_cpu_seconds() - before;
  EXPECT_LT(used, 0.020) << "idle engine + 10 waiting subscribers used " << used * 1000
                         << " ms CPU in 1 s";
  const auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(db->shutdown().ok());
  for (auto& t : waiters) t.join();
  EXPECT_EQ(woke.load(), 10);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s) << "shutdown must wake recv() at once";
}

TEST(Database, RecvReturnsAfterAPushAndCarriesTheRows) {
  auto db = open_db();
  exec(*db, "CREATE SOURCE t (n BIGINT); CREATE STREAM doubled AS SELECT n * 2 AS n2 FROM t");
  auto sub = db->subscribe("doubled").value();
  std::thread pusher([&] {
    std::this_thread::sleep_for(50ms);
    EXPECT_TRUE(db->source("t")->push_json("{\"n\":21}\n{\"n\":1}").ok());
  });
  auto b = sub.recv();
  pusher.join();
  ASSERT_TRUE(b.ok()) << b.status().to_string();
  ASSERT_EQ(b->num_rows(), 2);
  EXPECT_EQ(b->column(0).int64_value(0), 42);
  EXPECT_FALSE(sub.poll().has_value());
}

TEST(Database, RecvForHonoursItsDeadline) {
  auto db = open_db();
  exec(*db, "CREATE SOURCE t (n BIGINT)");
  auto sub = db->subscribe("t").value();
  const auto start = std::chrono::steady_clock::now();
  auto b = sub.recv_for(50ms);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.status().code(), ErrorCode::kTimeout);
  EXPECT_GE(elapsed, 50ms);
  EXPECT_LT(elapsed, 300ms);
}

TEST(Database, CloseWakesAWaitingRecv) {
  auto db = open_db();
  exec(*db, "CREATE SOURCE t (n BIGINT)");
  auto sub = db->subscribe("t").value();
  std::atomic<bool> returned{false};
  std::thread waiter([&] {
    EXPECT_EQ(sub.recv().status().code(), ErrorCode::kClosed);
    returned = true;
  });
  std::this_thread::sleep_for(50ms);
  EXPECT_FALSE(returned.load());
  sub.close();
  waiter.join();
  EXPECT_TRUE(returned.load());
}

TEST(Database, ShutdownDrainsEveryAcceptedRow) {
  auto db = open_db();
  exec(*db, "CREATE SOURCE t (n BIGINT); CREATE STREAM s AS SELECT n FROM t WHERE n >= 0");
  SubscribeOptions big;
  big.capacity = 10000;
  auto sub = db->subscribe("s", big).value();
  auto src = db->source("t").value();
  for (int i = 0; i < 500; ++i) {
    ASSERT_TRUE(src.push_json("{\"n\":" + std::to_string(i) + "}").ok());
  }
  ASSERT_TRUE(db->shutdown().ok());
  EXPECT_EQ(total_rows(sub), 500);
  EXPECT_EQ(src.push_json("{\"n\":1}").code(), ErrorCode::kClosed);
}

TEST(Database, ManyThreadsPushEveryRowOnce) {
  auto db = open_db();
  exec(*db,
       "CREATE SOURCE t (n BIGINT); CREATE MATERIALIZED VIEW c AS SELECT COUNT(*) AS rows, SUM(n) "
       "AS total FROM t");
  std::vector<std::thread> pushers;
  for (int p = 0; p < 4; ++p) {
    pushers.emplace_back([&, p] {
      auto src = db->source("t").value();
      for (int i = 0; i < 1000; ++i) {
        RowBuilder rows = src.row_builder();
        ASSERT_TRUE(rows.set("n", Value::Int64(p * 1000 + i)).end_row().ok());
        ASSERT_TRUE(src.push(rows).ok());
      }
    });
  }
  for (auto& t : pushers) t.join();
  ASSERT_TRUE(db->flush().ok());
  auto r = db->execute("SELECT * FROM c");
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  ASSERT_EQ(r->rows.num_rows(), 1);
  EXPECT_EQ(r->message, "SELECT 1");  // the count of rows returned, as psql's tag
  EXPECT_EQ(r->rows.column(0).int64_value(0), 4000);
  EXPECT_EQ(r->rows.column(1).int64_value(0), 3999LL * 4000 / 2);
}

// A subscriber that does not read, with the block policy, stops the compute thread; then the
// source's credits run out and pushers wait. Reading again lets everything through.
TEST(Database, BlockedSubscriberPushesBackToTheSource) {
  auto db = open_db();
  exec(*db,
       "CREATE SOURCE t (n BIGINT) WITH (credits = 4, overflow = 'block'); CREATE STREAM s AS "
       "SELECT n FROM t");
  SubscribeOptions tiny;
  tiny.capacity = 1;
  auto sub = db->subscribe("s", tiny).value();
  auto src = db->source("t").value();
  std::atomic<int> pushed{0};
  std::thread pusher([&] {
    for (int i = 0; i < 20; ++i) {
      ASSERT_TRUE(src.push_json("{\"n\":1}\n{\"n\":2}").ok());
      ++pushed;
    }
  });
  std::this_thread::sleep_for(200ms);
  EXPECT_LT(pushed.load(), 20) << "pushes should wait while the subscriber does not read";
  EXPECT_GT(src.metrics().blocked, 0);
  int64_t rows = 0;
  while (rows < 40) {
    auto b = sub.recv_for(5s);
    ASSERT_TRUE(b.ok()) << b.status().to_string();
    rows += b->num_rows();
  }
  pusher.join();
  EXPECT_EQ(rows, 40) << "nothing lost";
  EXPECT_EQ(sub.dropped_rows(), 0u);
}

TEST(Database, DropOverflowCountsAndErrorOverflowRefuses) {
  auto db = open_db();
  exec(*db,
       "CREATE SOURCE d (n BIGINT) WITH (credits = 2, overflow = 'drop');"
       "CREATE SOURCE e (n BIGINT) WITH (credits = 2, overflow = 'error');"
       "CREATE STREAM sd AS SELECT n FROM d; CREATE STREAM se AS SELECT n FROM e");
  SubscribeOptions tiny;
  tiny.capacity = 1;
  auto block_d = db->subscribe("sd", tiny).value();  // never read: the compute thread stalls
  auto src_d = db->source("d").value();
  auto src_e = db->source("e").value();
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(src_d.push_json("{\"n\":1}").ok());
  std::this_thread::sleep_for(100ms);
  EXPECT_GT(src_d.metrics().dropped_rows, 0);
  Status refused;
  for (int i = 0; i < 10 && refused.ok(); ++i) refused = src_e.push_json("{\"n\":1}\n{\"n\":2}");
  EXPECT_EQ(refused.code(), ErrorCode::kResourceExhausted) << refused.to_string();
  EXPECT_NE(refused.message().find("overflow = 'error'"), std::string_view::npos);
  block_d.close();
}

TEST(Database, DropOldestSubscriptionCountsWhatItDrops) {
  auto db = open_db();
  exec(*db, "CREATE SOURCE t (n BIGINT)");
  SubscribeOptions opts;
  opts.capacity = 2;
  opts.on_full = SubscriptionOverflow::kDropOldest;
  auto sub = db->subscribe("t", opts).value();
  auto src = db->source("t").value();
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(src.push_json("{\"n\":" + std::to_string(i) + "}").ok());
    ASSERT_TRUE(db->flush().ok());
  }
  EXPECT_EQ(sub.dropped_batches(), 8u);
  EXPECT_EQ(sub.dropped_rows(), 8u);
  EXPECT_EQ(sub.recv()->column(0).int64_value(0), 8) << "the newest batches remain";
  EXPECT_EQ(sub.recv()->column(0).int64_value(0), 9);
}

TEST(Database, BadPushesAreRefusedWholeWithTheReason) {
  auto db = open_db();
  exec(*db, "CREATE SOURCE t (id BIGINT NOT NULL, n INT)");
  auto src = db->source("t").value();
  Status s = src.push_json("{\"id\":1}\n{\"id\":2,\"n\":\"x\"}");
  EXPECT_EQ(s.code(), ErrorCode::kValueConversion);
  EXPECT_NE(s.to_string().find("line 2, field 'n'"), std::string::npos) << s.to_string();
  RowBuilder rows = src.row_builder();
  EXPECT_EQ(rows.set("n", Value::Int32(1)).end_row().code(), ErrorCode::kMissingValue);
  EXPECT_EQ(rows.set("id", Value::Varchar("one")).end_row().code(), ErrorCode::kSchemaMismatch);
  EXPECT_EQ(rows.set("nope", Value::Int64(1)).end_row().code(), ErrorCode::kSqlUnknownName);
  EXPECT_TRUE(rows.set("id", Value::Int32(7)).end_row().ok()) << "INT widens to BIGINT";
  EXPECT_EQ(rows.num_rows(), 1);
  EXPECT_EQ(src.metrics().pushed_rows, 0) << "refused pushes take no credits";
}

TEST(Database, SubscribeToAnUnknownNameSuggests) {
  auto db = open_db();
  exec(*db, "CREATE SOURCE trades (n BIGINT)");
  auto sub = db->subscribe("trade");
  ASSERT_FALSE(sub.ok());
  EXPECT_NE(sub.status().to_string().find("did you mean 'trades'"), std::string::npos);
}

TEST(Database, DroppingAStreamEndsItsSubscriptions) {
  auto db = open_db();
  exec(*db, "CREATE SOURCE t (n BIGINT); CREATE STREAM s AS SELECT n FROM t");
  auto sub = db->subscribe("s").value();
  exec(*db, "DROP STREAM s");
  EXPECT_EQ(sub.recv_for(2s).status().code(), ErrorCode::kClosed);
}

class FileSourceTest : public ::testing::Test {
 protected:
  std::string write(const std::string& name, const std::string& text) {
    const auto path = dir_ / name;
    std::ofstream(path, std::ios::binary) << text;
    return path.string();
  }
  sluice::testing::TempDir tmp_{"sluice_file_source_"};
  const std::filesystem::path& dir_ = tmp_.path();
};

TEST_F(FileSourceTest, ReadsToTheEndClosesWindowsAndSkipsBadLines) {
  std::string lines;
  for (int i = 0; i < 20000; ++i) {
    lines += "{\"k\":\"" + std::string(i % 2 ? "a" : "b") +
             "\",\"ts\":\"2026-11-24T10:" + (i < 10000 ? "00" : "01") + ":00Z\"}\n";
    if (i == 123) lines += "{\"k\":\"a\",\"ts\":\"not a time\"}\n";
  }
  const std::string path = write("events.jsonl", lines);
  auto db = open_db();
  exec(*db,
       "CREATE SOURCE e (k VARCHAR, ts TIMESTAMP, WATERMARK FOR ts AS ts) WITH (connector = "
       "'file', path = '" +
           path +
           "', on.error = 'skip');"
           "CREATE STREAM per_min AS SELECT k, window_start, COUNT(*) AS n FROM e GROUP BY k, "
           "TUMBLE(ts, INTERVAL '1' MINUTE)");
  auto sub = db->subscribe("per_min").value();
  ASSERT_TRUE(db->start().ok());
  ASSERT_TRUE(db->wait_for_bounded_sources().ok()) << db->status().to_string();
  std::vector<std::string> rows;
  while (auto b = sub.poll()) {
    for (int64_t r = 0; r < b->num_rows(); ++r) {
      rows.push_back(std::string(b->column(0).string_value(r)) + " " +
                     b->column(1).value_to_string(r) + " " +
                     std::to_string(b->column(2).int64_value(r)));
    }
  }
  std::sort(rows.begin(), rows.end());
  EXPECT_EQ(rows, (std::vector<std::string>{
                      "a 2026-11-24T10:00:00Z 5000", "a 2026-11-24T10:01:00Z 5000",
                      "b 2026-11-24T10:00:00Z 5000", "b 2026-11-24T10:01:00Z 5000"}));
  EXPECT_TRUE(db->status().ok());
  EXPECT_EQ(db->source("e").status().code(), ErrorCode::kInvalidArgument)
      << "file sources take no pushes";
  auto metrics = db->source_metrics("e");
  ASSERT_TRUE(metrics.ok());
  EXPECT_EQ(metrics->skipped_lines, 1);
  EXPECT_EQ(metrics->pushed_rows, 20000);
}

TEST_F(FileSourceTest, FailModeStopsWithFileLineAndReason) {
  const std::string path = write("bad.csv", "n\n1\n2\nthree\n4\n");
  auto db = open_db();
  exec(*db, "CREATE SOURCE c (n BIGINT) WITH (connector = 'file', path = '" + path +
                "', format = 'csv', header = 'true')");
  ASSERT_TRUE(db->start().ok());
  Status s = db->wait_for_bounded_sources();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), ErrorCode::kValueConversion);
  EXPECT_NE(s.to_string().find("bad.csv, line 4, field 'n': expected an integer, got 'three'"),
            std::string::npos)
      << s.to_string();
  EXPECT_EQ(db->shutdown().code(), ErrorCode::kValueConversion) << "shutdown reports it too";
}

// A UTF-8 byte-order mark at the start of a file is not data: the first column of a CSV file
// keeps its name, and a JSON-lines file reads (both used to fail: NULLs, or a parse error).
TEST_F(FileSourceTest, AByteOrderMarkIsSkipped) {
  const std::string csv = write("bom.csv", "\xEF\xBB\xBFn,s\n1,a\n2,b\n");
  const std::string json = write("bom.jsonl", "\xEF\xBB\xBF{\"n\": 5}\n{\"n\": 6}\n");
  auto db = open_db();
  exec(*db, "CREATE SOURCE c (n BIGINT, s VARCHAR) WITH (connector = 'file', path = '" + csv +
                "', format = 'csv', header = 'true')");
  exec(*db, "CREATE SOURCE j (n BIGINT) WITH (connector = 'file', path = '" + json + "')");
  exec(*db, "CREATE MATERIALIZED VIEW cs AS SELECT SUM(n) AS total, COUNT(s) AS named FROM c");
  exec(*db, "CREATE MATERIALIZED VIEW js AS SELECT SUM(n) AS total FROM j");
  ASSERT_TRUE(db->start().ok());
  ASSERT_TRUE(db->wait_for_bounded_sources().ok()) << db->status().to_string();
  auto c = db->execute("SELECT * FROM cs");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->rows.column(0).int64_value(0), 3);
  EXPECT_EQ(c->rows.column(1).int64_value(0), 2);
  auto j = db->execute("SELECT * FROM js");
  ASSERT_TRUE(j.ok());
  EXPECT_EQ(j->rows.column(0).int64_value(0), 11);
}

// A CSV header that does not name a declared column is an error naming it, whatever
// on.error says (it used to give NULLs in that column and exit 0).
TEST_F(FileSourceTest, AHeaderWithoutADeclaredColumnIsAnError) {
  const std::string path = write("typo.csv", "n,pirce\n1,2\n");
  auto db = open_db();
  exec(*db, "CREATE SOURCE c (n BIGINT, price BIGINT) WITH (connector = 'file', path = '" + path +
                "', format = 'csv', header = 'true', on.error = 'skip')");
  exec(*db, "CREATE STREAM s AS SELECT n, price FROM c");
  ASSERT_TRUE(db->start().ok());
  Status s = db->wait_for_bounded_sources();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), ErrorCode::kCsvParse);
  EXPECT_NE(s.to_string().find("the header (n, pirce) has no column 'price'"), std::string::npos)
      << s.to_string();
}

TEST_F(FileSourceTest, MissingFileIsAnIoError) {
  auto db = open_db();
  exec(*db, "CREATE SOURCE c (n BIGINT) WITH (connector = 'file', path = '" +
                (dir_ / "nope.jsonl").string() + "')");
  ASSERT_TRUE(db->start().ok());
  Status s = db->wait_for_bounded_sources();
  EXPECT_EQ(s.code(), ErrorCode::kIoError);
  EXPECT_NE(s.to_string().find("nope.jsonl"), std::string::npos);
}

}  // namespace
}  // namespace sluice

namespace sluice {
namespace {

TEST(Database, ShutdownGivesUpOnASubscriberThatNeverReads) {
  DatabaseOptions options;
  options.shutdown_grace = std::chrono::milliseconds(200);
  auto db = Database::open(options).value();
  ASSERT_TRUE(db->execute("CREATE SOURCE t (n BIGINT)").ok());
  SubscribeOptions tiny;
  tiny.capacity = 1;
  auto stuck = db->subscribe("t", tiny).value();
  auto src = db->source("t").value();
  ASSERT_TRUE(src.push_json("{\"n\":1}").ok());
  ASSERT_TRUE(db->flush().ok());                 // the first batch fills the subscriber's queue
  ASSERT_TRUE(src.push_json("{\"n\":2}").ok());  // this one cannot be delivered
  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(db->shutdown().ok());
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
  EXPECT_GE(stuck.dropped_rows(), 1u) << "what the subscriber missed is counted";
  EXPECT_TRUE(stuck.recv().ok()) << "what was delivered is still there";
}

}  // namespace
}  // namespace sluice

namespace sluice {
namespace {

TEST(FileSourceFollow, ReadsWhatIsAppendedAndNeverEnds) {
  const sluice::testing::TempDir tmp("sluice_follow_");
  const auto path = tmp / "follow.jsonl";
  { std::ofstream(path) << "{\"n\": 1}\n{\"n\": 2}\n{\"n\":"; }  // the last line is unfinished
  auto db = Database::open().value();
  ASSERT_TRUE(db->execute("CREATE SOURCE f (n BIGINT) WITH (connector = 'file', path = '" +
                          path.string() + "', follow = true)")
                  .ok());
  EXPECT_FALSE(db->all_sources_bounded());
  auto sub = db->subscribe("f").value();
  ASSERT_TRUE(db->start().ok());
  int64_t sum = 0, rows = 0;
  auto read_until = [&](int64_t want) {
    while (rows < want) {
      auto b = sub.recv_for(std::chrono::milliseconds(5000));
      if (!b.ok()) return;
      for (int64_t r = 0; r < b->num_rows(); ++r) sum += b->column(0).int64_value(r);
      rows += b->num_rows();
    }
  };
  read_until(2);
  EXPECT_EQ(rows, 2);
  { std::ofstream(path, std::ios::app) << " 3}\n{\"n\": 4}\n"; }
  read_until(4);
  EXPECT_EQ(rows, 4);
  EXPECT_EQ(sum, 10);
  ASSERT_TRUE(db->shutdown().ok());
}

// declare() runs a script statement by statement; an error in a later statement, found after
// parsing, gives the script's line:column, not the statement's.
TEST(Database, DeclareErrorsGiveTheScriptsLineAndColumn) {
  auto db = Database::open().value();
  auto r = db->declare(
      "CREATE SOURCE t (k VARCHAR, v BIGINT);\n\n\nCREATE STREAM s AS\n  SELECT k, nope FROM t;\n");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().to_string(), "SLC-1002 at 5:13: unknown column 'nope' in t");
  r = db->declare("CREATE SOURCE u (k VARCHAR);\n  CREATE SINK s FROM u INTO nosuch (a = 'b');");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().location(), "2:29");
}

}  // namespace
}  // namespace sluice
