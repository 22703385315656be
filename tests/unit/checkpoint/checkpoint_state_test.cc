// What a database shows of its checkpoints and its state, and the state's memory budget:
// SHOW CHECKPOINTS and Database::checkpoint_metrics (the compute thread's pause per cut,
// durations, state bytes), per-node state in SHOW PIPELINE, and state.memory.max failing the
// pipeline (SLC-6001) without losing what was committed.
#include <gtest/gtest.h>

#include <string>

#include "sluice/database.h"
#include "support/temp_dir.h"

namespace sluice {
namespace {

using namespace std::chrono_literals;

class CheckpointState : public ::testing::Test {
 protected:
  std::unique_ptr<Database> open(int64_t state_memory_max = 0) {
    DatabaseOptions o;
    o.data_dir = (tmp_ / "data").string();
    o.checkpoint_interval = 3600s;  // only the checkpoints the test asks for
    o.state_memory_max = state_memory_max;
    auto db = Database::open(o);
    EXPECT_TRUE(db.ok()) << db.status().to_string();
    return db.ok() ? std::move(db).value() : nullptr;
  }
  static void exec(Database& db, std::string_view sql) {
    auto r = db.execute(sql);
    ASSERT_TRUE(r.ok()) << r.status().to_string() << "\n" << sql;
  }
  // `count` rows with keys from `first`, one JSON line each.
  static std::string keyed_rows(int64_t first, int64_t count) {
    std::string lines;
    for (int64_t k = first; k < first + count; ++k)
      lines += "{\"k\": " + std::to_string(k) + ", \"v\": 1}\n";
    return lines;
  }

  static constexpr const char* kPipeline =
      "CREATE SOURCE s (k BIGINT, v BIGINT);"
      "CREATE MATERIALIZED VIEW per_key AS SELECT k, COUNT(*) AS n FROM s GROUP BY k";

  sluice::testing::TempDir tmp_{"sluice_ckpt_state_"};
};

TEST_F(CheckpointState, CheckpointsShowTheirPauseDurationAndBytes) {
  auto db = open();
  ASSERT_NE(db, nullptr);
  EXPECT_TRUE(db->checkpoint_metrics().enabled);
  exec(*db, kPipeline);
  ASSERT_TRUE(db->source("s")->push_json(keyed_rows(0, 5000)).ok());
  ASSERT_TRUE(db->checkpoint().ok());
  ASSERT_TRUE(db->source("s")->push_json(keyed_rows(5000, 5000)).ok());
  auto second = db->checkpoint();
  ASSERT_TRUE(second.ok()) << second.status().to_string();

  const CheckpointMetrics m = db->checkpoint_metrics();
  EXPECT_EQ(m.completed, 2);
  EXPECT_EQ(m.failed, 0);
  EXPECT_EQ(m.last_epoch, *second);
  EXPECT_GT(m.last_pause_ns, 0);
  EXPECT_GE(m.max_pause_ns, m.last_pause_ns);
  EXPECT_EQ(m.duration_count, 2u);
  EXPECT_GT(m.duration_sum_ns, 0u);
  EXPECT_GE(m.last_duration_ns, m.last_pause_ns);
  EXPECT_EQ(m.duration_buckets.back(), 2u);  // every checkpoint took less than a minute
  // The state file holds the view's 10,000 rows (and the aggregate's groups).
  EXPECT_GT(m.last_state_bytes, 10000 * 10);
  EXPECT_GT(m.state_bytes_total, m.last_state_bytes);

  auto shown = db->execute("SHOW CHECKPOINTS");
  ASSERT_TRUE(shown.ok()) << shown.status().to_string();
  ASSERT_EQ(shown->rows.num_rows(), 1);
  const Schema& schema = *shown->rows.schema();
  auto column = [&](const std::string& name) {
    const int i = schema.find(name);
    EXPECT_GE(i, 0) << name;
    return Value::from_column(shown->rows.column(i), 0);
  };
  EXPECT_EQ(column("completed").i, 2);
  EXPECT_EQ(column("last_epoch").i, static_cast<int64_t>(*second));
  EXPECT_EQ(column("max_pause_us").i, m.max_pause_ns / 1000);
  EXPECT_EQ(column("last_state_bytes").i, m.last_state_bytes);

  // Per node: the view's table rows and the bytes of its state.
  auto pipeline = db->execute("SHOW PIPELINE");
  ASSERT_TRUE(pipeline.ok());
  const Schema& ps = *pipeline->rows.schema();
  bool seen = false;
  for (int64_t r = 0; r < pipeline->rows.num_rows(); ++r) {
    if (pipeline->rows.column(0).string_value(r) != "per_key") continue;
    seen = true;
    EXPECT_EQ(Value::from_column(pipeline->rows.column(ps.find("table_rows")), r).i, 10000);
    EXPECT_GT(Value::from_column(pipeline->rows.column(ps.find("state_bytes")), r).i, 10000 * 10);
  }
  EXPECT_TRUE(seen);
  auto graph = db->graph_json();
  ASSERT_TRUE(graph.ok());
  EXPECT_NE(graph->find("\"table_rows\":10000"), std::string::npos) << *graph;
}

TEST_F(CheckpointState, WithoutADataDirThereAreNoCheckpointsToShow) {
  auto db = Database::open();
  ASSERT_TRUE(db.ok());
  EXPECT_FALSE((*db)->checkpoint_metrics().enabled);
  EXPECT_EQ((*db)->execute("SHOW CHECKPOINTS").status().code(), ErrorCode::kUnsupported);
}

// A keyed aggregate with many keys and a small budget: the pipeline fails with SLC-6001 naming
// the view and its size; the checkpoint committed before is intact.
TEST_F(CheckpointState, StatePastTheBudgetFailsThePipelineAndKeepsTheCommittedState) {
  {
    auto db = open(2 << 20);  // 2 MiB
    ASSERT_NE(db, nullptr);
    exec(*db, kPipeline);
    ASSERT_TRUE(db->source("s")->push_json(keyed_rows(0, 100)).ok());
    ASSERT_TRUE(db->checkpoint().ok());
    // 200,000 keys take well over 2 MiB; pushed in pieces, as a connector would.
    for (int64_t first = 100; first < 200000 && db->status().ok(); first += 10000) {
      db->source("s")->push_json(keyed_rows(first, 10000)).ignore();
    }
    const Status failed = db->wait_for_failure(60s);
    ASSERT_EQ(failed.code(), ErrorCode::kStateMemoryExceeded) << failed.to_string();
    const std::string message(failed.message());
    EXPECT_NE(message.find("materialized view 'per_key'"), std::string::npos) << message;
    EXPECT_NE(message.find("state.memory.max = 2097152 bytes"), std::string::npos) << message;
    EXPECT_EQ(db->status().code(), ErrorCode::kStateMemoryExceeded);
    db->shutdown().ignore();
  }
  // Reopened (without a budget): the committed checkpoint's 100 keys are there.
  auto db = open();
  ASSERT_NE(db, nullptr);
  auto rows = db->execute("SELECT COUNT(*) AS keys, SUM(n) AS total FROM per_key");
  ASSERT_TRUE(rows.ok()) << rows.status().to_string();
  ASSERT_EQ(rows->rows.num_rows(), 1);
  EXPECT_EQ(Value::from_column(rows->rows.column(0), 0).i, 100);
  EXPECT_EQ(Value::from_column(rows->rows.column(1), 0).i, 100);
}

TEST_F(CheckpointState, ANegativeBudgetIsRefused) {
  DatabaseOptions o;
  o.state_memory_max = -1;
  EXPECT_EQ(Database::open(o).status().code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace sluice
