// A pipeline snapshotted mid-stream and restored into a fresh pipeline declared the same way
// continues exactly as one that never stopped.

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "support/test_graph.h"

namespace sluice::dataflow {
namespace {

constexpr const char* kDdl[] = {
    "CREATE SOURCE e (k VARCHAR, v BIGINT, ts TIMESTAMP, WATERMARK FOR ts AS ts - INTERVAL '5' "
    "SECOND)",
    "CREATE STREAM per_min AS SELECT k, window_start, COUNT(*) AS n, SUM(v) AS total FROM e "
    "GROUP BY k, TUMBLE(ts, INTERVAL '1' MINUTE)",
    "CREATE STREAM sessions AS SELECT k, window_start, window_end, COUNT(*) AS n, VAR_POP(v) AS vp "
    "FROM e "
    "GROUP BY k, SESSION(ts, INTERVAL '20' SECOND) EMIT CHANGES",
    "CREATE STREAM running AS SELECT k, SUM(v) AS total, COUNT(DISTINCT v) AS d, STDDEV(v) AS sd "
    "FROM e GROUP BY k "
    "HAVING SUM(v) > 3 EMIT CHANGES",
    "CREATE MATERIALIZED VIEW latest AS SELECT k, MAX(v) AS top FROM e GROUP BY k",
    "CREATE SINK big FROM e WHERE v > 5 INTO blackhole ()",
};

std::string json_row(const std::string& k, int64_t v, int seconds) {
  char ts[32];
  std::snprintf(ts, sizeof ts, "2026-11-24T10:%02d:%02dZ", seconds / 60, seconds % 60);
  return "{\"k\":\"" + k + "\",\"v\":" + std::to_string(v) + ",\"ts\":\"" + ts + "\"}";
}

// Batches of events over ~5 minutes of event time, deterministic.
std::vector<std::string> batches() {
  std::vector<std::string> out;
  uint64_t x = 12345;
  int t = 0;
  for (int b = 0; b < 30; ++b) {
    std::string lines;
    for (int i = 0; i < 8; ++i) {
      x = x * 6364136223846793005ull + 1442695040888963407ull;
      t += static_cast<int>((x >> 33) % 7);
      lines += json_row(std::string(1, static_cast<char>('a' + (x >> 40) % 3)),
                        static_cast<int64_t>((x >> 20) % 10), t) +
               "\n";
    }
    out.push_back(lines);
  }
  return out;
}

struct Recorder {
  std::map<std::string, std::vector<std::string>> rows;
  // Records every node's output.
  struct Tap : Output {
    Tap(Recorder& r, std::string n) : recorder(r), name(std::move(n)) {}
    void deliver(const RecordBatch& b) override {
      for (int64_t r = 0; r < b.num_rows(); ++r) {
        std::string row;
        for (int c = 0; c < b.num_columns(); ++c) row += b.column(c).value_to_string(r) + "|";
        recorder.rows[name].push_back(row);
      }
    }
    Recorder& recorder;
    std::string name;
  };
  std::vector<std::unique_ptr<Tap>> taps;
  void attach(TestGraph& p) {
    for (Node* n : p.graph.nodes()) {
      taps.push_back(std::make_unique<Tap>(*this, n->name()));
      n->set_output(taps.back().get());
    }
  }
};

void declare(TestGraph& p) {
  for (const char* sql : kDdl) ASSERT_TRUE(p.execute(sql).ok()) << sql;
}

TEST(PipelineSnapshot, RestoredPipelineContinuesExactly) {
  const auto input = batches();
  for (size_t cut : {size_t{1}, size_t{7}, size_t{15}, size_t{29}}) {
    SCOPED_TRACE("snapshot after batch " + std::to_string(cut));
    // Uninterrupted reference: rows emitted after the cut.
    TestGraph reference;
    declare(reference);
    for (size_t b = 0; b < cut; ++b) ASSERT_TRUE(reference.push_json("e", input[b]).ok());
    Recorder expected;
    expected.attach(reference);
    for (size_t b = cut; b < input.size(); ++b)
      ASSERT_TRUE(reference.push_json("e", input[b]).ok());
    ASSERT_TRUE(reference.end_all_inputs().ok());

    // Snapshot at the cut, restore into a fresh pipeline, continue.
    TestGraph before;
    declare(before);
    for (size_t b = 0; b < cut; ++b) ASSERT_TRUE(before.push_json("e", input[b]).ok());
    StateWriter writer;
    before.graph.snapshot(writer);
    TestGraph after;
    declare(after);
    StateReader reader(writer.bytes());
    ASSERT_TRUE(after.graph.restore(reader).ok());
    Recorder got;
    got.attach(after);
    for (size_t b = cut; b < input.size(); ++b) ASSERT_TRUE(after.push_json("e", input[b]).ok());
    ASSERT_TRUE(after.end_all_inputs().ok());

    EXPECT_FALSE(expected.rows.empty());
    EXPECT_EQ(got.rows, expected.rows);
    EXPECT_EQ(after.graph.find("per_min")->watermark(),
              reference.graph.find("per_min")->watermark());
    auto view_after = after.execute("SELECT * FROM latest");
    auto view_reference = reference.execute("SELECT * FROM latest");
    ASSERT_TRUE(view_after.ok() && view_reference.ok());
    EXPECT_TRUE(view_after->rows.equals(view_reference->rows));
    EXPECT_EQ(after.graph.find("per_min")->rows_in(), reference.graph.find("per_min")->rows_in());
  }
}

TEST(PipelineSnapshot, ACheckpointOfADifferentPipelineIsRefused) {
  TestGraph a;
  declare(a);
  StateWriter writer;
  a.graph.snapshot(writer);
  TestGraph b;
  ASSERT_TRUE(b.execute(kDdl[0]).ok());
  StateReader reader(writer.bytes());
  Status s = b.graph.restore(reader);
  EXPECT_EQ(s.code(), ErrorCode::kSchemaMismatch);
  EXPECT_NE(s.message().find("declared differently"), std::string_view::npos) << s.to_string();
  // Truncated state is an error, never a crash.
  for (size_t cut = 0; cut < writer.bytes().size(); cut += 13) {
    TestGraph c;
    declare(c);
    StateReader partial(std::string_view(writer.bytes()).substr(0, cut));
    EXPECT_FALSE(c.graph.restore(partial).ok()) << cut;
  }
}

// A join keeps the columns its query reads (projection pushdown, sql/column_usage.h), so its
// state's rows are shaped by the query above it: a checkpoint of a join that kept other columns
// is refused (SLC-2008, naming the step), never read as rows of this one; one of a pipeline
// declared the same way is restored.
TEST(PipelineSnapshot, AJoinThatKeptOtherColumnsIsRefused) {
  const auto declare_join = [](TestGraph& p, const char* select) {
    ASSERT_TRUE(p.execute("CREATE SOURCE l (k BIGINT, v BIGINT, note VARCHAR)").ok());
    ASSERT_TRUE(p.execute("CREATE SOURCE r (k BIGINT, w BIGINT)").ok());
    auto s = p.execute(std::string("CREATE STREAM j AS ") + select + " FROM l JOIN r ON l.k = r.k");
    ASSERT_TRUE(s.ok()) << s.status().to_string();
  };
  constexpr const char* kWhole = "SELECT l.k, l.v, l.note, r.w";
  TestGraph a;
  declare_join(a, kWhole);
  ASSERT_TRUE(
      a.push_json("l", "{\"k\":1,\"v\":2,\"note\":\"a long note kept in the join\"}\n").ok());
  StateWriter writer;
  a.graph.snapshot(writer);

  TestGraph narrower;
  declare_join(narrower, "SELECT l.v");
  StateReader reader(writer.bytes());
  Status s = narrower.graph.restore(reader);
  EXPECT_EQ(s.code(), ErrorCode::kSchemaMismatch) << s.to_string();
  EXPECT_NE(s.message().find("j$1"), std::string_view::npos) << s.to_string();
  EXPECT_NE(s.message().find("declared differently"), std::string_view::npos) << s.to_string();

  TestGraph same;
  declare_join(same, kWhole);
  StateReader again(writer.bytes());
  ASSERT_TRUE(same.graph.restore(again).ok());
  Recorder out;
  out.attach(same);
  ASSERT_TRUE(same.push_json("r", "{\"k\":1,\"w\":3}\n").ok());
  EXPECT_EQ(out.rows["j"], (std::vector<std::string>{"1|2|a long note kept in the join|3|"}));
}

}  // namespace
}  // namespace sluice::dataflow

namespace sluice::dataflow {
namespace {

// A checkpoint's state file is written by the checkpoint thread from the image the cut
// captured, while the compute thread goes on: its bytes are those a snapshot at the cut wrote,
// whatever the graph did in between (so recovery reads what it always read).
TEST(PipelineSnapshot, ACaptureWrittenLaterEqualsTheSnapshotAtTheCapture) {
  const auto input = batches();
  for (size_t cut : {size_t{0}, size_t{5}, size_t{17}}) {
    SCOPED_TRACE("capture after batch " + std::to_string(cut));
    TestGraph p;
    declare(p);
    ASSERT_TRUE(p.execute("CREATE MATERIALIZED VIEW recent AS SELECT k, v FROM e").ok());
    for (size_t b = 0; b < cut; ++b) ASSERT_TRUE(p.push_json("e", input[b]).ok());
    StateWriter at_cut;
    p.graph.snapshot(at_cut);
    const GraphImage image = p.graph.capture();
    for (size_t b = cut; b < input.size(); ++b) ASSERT_TRUE(p.push_json("e", input[b]).ok());
    ASSERT_TRUE(p.end_all_inputs().ok());
    StateWriter later;
    image.write(later);
    EXPECT_EQ(later.bytes(), at_cut.bytes());
    StateWriter now;
    p.graph.snapshot(now);
    EXPECT_NE(now.bytes(), at_cut.bytes());  // the graph did move on
  }
}

}  // namespace
}  // namespace sluice::dataflow
