// Fault injection on a durable pipeline with an exactly-once PostgreSQL sink, through the
// built `sluice run` command against a throwaway server: the server down at restart, a
// newest checkpoint gone after the sink committed it, a decided epoch's prepared transaction
// rolled back behind sluice's back. Each ends with a clear error or exactly the rows it
// should, within a deadline (issue 14, items 3, 6 and 7).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "faults/sluice_process.h"
#include "support/pg_server.h"
#include "support/temp_dir.h"

namespace sluice {
namespace {

namespace fs = std::filesystem;
using testing::PgServer;
using testing::ProcessResult;
using testing::run_sluice;

class PostgresFaults : public ::testing::Test {
 protected:
  void SetUp() override {
    std::ofstream(tmp_ / "pipeline.sql")
        << "CREATE SOURCE lines (id BIGINT) WITH (connector = 'file', path = '"
        << (tmp_ / "input.jsonl").string()
        << "', follow = true);\n"
           "CREATE SINK pg FROM lines INTO postgres (dsn = '"
        << pg_.dsn()
        << "', table = 't', delivery = 'exactly-once', connect.timeout = '2s', "
           "write.timeout = '2s');\n";
  }

  void append_input(int first, int count) {
    std::ofstream in(tmp_ / "input.jsonl", std::ios::app);
    for (int i = first; i < first + count; ++i) in << "{\"id\": " << i << "}\n";
  }
  // As in file_sink_faults_test.cc: one run of a second and a half, one checkpoint at its end.
  ProcessResult run(std::vector<std::string> extra = {}, std::vector<std::string> env = {}) {
    std::vector<std::string> args = {"run",
                                     (tmp_ / "pipeline.sql").string(),
                                     "--data-dir",
                                     (tmp_ / "data").string(),
                                     "--checkpoint-interval",
                                     "1h",
                                     "--for",
                                     "1500ms"};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_sluice(args, tmp_ / ("run" + std::to_string(++runs_) + ".log"), env);
  }
  int64_t rows() { return pg_.count("t"); }
  int64_t distinct_ids() { return std::stoll(pg_.scalar("SELECT count(DISTINCT id) FROM t")); }
  fs::path newest_manifest() const {
    std::vector<fs::path> all;
    for (const auto& e : fs::directory_iterator(tmp_ / "data" / "checkpoints")) {
      const std::string name = e.path().filename().string();
      if (name.rfind("manifest-", 0) == 0 && name.ends_with(".json")) all.push_back(e.path());
    }
    std::sort(all.begin(), all.end());
    return all.empty() ? fs::path() : all.back();
  }

  PgServer pg_;
  sluice::testing::TempDir tmp_{"sluice_pgfaults_"};
  int runs_ = 0;
};

// The first interrupt drains: here it waits on a sink retrying a server that went away
// (write.timeout is long). The second stops the process at once; the restart, with the server
// back, ends with every row exactly once.
TEST_F(PostgresFaults, ASecondInterruptStopsADrainThatWaits) {
  std::ofstream(tmp_ / "patient.sql")
      << "CREATE SOURCE lines (id BIGINT) WITH (connector = 'file', path = '"
      << (tmp_ / "input.jsonl").string()
      << "', follow = true);\n"
         "CREATE SINK pg FROM lines INTO postgres (dsn = '"
      << pg_.dsn() << "', table = 't', delivery = 'exactly-once', write.timeout = '120s');\n";
  const std::vector<std::string> args = {"run",
                                         (tmp_ / "patient.sql").string(),
                                         "--data-dir",
                                         (tmp_ / "data").string(),
                                         "--checkpoint-interval",
                                         "100ms"};
  append_input(0, 1000);
  {
    testing::SluiceProcess sluice(args, tmp_ / "patient.log");
    // Running, with the first rows committed.
    auto committed = [&]() -> int64_t {
      try {
        return rows();
      } catch (const std::runtime_error&) {
        return 0;  // the sink has not created the table yet
      }
    };
    for (int i = 0; i < 300 && committed() < 1000; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    ASSERT_EQ(rows(), 1000) << sluice.output();
    pg_.stop();
    append_input(1000, 1000);
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    sluice.signal(SIGINT);
    std::this_thread::sleep_for(std::chrono::milliseconds(1000));
    sluice.signal(SIGINT);
    const ProcessResult r = sluice.wait(std::chrono::seconds(10));
    ASSERT_FALSE(r.timed_out) << "the second interrupt did not stop it:\n" << r.output;
    EXPECT_EQ(r.signal, SIGINT) << r.output;
  }
  pg_.start();
  const ProcessResult back = run_sluice({"run", (tmp_ / "patient.sql").string(), "--data-dir",
                                         (tmp_ / "data").string(), "--for", "2s"},
                                        tmp_ / "back.log");
  ASSERT_TRUE(back.exited(0)) << back.output;
  EXPECT_EQ(rows(), 2000);
  EXPECT_EQ(distinct_ids(), 2000);
}

TEST_F(PostgresFaults, AServerDownAtRestartFailsPromptlyThenResumesExactly) {
  append_input(0, 1000);
  ProcessResult first = run();
  ASSERT_TRUE(first.exited(0)) << first.output;
  pg_.stop();
  append_input(1000, 1000);
  const auto start = std::chrono::steady_clock::now();
  const ProcessResult down = run();
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(down.timed_out) << "the restart hung:\n" << down.output;
  EXPECT_TRUE(down.exited(1)) << down.output;
  EXPECT_NE(down.output.find("SLC-3001"), std::string::npos) << down.output;
  EXPECT_NE(down.output.find("sink 'pg'"), std::string::npos) << down.output;
  EXPECT_LT(took, std::chrono::seconds(30)) << "bounded by connect.timeout, not by luck";
  pg_.start();
  ProcessResult back = run();
  ASSERT_TRUE(back.exited(0)) << back.output;
  EXPECT_EQ(rows(), 2000);
  EXPECT_EQ(distinct_ids(), 2000);
}

TEST_F(PostgresFaults, ADeletedNewestCheckpointIsRefusedThenAcceptedWithDuplicates) {
  append_input(0, 1000);
  ASSERT_TRUE(run().exited(0));
  append_input(1000, 1000);
  ASSERT_TRUE(run().exited(0));
  ASSERT_EQ(rows(), 2000);
  const fs::path newest = newest_manifest();
  fs::remove(newest);
  const ProcessResult refused = run();
  ASSERT_FALSE(refused.timed_out) << refused.output;
  EXPECT_TRUE(refused.exited(1)) << refused.output;
  EXPECT_NE(refused.output.find("SLC-4002"), std::string::npos) << refused.output;
  EXPECT_NE(refused.output.find("sink 'pg'"), std::string::npos) << refused.output;
  EXPECT_NE(refused.output.find(newest.filename().string()), std::string::npos) << refused.output;
  EXPECT_EQ(rows(), 2000) << "a refused restart must write nothing";
  // Accepted: the 1000 rows after the older checkpoint are written again.
  const ProcessResult accepted = run({"--accept-duplicates"});
  ASSERT_TRUE(accepted.exited(0)) << accepted.output;
  EXPECT_EQ(rows(), 3000);
  EXPECT_EQ(distinct_ids(), 2000);
  EXPECT_EQ(pg_.scalar("SELECT count(*) FROM t WHERE id >= 1000"), "2000");
}

// Killed right after the manifest decided the epoch, before COMMIT PREPARED; then someone
// rolls the prepared transaction back. The restart must say those rows are lost.
TEST_F(PostgresFaults, ADecidedEpochRolledBackByHandIsAnError) {
  append_input(0, 2000);
  const ProcessResult killed = run({}, {"SLUICE_FAULT=after_manifest"});
  ASSERT_EQ(killed.signal, SIGKILL) << killed.output;
  const std::string gid = pg_.scalar("SELECT gid FROM pg_prepared_xacts");
  pg_.exec("ROLLBACK PREPARED '" + gid + "'");
  const ProcessResult r = run();
  ASSERT_FALSE(r.timed_out) << r.output;
  EXPECT_TRUE(r.exited(1)) << r.output;
  EXPECT_NE(r.output.find("SLC-4003"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find(gid), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("2000 rows"), std::string::npos) << r.output;
  EXPECT_EQ(rows(), 0);
}

TEST_F(PostgresFaults, ADecidedEpochLeftPreparedIsCommittedOnRestart) {
  append_input(0, 2000);
  const ProcessResult killed = run({}, {"SLUICE_FAULT=after_manifest"});
  ASSERT_EQ(killed.signal, SIGKILL) << killed.output;
  EXPECT_EQ(pg_.scalar("SELECT count(*) FROM pg_prepared_xacts"), "1");
  const ProcessResult r = run();
  EXPECT_TRUE(r.exited(0)) << r.output;
  EXPECT_EQ(rows(), 2000);
  EXPECT_EQ(distinct_ids(), 2000);
  EXPECT_EQ(pg_.scalar("SELECT count(*) FROM pg_prepared_xacts"), "0");
}

}  // namespace
}  // namespace sluice
