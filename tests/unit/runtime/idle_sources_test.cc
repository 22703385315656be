// IdleSources, on a clock the test sets: a source declared with idle.timeout turns idle once no
// rows came for that long, a union below it then leaves it out of its watermark, and its next
// rows take it back in; sources without the option are never idle.

#include "runtime/idle_sources.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "dataflow/union_node.h"
#include "sluice/database.h"
#include "sql/binder.h"
#include "support/test_graph.h"

namespace sluice::runtime {
namespace {

constexpr int64_t kMs = 1000;

// a (idle after 100 ms) and b (never idle), and u = a UNION ALL b.
class IdleSourcesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(g.execute("CREATE SOURCE a (k BIGINT) WITH (idle.timeout = '100ms')").ok());
    ASSERT_TRUE(g.execute("CREATE SOURCE b (k BIGINT)").ok());
    sql::PlanStep step;
    step.kind = sql::PlanStep::Kind::kUnion;
    step.name = "u$1";
    step.inputs = {"a", "b"};
    step.schema = g.catalog.find("a")->schema();
    auto parsed = sql::parse_statement("SELECT * FROM a");
    ASSERT_TRUE(parsed.ok());
    auto bound = sql::Binder(g.catalog).bind_query(*parsed->query);
    ASSERT_TRUE(bound.ok());
    auto q = std::make_shared<sql::BoundQuery>(std::move(*bound));
    q->input = "u$1";
    q->steps = {step};
    ASSERT_TRUE(dataflow::Ddl(g.catalog, g.graph)
                    .add_query("u", sql::ObjectKind::kStream, q, false, "test")
                    .ok());
  }
  dataflow::SourceNode& a() { return *g.graph.source("a"); }
  dataflow::SourceNode& b() { return *g.graph.source("b"); }
  dataflow::Node& u() { return *g.graph.find("u"); }

  TestGraph g;
};

TEST_F(IdleSourcesTest, TheOptionIsReadFromTheSource) {
  EXPECT_EQ(a().idle_timeout(), 100 * kMs);
  EXPECT_EQ(b().idle_timeout(), 0);
  EXPECT_FALSE(g.execute("CREATE SOURCE c (k BIGINT) WITH (idle.timeout = 'soon')").ok());
}

TEST_F(IdleSourcesTest, AQuietSourceTurnsIdleAndRowsBringItBack) {
  IdleSources idle;
  idle.add(0, &a(), 1'000 * kMs);
  idle.add(1, &b(), 1'000 * kMs);  // no timeout: not tracked
  EXPECT_TRUE(idle.any());
  EXPECT_TRUE(idle.tracks(0));
  EXPECT_FALSE(idle.tracks(1));
  EXPECT_EQ(idle.next_expiry(), 1'100 * kMs);

  ASSERT_TRUE(a().advance_watermark(10).ok());
  ASSERT_TRUE(b().advance_watermark(500).ok());
  EXPECT_EQ(u().watermark(), 10);

  // Rows at 1050 ms push the moment back; at 1100 ms nothing happens yet.
  ASSERT_TRUE(idle.rows(0, 1'050 * kMs).ok());
  EXPECT_EQ(idle.next_expiry(), 1'150 * kMs);
  ASSERT_TRUE(idle.expire(1'100 * kMs).ok());
  EXPECT_FALSE(a().idle());
  EXPECT_EQ(u().watermark(), 10);

  // At 1150 ms a has been quiet for its timeout: the union goes on without it.
  ASSERT_TRUE(idle.expire(1'150 * kMs).ok());
  EXPECT_TRUE(a().idle());
  EXPECT_EQ(u().watermark(), 500);
  EXPECT_EQ(idle.next_expiry(), IdleSources::kNever);

  // Its next rows make it count again (from there on: the watermark does not go back).
  ASSERT_TRUE(idle.rows(0, 2'000 * kMs).ok());
  EXPECT_FALSE(a().idle());
  ASSERT_TRUE(b().advance_watermark(900).ok());
  EXPECT_EQ(u().watermark(), 500);
  ASSERT_TRUE(a().advance_watermark(700).ok());
  EXPECT_EQ(u().watermark(), 700);
  EXPECT_EQ(idle.next_expiry(), 2'100 * kMs);

  // Dropped: no longer tracked.
  idle.remove(0);
  EXPECT_FALSE(idle.any());
}

TEST_F(IdleSourcesTest, AnEndedSourceIsNeverMarkedIdle) {
  IdleSources idle;
  idle.add(0, &a(), 0);
  ASSERT_TRUE(a().end_input().ok());
  EXPECT_EQ(idle.next_expiry(), IdleSources::kNever);
  ASSERT_TRUE(idle.expire(1'000 * kMs).ok());
  EXPECT_FALSE(a().idle());
}

TEST(IdleSourcesInDatabase, TheComputeLoopWakesToMarkAQuietSourceIdle) {
  // Nothing is pushed and nothing else happens: the loop must wake by itself when the timeout
  // passes. (How long that takes is not asserted; the wait is bounded.)
  auto db = Database::open();
  ASSERT_TRUE(db.ok()) << db.status().to_string();
  ASSERT_TRUE((*db)->execute("CREATE SOURCE a (k BIGINT) WITH (idle.timeout = '20ms')").ok());
  ASSERT_TRUE((*db)->execute("CREATE STREAM s AS SELECT k FROM a").ok());
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  std::string graph;
  while (std::chrono::steady_clock::now() < deadline) {
    auto json = (*db)->graph_json();
    ASSERT_TRUE(json.ok());
    graph = *json;
    if (graph.find("\"name\":\"s\"") != std::string::npos &&
        graph.find("\"idle\":false") == std::string::npos)
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  // Both the source and the stream below it are idle.
  EXPECT_EQ(graph.find("\"idle\":false"), std::string::npos) << graph;
  EXPECT_NE(graph.find("\"idle\":true"), std::string::npos) << graph;
}

}  // namespace
}  // namespace sluice::runtime
