#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>
#include <vector>

#include "sluice/database.h"
#include "support/temp_dir.h"

namespace sluice {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

struct Collected {
  std::mutex mutex;
  std::vector<int64_t> values;
  std::atomic<int64_t> batches{0};
  void add(const RecordBatch& b) {
    std::lock_guard lock(mutex);
    for (int64_t r = 0; r < b.num_rows(); ++r) values.push_back(b.column(0).int64_value(r));
    ++batches;
  }
  std::vector<int64_t> sorted() {
    std::lock_guard lock(mutex);
    auto v = values;
    std::sort(v.begin(), v.end());
    return v;
  }
};

std::unique_ptr<Database> open_db() {
  return Database::open().value();
}

void exec(Database& db, const std::string& sql) {
  auto r = db.execute(sql);
  ASSERT_TRUE(r.ok()) << r.status().to_string() << "\n" << sql;
}

Status push_numbers(Database& db, const std::string& source, int from, int to) {
  std::string lines;
  for (int i = from; i < to; ++i) lines += "{\"n\":" + std::to_string(i) + "}\n";
  return db.source(source)->push_json(lines);
}

TEST(SinkPipeline, EachSinkGetsExactlyItsFromStreamFiltered) {
  auto db = open_db();
  Collected evens, odds, big_evens;
  db->register_callback("evens", [&](const RecordBatch& b) { evens.add(b); });
  db->register_callback("odds", [&](const RecordBatch& b) { odds.add(b); });
  db->register_callback("big_evens", [&](const RecordBatch& b) { big_evens.add(b); });
  exec(*db,
       "CREATE SOURCE t (n BIGINT);"
       "CREATE STREAM e AS SELECT n FROM t WHERE n % 2 = 0;"
       "CREATE STREAM o AS SELECT n FROM t WHERE n % 2 = 1;"
       "CREATE SINK s1 FROM e INTO callback (function = 'evens');"
       "CREATE SINK s2 FROM o INTO callback (function = 'odds');"
       "CREATE SINK s3 FROM e WHERE n > 1000 INTO callback (function = 'big_evens')");
  ASSERT_TRUE(push_numbers(*db, "t", 0, 10).ok());
  ASSERT_TRUE(db->shutdown().ok());
  EXPECT_EQ(evens.sorted(), (std::vector<int64_t>{0, 2, 4, 6, 8}));
  EXPECT_EQ(odds.sorted(), (std::vector<int64_t>{1, 3, 5, 7, 9}));
  EXPECT_TRUE(big_evens.sorted().empty());
  EXPECT_EQ(big_evens.batches.load(), 0) << "batches filtered to zero rows are not sent";
}

TEST(SinkPipeline, CreateSinkAsSelectDelivers) {
  auto db = open_db();
  Collected got;
  db->register_callback("got", [&](const RecordBatch& b) { got.add(b); });
  exec(*db,
       "CREATE SOURCE t (n BIGINT); CREATE SINK big AS SELECT n FROM t WHERE n >= 5 INTO callback "
       "(function = 'got')");
  ASSERT_TRUE(push_numbers(*db, "t", 0, 8).ok());
  ASSERT_TRUE(db->shutdown().ok());
  EXPECT_EQ(got.sorted(), (std::vector<int64_t>{5, 6, 7}));
}

class FileSinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = tmp_ / "out";  // not created: the code under test makes it
  }
  std::string read_all() {
    std::string out;
    if (!fs::exists(dir_)) return out;
    std::vector<fs::path> parts;
    for (const auto& e : fs::directory_iterator(dir_)) parts.push_back(e.path());
    std::sort(parts.begin(), parts.end());
    for (const auto& p : parts) {
      std::ifstream in(p, std::ios::binary);
      std::stringstream ss;
      ss << in.rdbuf();
      out += ss.str();
    }
    return out;
  }
  size_t lines() {
    const std::string all = read_all();
    return static_cast<size_t>(std::count(all.begin(), all.end(), '\n'));
  }
  sluice::testing::TempDir tmp_{"sluice_sink_"};
  fs::path dir_;
};

TEST_F(FileSinkTest, RowsAppearWithinTheFlushIntervalWithoutFurtherInput) {
  auto db = open_db();
  exec(*db, "CREATE SOURCE t (n BIGINT); CREATE SINK out FROM t INTO file (path = '" +
                dir_.string() + "', flush.interval = '100ms')");
  const auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(push_numbers(*db, "t", 0, 3).ok());
  while (lines() < 3 && std::chrono::steady_clock::now() - start < 3s)
    std::this_thread::sleep_for(10ms);
  EXPECT_EQ(read_all(), "{\"n\":0}\n{\"n\":1}\n{\"n\":2}\n");
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
  auto m = db->sink_metrics("out");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->rows, 3);
  EXPECT_EQ(m->bytes, 24);
}

TEST_F(FileSinkTest, CsvPartsRollBySizeAndDropFlushes) {
  auto db = open_db();
  exec(*db, "CREATE SOURCE t (n BIGINT); CREATE SINK out FROM t INTO file (path = '" +
                dir_.string() + "', format = 'csv', rolling.size = 1024, flush.interval = '1h')");
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(push_numbers(*db, "t", i * 100, i * 100 + 100).ok());
    ASSERT_TRUE(db->flush().ok());  // separate batches: a part may overshoot by one batch
  }
  exec(*db, "DROP SINK out");  // flushes and closes while the pipeline runs
  size_t parts = 0, rows = 0;
  for (const auto& e : fs::directory_iterator(dir_)) {
    ++parts;
    std::ifstream in(e.path());
    std::string header;
    std::getline(in, header);
    EXPECT_EQ(header, "n") << e.path() << " must start with its own header";
    for (std::string line; std::getline(in, line);) ++rows;
  }
  EXPECT_GT(parts, 2u) << "2,000 rows of CSV pass 1 KiB several times";
  EXPECT_EQ(rows, 2000u);
  // Created again while running: new parts, old ones untouched.
  exec(*db, "CREATE SINK out FROM t INTO file (path = '" + dir_.string() + "', format = 'csv')");
  ASSERT_TRUE(push_numbers(*db, "t", 0, 1).ok());
  ASSERT_TRUE(db->shutdown().ok());
  size_t after = 0;
  for (const auto& e : fs::directory_iterator(dir_)) after += e.is_regular_file();
  EXPECT_EQ(after, parts + 1);
}

TEST_F(FileSinkTest, AnUnusableDirectoryFailsCreateSinkCleanly) {
  std::ofstream(dir_.string()) << "a file, not a directory";
  auto db = open_db();
  exec(*db, "CREATE SOURCE t (n BIGINT)");
  auto r =
      db->execute("CREATE SINK out FROM t INTO file (path = '" + (dir_ / "sub").string() + "')");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kIoError);
  EXPECT_NE(r.status().to_string().find("sink 'out'"), std::string::npos) << r.status().to_string();
  EXPECT_EQ(db->execute("SHOW SINKS")->rows.num_rows(), 0) << "nothing half-created";
  fs::remove(dir_);
}

// A slow sink with queue.full = 'block' slows the sources and loses nothing; with 'drop' it
// counts what it drops, and the other sinks and subscriptions get everything.
TEST(SinkPipeline, SlowSinkPolicies) {
  for (const char* policy : {"block", "drop"}) {
    SCOPED_TRACE(policy);
    auto db = open_db();
    Collected slow, fast;
    db->register_callback("slow", [&](const RecordBatch& b) {
      std::this_thread::sleep_for(5ms);
      slow.add(b);
    });
    db->register_callback("fast", [&](const RecordBatch& b) { fast.add(b); });
    exec(*db, std::string("CREATE SOURCE t (n BIGINT) WITH (credits = 8);"
                          "CREATE SINK s FROM t INTO callback (function = 'slow', queue.capacity = "
                          "2, queue.full = '") +
                  policy +
                  "');"
                  "CREATE SINK f FROM t INTO callback (function = 'fast', queue.capacity = 1000)");
    SubscribeOptions big;
    big.capacity = 1000;
    auto sub = db->subscribe("t", big).value();
    auto src = db->source("t").value();
    for (int i = 0; i < 200; ++i) ASSERT_TRUE(push_numbers(*db, "t", i, i + 1).ok());
    ASSERT_TRUE(db->shutdown().ok());
    int64_t subscribed = 0;
    while (auto b = sub.poll()) subscribed += b->num_rows();
    EXPECT_EQ(subscribed, 200);
    EXPECT_EQ(fast.sorted().size(), 200u);
    auto m = db->sink_metrics("s").value();
    if (std::string(policy) == "block") {
      EXPECT_EQ(slow.sorted().size(), 200u) << "block loses nothing";
      EXPECT_GT(src.metrics().blocked, 0) << "the sources were slowed down";
    } else {
      EXPECT_GT(m.dropped_rows, 0);
      EXPECT_EQ(static_cast<int64_t>(slow.sorted().size()) + m.dropped_rows, 200)
          << "every row accounted for";
    }
  }
}

TEST(SinkPipeline, ShowSinksHasMetrics) {
  auto db = open_db();
  exec(*db, "CREATE SOURCE t (n BIGINT); CREATE SINK b FROM t INTO blackhole ()");
  ASSERT_TRUE(push_numbers(*db, "t", 0, 50).ok());
  ASSERT_TRUE(db->flush().ok());
  auto deadline = std::chrono::steady_clock::now() + 2s;
  while (db->sink_metrics("b")->rows < 50 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(5ms);
  auto r = db->execute("SHOW SINKS");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->rows.num_rows(), 1);
  EXPECT_EQ(r->rows.column(0).string_value(0), "b");
  EXPECT_EQ(r->rows.column(r->rows.schema()->find("state")).string_value(0), "running");
  EXPECT_EQ(r->rows.column(r->rows.schema()->find("rows")).int64_value(0), 50);
  EXPECT_EQ(db->sink_metrics("nope").status().code(), ErrorCode::kSqlUnknownName);
}

TEST(SinkPipeline, GraphJsonShowsSinksAsNodes) {
  auto db = open_db();
  exec(*db,
       "CREATE SOURCE t (n BIGINT); CREATE STREAM s AS SELECT n FROM t; CREATE SINK b FROM s INTO "
       "blackhole ()");
  auto json = db->graph_json();
  ASSERT_TRUE(json.ok());
  EXPECT_NE(json->find("{\"name\":\"t\",\"kind\":\"source\",\"input\":null,\"outputs\":[\"s\"]"),
            std::string::npos)
      << *json;
  EXPECT_NE(json->find("{\"name\":\"b\",\"kind\":\"sink\",\"input\":\"s\""), std::string::npos)
      << *json;
  EXPECT_NE(json->find("\"sinks\":{\"b\":{\"state\":\"running\""), std::string::npos) << *json;
  EXPECT_EQ(json->back(), '}');
}

TEST(SinkPipeline, DeadLetterTargetCannotBeDroppedFirst) {
  auto db = open_db();
  exec(*db,
       "CREATE SOURCE t (n BIGINT); CREATE SINK dlq FROM t INTO blackhole ();"
       "CREATE SINK main FROM t INTO blackhole (on.error = 'dead_letter', dead_letter.sink = "
       "'dlq')");
  auto r = db->execute("DROP SINK dlq");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kSqlHasDependents);
  exec(*db, "DROP SINK main; DROP SINK dlq");
}

// A fallible callback's error is a failed write: the sink's retry.max and on.error decide (the
// Python package's callback sinks report an exception this way).
TEST(SinkPipeline, AFallibleCallbacksErrorGoesToOnError) {
  auto db = open_db();
  Collected dead;
  db->register_callback("dead", [&](const RecordBatch& b) { dead.add(b); });
  db->register_fallible_callback("odd_only", [](const RecordBatch& b) {
    for (int64_t r = 0; r < b.num_rows(); ++r) {
      if (b.column(0).int64_value(r) % 2 == 0) {
        return Status(ErrorCode::kCallbackFailed, "even");
      }
    }
    return Status::Ok();
  });
  exec(*db,
       "CREATE SOURCE t (n BIGINT); CREATE SOURCE none (n BIGINT);"
       "CREATE SINK dlq FROM none INTO callback (function = 'dead');"
       "CREATE SINK main FROM t INTO callback (function = 'odd_only', retry.max = '0', "
       "on.error = 'dead_letter', dead_letter.sink = 'dlq')");
  for (int n = 1; n <= 3; ++n) {  // one batch each: flushed before the next push
    ASSERT_TRUE(push_numbers(*db, "t", n, n + 1).ok());
    ASSERT_TRUE(db->flush().ok());
  }
  ASSERT_TRUE(db->shutdown().ok());
  EXPECT_EQ(dead.sorted(), (std::vector<int64_t>{2}));
  const SinkMetrics m = db->sink_metrics("main").value();
  EXPECT_EQ(m.dead_lettered_rows, 1);
  EXPECT_NE(m.last_error.find("SLC-3003"), std::string::npos) << m.last_error;

  auto failing = open_db();
  failing->register_fallible_callback(
      "refuse", [](const RecordBatch&) { return Status(ErrorCode::kCallbackFailed, "no thanks"); });
  exec(*failing,
       "CREATE SOURCE t (n BIGINT);"
       "CREATE SINK s FROM t INTO callback (function = 'refuse', retry.max = '0')");
  ASSERT_TRUE(push_numbers(*failing, "t", 0, 1).ok());
  const Status done = failing->shutdown();
  EXPECT_EQ(done.code(), ErrorCode::kCallbackFailed) << done.to_string();
}

}  // namespace
}  // namespace sluice

namespace sluice {
namespace {

// A sink whose connector cannot open is undone as if never created — also when its name needs
// quotes (the undo is a typed call, not SQL text that would have to be re-parsed).
TEST(SinkPipeline, AFailedOpenUndoesSinksWithQuotedNames) {
  auto db = open_db();
  exec(*db, "CREATE SOURCE t (n BIGINT)");
  for (const std::string name : {"\"my sink\"", "\"from\"", "\"Select\""}) {
    SCOPED_TRACE(name);
    auto failed = db->execute("CREATE SINK " + name +
                              " FROM t INTO file (path = '/dev/null/cannot/be/a/directory')");
    ASSERT_FALSE(failed.ok());
    auto sinks = db->execute("SHOW SINKS");
    ASSERT_TRUE(sinks.ok());
    EXPECT_EQ(sinks->rows.num_rows(), 0) << "the failed sink is gone";
    auto pipeline = db->execute("SHOW PIPELINE");
    ASSERT_TRUE(pipeline.ok());
    EXPECT_EQ(pipeline->rows.num_rows(), 1) << "only the source is left";
    // The name is free again.
    exec(*db, "CREATE SINK " + name + " FROM t INTO blackhole ()");
    exec(*db, "DROP SINK " + name);
  }
  // CREATE SINK ... AS SELECT: its anonymous stream goes too.
  ASSERT_FALSE(db->execute("CREATE SINK \"my sink\" AS SELECT n FROM t INTO file (path = "
                           "'/dev/null/cannot/be/a/directory')")
                   .ok());
  auto pipeline = db->execute("SHOW PIPELINE");
  ASSERT_TRUE(pipeline.ok());
  EXPECT_EQ(pipeline->rows.num_rows(), 1);
}

}  // namespace
}  // namespace sluice
