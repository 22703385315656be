// A database with a data_dir: the catalog, operator state and source offsets come back on
// open; durable push rows survive a crash; a failed checkpoint rolls every sink back; scripts
// are re-declared idempotently. (The SIGKILL harness is tests/integration/crash_test.sh.)
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "sluice/database.h"
#include "support/temp_dir.h"

namespace sluice {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class Recovery : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = tmp_ / "work";  // not created: the code under test makes it
  }

  std::unique_ptr<Database> open() {
    DatabaseOptions o;
    o.data_dir = (dir_ / "data").string();
    o.checkpoint_interval = 3600s;  // only the checkpoints the test asks for
    auto db = Database::open(o);
    EXPECT_TRUE(db.ok()) << db.status().to_string();
    return db.ok() ? std::move(db).value() : nullptr;
  }
  static void exec(Database& db, std::string_view sql) {
    auto r = db.execute(sql);
    ASSERT_TRUE(r.ok()) << r.status().to_string() << "\n" << sql;
  }
  std::vector<std::string> lines(const std::string& sink) const {
    std::vector<std::string> out;
    if (!fs::exists(dir_ / sink)) return out;
    std::vector<fs::path> parts;
    for (const auto& e : fs::directory_iterator(dir_ / sink))
      if (e.is_regular_file()) parts.push_back(e.path());
    std::sort(parts.begin(), parts.end());
    for (const auto& p : parts) {
      std::ifstream in(p);
      for (std::string line; std::getline(in, line);) out.push_back(line);
    }
    return out;
  }
  std::string sink_path(const std::string& name) const { return (dir_ / name).string(); }

  sluice::testing::TempDir tmp_{"sluice_recovery_"};
  fs::path dir_;
};

TEST_F(Recovery, CatalogStateAndOffsetsComeBack) {
  const std::string declare =
      "CREATE SOURCE t (k VARCHAR, v BIGINT, ts TIMESTAMP, WATERMARK FOR ts AS ts) "
      "WITH (durable = true);"
      "CREATE MATERIALIZED VIEW totals AS SELECT k, SUM(v) AS s, COUNT(*) AS n FROM t GROUP BY k;"
      "CREATE SINK per_minute AS SELECT k, window_start, SUM(v) AS s FROM t "
      "GROUP BY k, TUMBLE(ts, INTERVAL '1' MINUTE) INTO file (path = '" +
      sink_path("per_minute") + "', delivery = 'exactly-once')";
  {
    auto db = open();
    ASSERT_TRUE(db->declare(declare).ok());
    auto t = db->source("t").value();
    ASSERT_TRUE(t.push_json(R"({"k": "a", "v": 1, "ts": "2026-11-24T10:00:01Z"})"
                            "\n"
                            R"({"k": "b", "v": 2, "ts": "2026-11-24T10:00:02Z"})")
                    .ok());
    auto epoch = db->checkpoint();
    ASSERT_TRUE(epoch.ok()) << epoch.status().to_string();
    auto again = db->execute("CHECKPOINT");
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again->message.rfind("CHECKPOINT ", 0), 0u) << again->message;
    ASSERT_TRUE(db->shutdown().ok());
  }
  auto db = open();
  // The same script again is already declared; the objects and their state are back.
  ASSERT_TRUE(db->declare(declare).ok());
  auto view = db->execute("SELECT k, s, n FROM totals WHERE k = 'a'");
  ASSERT_TRUE(view.ok()) << view.status().to_string();
  ASSERT_EQ(view->rows.num_rows(), 1);
  EXPECT_EQ(view->rows.column(1).int64_value(0), 1);
  EXPECT_EQ(view->rows.column(2).int64_value(0), 1);
  auto t = db->source("t").value();
  ASSERT_TRUE(t.push_json(R"({"k": "a", "v": 10, "ts": "2026-11-24T10:00:30Z"})"
                          "\n"
                          R"({"k": "a", "v": 0, "ts": "2026-11-24T10:05:00Z"})")
                  .ok());
  ASSERT_TRUE(db->shutdown().ok());
  // The window of 10:00 holds rows of both runs, once each.
  std::multiset<std::string> got;
  for (const auto& l : lines("per_minute")) got.insert(l);
  EXPECT_EQ(got, (std::multiset<std::string>{
                     R"({"k":"a","window_start":"2026-11-24T10:00:00Z","s":11})",
                     R"({"k":"b","window_start":"2026-11-24T10:00:00Z","s":2})"}));
}

// The data_dir holds every pushed row and the sinks' options (passwords included): a new one
// is readable by its owner alone.
TEST_F(Recovery, ANewDataDirIsPrivateToItsOwner) {
  auto db = open();
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(fs::status(dir_ / "data").permissions(), fs::perms::owner_all);
  ASSERT_TRUE(db->shutdown().ok());
}

// Whatever the data_dir's own mode (here one the user made 0755), everything sluice creates
// in it is its owner's alone; the open warns once that the directory is open to others.
TEST_F(Recovery, EverythingInTheDataDirIsPrivateAndASharedDataDirIsWarnedAbout) {
  fs::create_directories(dir_ / "data");
  fs::permissions(dir_ / "data", fs::perms(0755));
  const mode_t old_umask = ::umask(022);
  ::testing::internal::CaptureStderr();
  {
    auto db = open();
    ASSERT_NE(db, nullptr);
    exec(*db,
         "CREATE SOURCE t (n BIGINT) WITH (durable = true);"
         "CREATE SINK out FROM t INTO file (path = '" +
             sink_path("out") + "', delivery = 'exactly-once')");
    ASSERT_TRUE(db->source("t").value().push_json(R"({"n": 1})").ok());
    ASSERT_TRUE(db->checkpoint().ok());
    ASSERT_TRUE(db->shutdown().ok());
  }
  const std::string warned = ::testing::internal::GetCapturedStderr();
  ::umask(old_umask);
  EXPECT_NE(warned.find("data_dir " + (dir_ / "data").string() + " is open to other users"),
            std::string::npos)
      << warned;
  size_t checked = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir_ / "data")) {
    const fs::perms want =
        e.is_directory() ? fs::perms::owner_all : fs::perms::owner_read | fs::perms::owner_write;
    EXPECT_EQ(e.status().permissions(), want) << e.path();
    ++checked;
  }
  EXPECT_GE(checked, 9u);  // LOCK, catalog, lease, checkpoints/ + 2 files, wal/, wal/t/ + segment
}

TEST_F(Recovery, AnExplicitCheckpointCoversEveryAcceptedRow) {
  auto db = open();
  exec(*db,
       "CREATE SOURCE t (n BIGINT) WITH (durable = true);"
       "CREATE SINK out FROM t INTO file (path = '" +
           sink_path("out") + "', delivery = 'exactly-once')");
  auto t = db->source("t").value();
  // No flush(): the checkpoint itself must take in rows still queued for the pipeline. Whether
  // any are still queued is up to the scheduler, so this guards the rule rather than forcing
  // the race (DurablePushRowsSurviveACrash below lost rows to it under ASan).
  for (int round = 1; round <= 5; ++round) {
    for (int push = 0; push < 4; ++push) {
      std::string rows;
      for (int i = 0; i < 5000; ++i) rows += "{\"n\": " + std::to_string(i) + "}\n";
      ASSERT_TRUE(t.push_json(rows).ok());
    }
    ASSERT_TRUE(db->checkpoint().ok());
    EXPECT_EQ(lines("out").size(), 20000u * round);
  }
  ASSERT_TRUE(db->shutdown().ok());
}

TEST_F(Recovery, DurablePushRowsSurviveACrash) {
  const std::string declare =
      "CREATE SOURCE t (n BIGINT) WITH (durable = true);"
      "CREATE SINK out FROM t INTO file (path = '" +
      sink_path("out") + "', delivery = 'exactly-once')";
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // The child pushes 100 rows (each push returns once logged), checkpoints after 50, and
    // dies without any shutdown.
    auto db = open();
    if (!db || !db->declare(declare).ok()) ::_exit(2);
    auto t = db->source("t").value();
    for (int i = 0; i < 100; ++i) {
      if (!t.push_json("{\"n\": " + std::to_string(i) + "}").ok()) ::_exit(3);
      if (i == 49 && !db->checkpoint().ok()) ::_exit(4);
    }
    ::_exit(0);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0);
  EXPECT_EQ(lines("out").size(), 50u);  // the checkpointed half is published
  auto db = open();
  ASSERT_TRUE(db->declare(declare).ok());
  ASSERT_TRUE(db->shutdown().ok());
  std::set<std::string> distinct;
  const auto all = lines("out");
  for (const auto& l : all) distinct.insert(l);
  EXPECT_EQ(all.size(), 100u);
  EXPECT_EQ(distinct.size(), 100u);
}

// A followed file whose newest lines are all bad (skipped): the read that met them made no row,
// yet a checkpoint after it holds the offset past them. After a crash, a recovery neither reads
// nor counts them again, and every good line reaches the sink once.
TEST_F(Recovery, BadLinesSkippedAtAFollowedFilesTailAreCountedOnceAcrossACrash) {
  const fs::path input = tmp_ / "in.jsonl";
  { std::ofstream(input) << "{\"n\": 1}\n{\"n\": 2}\n"; }
  const std::string declare = "CREATE SOURCE f (n BIGINT) WITH (connector = 'file', path = '" +
                              input.string() +
                              "', follow = true, on.error = 'skip');"
                              "CREATE SINK out FROM f INTO file (path = '" +
                              sink_path("out") + "', delivery = 'exactly-once')";
  auto receive = [](Subscription& sub, int64_t want) {
    int64_t rows = 0;
    while (rows < want) {
      auto b = sub.recv_for(10s);
      if (!b.ok()) break;
      rows += b->num_rows();
    }
    return rows;
  };
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // The child reads the two rows, then two bad lines appended after them (a read of its own,
    // which makes no row), checkpoints, and dies without any shutdown.
    auto db = open();
    if (!db || !db->declare(declare).ok()) ::_exit(2);
    auto sub = db->subscribe("f");
    if (!sub.ok() || !db->start().ok()) ::_exit(3);
    if (receive(*sub, 2) != 2) ::_exit(4);
    { std::ofstream(input, std::ios::app) << "not json\n{\"n\": \"three\"}\n"; }
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (db->source_metrics("f")->skipped_lines < 2) {
      if (std::chrono::steady_clock::now() > deadline) ::_exit(5);
      std::this_thread::sleep_for(10ms);
    }
    // The reader pushes the offset just after counting the skips, then waits 100 ms for more
    // lines: past that wait, the push is queued, and the checkpoint takes it in.
    std::this_thread::sleep_for(300ms);
    if (!db->checkpoint().ok()) ::_exit(6);
    ::_exit(0);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0);
  EXPECT_EQ(lines("out").size(), 2u);
  { std::ofstream(input, std::ios::app) << "{\"n\": 4}\n{\"n\": 5}\n"; }
  auto db = open();
  ASSERT_TRUE(db->declare(declare).ok());
  auto sub = db->subscribe("f");
  ASSERT_TRUE(sub.ok());
  ASSERT_TRUE(db->start().ok());
  // The new rows come after the bad lines: once they are here, the bad lines were passed.
  EXPECT_EQ(receive(*sub, 2), 2);
  EXPECT_EQ(db->source_metrics("f")->skipped_lines, 0) << "the bad lines were read again";
  ASSERT_TRUE(db->shutdown().ok());
  std::multiset<std::string> got;
  for (const auto& l : lines("out")) got.insert(l);
  EXPECT_EQ(got,
            (std::multiset<std::string>{R"({"n":1})", R"({"n":2})", R"({"n":4})", R"({"n":5})"}));
}

TEST_F(Recovery, ADataDirServesOneProcessAtATime) {
  auto db = open();
  DatabaseOptions o;
  o.data_dir = (dir_ / "data").string();
  auto second = Database::open(o);
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.status().to_string().find("in use by another process"), std::string::npos);
}

TEST_F(Recovery, ADifferentScriptIsRefused) {
  {
    auto db = open();
    ASSERT_TRUE(db->declare("CREATE SOURCE t (n BIGINT) WITH (durable = true)").ok());
  }
  auto db = open();
  auto r = db->declare("CREATE SOURCE t (n BIGINT, m BIGINT) WITH (durable = true)");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().to_string().find("declared differently"), std::string::npos)
      << r.status().to_string();
  // A script that extends the recorded one runs its new statements.
  auto more = db->declare(
      "CREATE SOURCE t (n BIGINT) WITH (durable = true); CREATE STREAM s AS SELECT n FROM t");
  ASSERT_TRUE(more.ok()) << more.status().to_string();
  EXPECT_TRUE(db->execute("DESCRIBE s").ok());
}

TEST_F(Recovery, AFailedCheckpointRollsEverySinkBack) {
  auto db = open();
  exec(*db, "CREATE SOURCE t (n BIGINT) WITH (durable = true)");
  exec(*db, "CREATE SINK out FROM t INTO file (path = '" + sink_path("out") +
                "', delivery = 'exactly-once')");
  ASSERT_TRUE(db->source("t")->push_json("{\"n\": 1}").ok());
  // The checkpoint directory becomes unusable: the manifest cannot be written.
  fs::remove_all(dir_ / "data" / "checkpoints");
  { std::ofstream(dir_ / "data" / "checkpoints") << "not a directory"; }
  auto epoch = db->checkpoint();
  ASSERT_FALSE(epoch.ok());
  EXPECT_FALSE(db->status().ok());
  EXPECT_NE(db->status().to_string().find("checkpoint of epoch"), std::string::npos)
      << db->status().to_string();
  db->shutdown().ignore();
  EXPECT_TRUE(lines("out").empty());
  EXPECT_TRUE(fs::is_empty(dir_ / "out" / ".staging"));
}

}  // namespace
}  // namespace sluice
