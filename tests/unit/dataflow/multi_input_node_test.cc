// Nodes with several inputs: a UNION ALL step and a join step (driving a test double of
// JoinOperator, a nested-loop cross join), built by hand as the binder will build them
// (BoundQuery::steps), in a graph driven on the test's thread: rows from both inputs, the
// watermark the minimum of the inputs' (an ended input final, an idle one left out), steps
// created, dropped, checkpointed and restored with their object, a refused join adding
// nothing, nodes added to a running graph, and what introspection shows of them.

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "dataflow/join_node.h"
#include "dataflow/union_node.h"
#include "runtime/state_budget.h"
#include "sluice/batch_builder.h"
#include "sluice/value.h"
#include "sql/binder.h"
#include "support/test_graph.h"

namespace sluice::dataflow {
namespace {

// Every call of on_watermark, in order: (side, watermark).
using WatermarkLog = std::vector<std::pair<int, int64_t>>;

// The test double: every left row with every right row, both sides kept in full.
class CrossJoin final : public JoinOperator {
 public:
  CrossJoin(std::shared_ptr<const sql::BoundJoin> join, WatermarkLog* log)
      : join_(std::move(join)), log_(log) {}

  Status process(int side, const RecordBatch& input, std::vector<RecordBatch>& out) override {
    stats_.rows_in += input.num_rows();
    BatchBuilder b(join_->output_schema);
    const int lcols = join_->left_schema->num_fields();
    const int rcols = join_->right_schema->num_fields();
    for (int64_t r = 0; r < input.num_rows(); ++r) {
      for (const RecordBatch& other : kept_[1 - side]) {
        for (int64_t o = 0; o < other.num_rows(); ++o) {
          const RecordBatch& left = side == kLeftSide ? input : other;
          const RecordBatch& right = side == kLeftSide ? other : input;
          const int64_t lr = side == kLeftSide ? r : o;
          const int64_t rr = side == kLeftSide ? o : r;
          for (int c = 0; c < lcols; ++c) b.column(c).append_from(left.column(c), lr);
          for (int c = 0; c < rcols; ++c) b.column(lcols + c).append_from(right.column(c), rr);
        }
      }
    }
    kept_[side].push_back(input);
    if (b.num_rows() > 0) {
      stats_.rows_out += b.num_rows();
      out.push_back(b.finish());
    }
    return Status::Ok();
  }

  Status on_watermark(int side, int64_t watermark, std::vector<RecordBatch>& out) override {
    (void)out;
    if (log_ != nullptr) log_->emplace_back(side, watermark);
    return Status::Ok();
  }

  class Image final : public StateImage {
   public:
    explicit Image(std::vector<RecordBatch> sides[2]) : sides_{sides[0], sides[1]} {}
    void write(StateWriter& w) const override {
      for (const auto& side : sides_) {
        int64_t rows = 0;
        for (const RecordBatch& b : side) rows += b.num_rows();
        w.i64(rows);
        for (const RecordBatch& b : side) {
          for (int64_t r = 0; r < b.num_rows(); ++r) {
            for (int c = 0; c < b.num_columns(); ++c) w.value(Value::from_column(b.column(c), r));
          }
        }
      }
    }

   private:
    const std::vector<RecordBatch> sides_[2];
  };

  std::unique_ptr<StateImage> capture() const override {
    std::vector<RecordBatch> copy[2] = {kept_[0], kept_[1]};
    return std::make_unique<Image>(copy);
  }
  Status restore(StateReader& reader) override {
    for (int side = 0; side < 2; ++side) {
      const SchemaPtr& schema = side == kLeftSide ? join_->left_schema : join_->right_schema;
      int64_t rows;
      SLC_RETURN_IF_ERROR(reader.i64(rows));
      BatchBuilder b(schema);
      for (int64_t r = 0; r < rows; ++r) {
        for (int c = 0; c < schema->num_fields(); ++c) {
          Value v;
          SLC_RETURN_IF_ERROR(reader.value(v));
          append_value(b.column(c), v);
        }
      }
      kept_[side].clear();
      if (rows > 0) kept_[side].push_back(b.finish());
    }
    return Status::Ok();
  }
  StateStats state_stats() const override {
    StateStats s;
    for (const auto& side : kept_) {
      for (const RecordBatch& b : side) s.groups += b.num_rows();
    }
    s.bytes = s.groups * 16;
    return s;
  }
  std::string describe() const override { return "test cross join"; }

 private:
  const std::shared_ptr<const sql::BoundJoin> join_;
  WatermarkLog* const log_;
  std::vector<RecordBatch> kept_[2];
};

SchemaPtr left_schema() {
  return make_schema({{"k", DataType::kInt64, true}, {"v", DataType::kInt64, true}});
}
SchemaPtr right_schema() {
  return make_schema({{"k", DataType::kInt64, true}, {"w", DataType::kInt64, true}});
}

RecordBatch rows(const SchemaPtr& schema, std::vector<std::pair<int64_t, int64_t>> values) {
  BatchBuilder b(schema);
  for (const auto& [x, y] : values) {
    b.column(0).append_int64(x);
    b.column(1).append_int64(y);
  }
  return b.finish();
}

// Collects what each node emits, a row as "a|b|".
struct Taps {
  struct Tap final : Output {
    explicit Tap(std::vector<std::string>& r) : rows(r) {}
    void deliver(const RecordBatch& b) override {
      for (int64_t r = 0; r < b.num_rows(); ++r) {
        std::string row;
        for (int c = 0; c < b.num_columns(); ++c) row += b.column(c).value_to_string(r) + "|";
        rows.push_back(row);
      }
    }
    std::vector<std::string>& rows;
  };
  void attach(Graph& g) {
    for (Node* n : g.nodes()) {
      taps.push_back(std::make_unique<Tap>(out[n->name()]));
      n->set_output(taps.back().get());
    }
  }
  std::vector<std::string> sorted(const std::string& name) {
    std::vector<std::string> r = out[name];
    std::sort(r.begin(), r.end());
    return r;
  }
  std::map<std::string, std::vector<std::string>> out;
  std::vector<std::unique_ptr<Tap>> taps;
};

// `select` (FROM step_in) bound over rows of `schema`, reading `input`: how the binder binds
// an object's own query over its last step.
std::shared_ptr<sql::BoundQuery> query_over(const SchemaPtr& schema, const std::string& select,
                                            const std::string& input) {
  sql::Catalog probe;
  auto def = std::make_shared<sql::SourceDef>();
  def->name = "step_in";
  def->schema = schema;
  probe.add(sql::Catalog::Entry{sql::ObjectKind::kSource, def, nullptr, nullptr});
  auto statement = sql::parse_statement(select);
  EXPECT_TRUE(statement.ok()) << statement.status().to_string();
  auto bound = sql::Binder(probe).bind_query(*statement->query);
  EXPECT_TRUE(bound.ok()) << bound.status().to_string();
  auto q = std::make_shared<sql::BoundQuery>(std::move(*bound));
  q->input = input;
  return q;
}

sql::PlanStep join_step(const std::string& name, const std::string& left,
                        const std::string& right) {
  auto j = std::make_shared<sql::BoundJoin>();
  j->kind = sql::JoinKind::kRegular;
  j->left_schema = left_schema();
  j->right_schema = right_schema();
  j->output_schema = make_schema({{"k", DataType::kInt64, true},
                                  {"v", DataType::kInt64, true},
                                  {"k_2", DataType::kInt64, true},
                                  {"w", DataType::kInt64, true}});
  j->sql = left + " CROSS JOIN " + right;
  sql::PlanStep step;
  step.kind = sql::PlanStep::Kind::kJoin;
  step.name = name;
  step.inputs = {left, right};
  step.join = j;
  step.schema = j->output_schema;
  return step;
}

sql::PlanStep union_step(const std::string& name, std::vector<std::string> inputs) {
  sql::PlanStep step;
  step.kind = sql::PlanStep::Kind::kUnion;
  step.name = name;
  step.inputs = std::move(inputs);
  step.schema = left_schema();
  return step;
}

// A stream `name` whose query reads the step, SELECT * over it.
std::shared_ptr<sql::BoundQuery> over_step(const sql::PlanStep& step) {
  auto q = query_over(step.schema, "SELECT * FROM step_in", step.name);
  q->steps = {step};
  return q;
}

class MultiInputTest : public ::testing::Test {
 protected:
  void SetUp() override {
    g.graph.set_join_factory([this](std::shared_ptr<const sql::BoundJoin> j) {
      return Result<std::unique_ptr<JoinOperator>>(std::make_unique<CrossJoin>(j, &log));
    });
    ASSERT_TRUE(g.execute("CREATE SOURCE a (k BIGINT, v BIGINT)").ok());
    ASSERT_TRUE(g.execute("CREATE SOURCE b (k BIGINT, w BIGINT)").ok());
  }

  Status add(const std::string& name, std::shared_ptr<sql::BoundQuery> q) {
    return Ddl(g.catalog, g.graph)
        .add_query(name, sql::ObjectKind::kStream, q, false, "test")
        .status();
  }
  SourceNode& a() { return *g.graph.source("a"); }
  SourceNode& b() { return *g.graph.source("b"); }

  TestGraph g;
  WatermarkLog log;
};

TEST_F(MultiInputTest, UnionAllPassesRowsOfBothInputsAtTheMinimumWatermark) {
  ASSERT_TRUE(add("u", over_step(union_step("u$1", {"a", "b"}))).ok());
  Taps taps;
  taps.attach(g.graph);
  Node* step = g.graph.find("u$1");
  ASSERT_NE(step, nullptr);
  EXPECT_STREQ(step->kind_label(), "union");
  EXPECT_EQ(step->step_of(), "u");

  ASSERT_TRUE(a().push(rows(left_schema(), {{1, 10}, {2, 20}})).ok());
  ASSERT_TRUE(b().push(rows(right_schema(), {{3, 30}})).ok());
  EXPECT_EQ(taps.sorted("u"), (std::vector<std::string>{"1|10|", "2|20|", "3|30|"}));
  EXPECT_EQ(step->rows_in(), 3);

  // The minimum: a at 100, b behind at 40.
  ASSERT_TRUE(a().advance_watermark(100).ok());
  EXPECT_EQ(step->watermark(), kNoWatermark);
  ASSERT_TRUE(b().advance_watermark(40).ok());
  EXPECT_EQ(step->watermark(), 40);
  EXPECT_EQ(g.graph.find("u")->watermark(), 40);
  // An ended input counts as the final watermark: the other one alone decides.
  ASSERT_TRUE(b().end_input().ok());
  EXPECT_EQ(step->watermark(), 100);
  EXPECT_EQ(g.graph.find("u")->watermark(), 100);
  ASSERT_TRUE(a().end_input().ok());
  EXPECT_EQ(g.graph.find("u")->watermark(), kFinalWatermark);
}

TEST_F(MultiInputTest, UnionOfOneSourceTwiceGetsEachRowTwice) {
  ASSERT_TRUE(add("u", over_step(union_step("u$1", {"a", "a"}))).ok());
  Taps taps;
  taps.attach(g.graph);
  ASSERT_TRUE(a().push(rows(left_schema(), {{1, 10}})).ok());
  EXPECT_EQ(taps.sorted("u"), (std::vector<std::string>{"1|10|", "1|10|"}));
  g.graph.remove("u");
  EXPECT_TRUE(a().downstream().empty());
}

TEST_F(MultiInputTest, JoinNodeFeedsEachSideAndTellsTheSideThatMoved) {
  ASSERT_TRUE(add("j", over_step(join_step("j$1", "a", "b"))).ok());
  Taps taps;
  taps.attach(g.graph);
  auto* step = static_cast<JoinNode*>(g.graph.find("j$1"));
  ASSERT_NE(step, nullptr);

  ASSERT_TRUE(a().push(rows(left_schema(), {{1, 10}, {2, 20}})).ok());
  EXPECT_TRUE(taps.out["j"].empty());
  ASSERT_TRUE(b().push(rows(right_schema(), {{7, 70}})).ok());
  ASSERT_TRUE(a().push(rows(left_schema(), {{3, 30}})).ok());
  EXPECT_EQ(taps.sorted("j"), (std::vector<std::string>{"1|10|7|70|", "2|20|7|70|", "3|30|7|70|"}));
  EXPECT_EQ(step->operator_state().groups, 4);  // 3 left rows, 1 right row kept
  EXPECT_EQ(step->stats().rows_out, 3);

  ASSERT_TRUE(a().advance_watermark(50).ok());
  EXPECT_EQ(log, (WatermarkLog{{kLeftSide, 50}}));
  EXPECT_EQ(step->watermark(), kNoWatermark);  // the right side has none yet
  ASSERT_TRUE(b().advance_watermark(20).ok());
  EXPECT_EQ(log, (WatermarkLog{{kLeftSide, 50}, {kRightSide, 20}}));
  EXPECT_EQ(step->watermark(), 20);
  EXPECT_EQ(g.graph.find("j")->watermark(), 20);
  ASSERT_TRUE(b().end_input().ok());
  EXPECT_EQ(log.back(), (std::pair<int, int64_t>{kRightSide, kFinalWatermark}));
  EXPECT_EQ(step->watermark(), 50);
}

TEST_F(MultiInputTest, SelfJoinReadsOneSourceOnBothPorts) {
  auto step = join_step("j$1", "a", "a");
  step.join = [&] {
    auto j = std::make_shared<sql::BoundJoin>(*step.join);
    j->right_schema = left_schema();
    return j;
  }();
  ASSERT_TRUE(add("j", over_step(step)).ok());
  Taps taps;
  taps.attach(g.graph);
  ASSERT_TRUE(a().push(rows(left_schema(), {{1, 10}})).ok());
  // Left first (port 0), then right (port 1) meets it.
  EXPECT_EQ(taps.sorted("j"), (std::vector<std::string>{"1|10|1|10|"}));
  ASSERT_TRUE(a().advance_watermark(5).ok());
  EXPECT_EQ(g.graph.find("j")->watermark(), 5);
}

TEST_F(MultiInputTest, StepsAreDroppedWithTheirObject) {
  // j reads a subquery step over a join step: j$1 = a × b, j$2 = SELECT k, w FROM j$1.
  auto join = join_step("j$1", "a", "b");
  sql::PlanStep sub;
  sub.kind = sql::PlanStep::Kind::kQuery;
  sub.name = "j$2";
  sub.inputs = {"j$1"};
  sub.query = query_over(join.schema, "SELECT k, w FROM step_in WHERE w > 0", "j$1");
  sub.schema = sub.query->output_schema;
  auto q = query_over(sub.schema, "SELECT * FROM step_in", "j$2");
  q->steps = {join, sub};
  ASSERT_TRUE(add("j", q).ok());
  ASSERT_NE(g.graph.find("j$1"), nullptr);
  ASSERT_NE(g.graph.find("j$2"), nullptr);
  EXPECT_STREQ(g.graph.find("j$2")->kind_label(), "subquery");
  EXPECT_EQ(g.graph.steps_of("j").size(), 2u);
  EXPECT_EQ(a().downstream().size(), 1u);

  Taps taps;
  taps.attach(g.graph);
  ASSERT_TRUE(a().push(rows(left_schema(), {{1, 10}})).ok());
  ASSERT_TRUE(b().push(rows(right_schema(), {{2, 5}, {3, -1}})).ok());
  EXPECT_EQ(taps.sorted("j"), (std::vector<std::string>{"1|5|"}));

  ASSERT_TRUE(g.execute("DROP STREAM j").ok());
  EXPECT_EQ(g.graph.find("j"), nullptr);
  EXPECT_EQ(g.graph.find("j$1"), nullptr);
  EXPECT_EQ(g.graph.find("j$2"), nullptr);
  EXPECT_TRUE(a().downstream().empty());
  EXPECT_TRUE(b().downstream().empty());
  EXPECT_EQ(g.graph.nodes().size(), 2u);
}

TEST_F(MultiInputTest, AJoinItsOperatorRefusesAddsNothing) {
  g.graph.set_join_factory([](std::shared_ptr<const sql::BoundJoin>) {
    return Result<std::unique_ptr<JoinOperator>>(
        Status(ErrorCode::kUnsupported, "regular joins are not built yet"));
  });
  // A union step first: made, then dropped with the refusal.
  auto join = join_step("j$2", "j$1", "b");
  auto q = query_over(join.schema, "SELECT * FROM step_in", "j$2");
  q->steps = {union_step("j$1", {"a", "b"}), join};
  Status s = add("j", q);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), ErrorCode::kUnsupported);
  EXPECT_NE(s.to_string().find("j$2"), std::string::npos) << s.to_string();
  EXPECT_EQ(g.catalog.find("j"), nullptr);
  EXPECT_EQ(g.graph.nodes().size(), 2u);
  EXPECT_TRUE(a().downstream().empty());
  EXPECT_TRUE(b().downstream().empty());
}

TEST_F(MultiInputTest, AddedToARunningGraphStartsAtItsInputsMinimum) {
  ASSERT_TRUE(a().advance_watermark(50).ok());
  ASSERT_TRUE(b().advance_watermark(30).ok());
  ASSERT_TRUE(add("j", over_step(join_step("j$1", "a", "b"))).ok());
  EXPECT_EQ(g.graph.find("j$1")->watermark(), 30);
  EXPECT_EQ(g.graph.find("j")->watermark(), 30);
  EXPECT_EQ(log, (WatermarkLog{{kLeftSide, 50}, {kRightSide, 30}}));
  // An ended input: final.
  ASSERT_TRUE(b().end_input().ok());
  ASSERT_TRUE(add("u", over_step(union_step("u$1", {"a", "b"}))).ok());
  EXPECT_EQ(g.graph.find("u$1")->watermark(), 50);
}

TEST_F(MultiInputTest, AnIdleInputIsLeftOutOfTheMinimumUntilItHasRowsAgain) {
  ASSERT_TRUE(add("j", over_step(join_step("j$1", "a", "b"))).ok());
  Node* step = g.graph.find("j$1");
  ASSERT_TRUE(a().advance_watermark(100).ok());
  ASSERT_TRUE(b().advance_watermark(10).ok());
  EXPECT_EQ(step->watermark(), 10);
  log.clear();

  ASSERT_TRUE(b().set_source_idle(true).ok());
  EXPECT_EQ(step->watermark(), 100);
  EXPECT_EQ(g.graph.find("j")->watermark(), 100);
  // The idle side stands at the node's watermark for the operator.
  EXPECT_EQ(log, (WatermarkLog{{kRightSide, 100}}));
  EXPECT_FALSE(step->idle());  // a is still active
  ASSERT_TRUE(a().advance_watermark(150).ok());
  EXPECT_EQ(step->watermark(), 150);

  // b has rows again: back in the minimum, which never moves back.
  ASSERT_TRUE(b().set_source_idle(false).ok());
  ASSERT_TRUE(a().advance_watermark(200).ok());
  EXPECT_EQ(step->watermark(), 150);
  ASSERT_TRUE(b().advance_watermark(180).ok());
  EXPECT_EQ(step->watermark(), 180);

  // Both idle: the node is idle, at the largest of its inputs' watermarks.
  ASSERT_TRUE(a().set_source_idle(true).ok());
  EXPECT_EQ(step->watermark(), 180);
  ASSERT_TRUE(b().set_source_idle(true).ok());
  EXPECT_TRUE(step->idle());
  EXPECT_TRUE(g.graph.find("j")->idle());
  EXPECT_EQ(step->watermark(), 200);
}

TEST_F(MultiInputTest, AnIdleInputIsLeftOutAcrossOneInputNodes) {
  // b → stream bs → union with a: b's idleness passes through bs.
  ASSERT_TRUE(g.execute("CREATE STREAM bs AS SELECT k, w FROM b").ok());
  ASSERT_TRUE(add("u", over_step(union_step("u$1", {"a", "bs"}))).ok());
  ASSERT_TRUE(a().advance_watermark(100).ok());
  ASSERT_TRUE(b().advance_watermark(10).ok());
  EXPECT_EQ(g.graph.find("u")->watermark(), 10);
  ASSERT_TRUE(b().set_source_idle(true).ok());
  EXPECT_TRUE(g.graph.find("bs")->idle());
  EXPECT_EQ(g.graph.find("u")->watermark(), 100);
}

// A pipeline with a join, a subquery over it and a union of a with that:
// u$1 = a × b, u$3 = SELECT k, w AS v FROM u$1, u$2 = a UNION ALL u$3, u = SELECT * FROM u$2.
void declare(TestGraph& g) {
  auto q = query_over(left_schema(), "SELECT * FROM step_in", "u$2");
  auto join = join_step("u$1", "a", "b");
  sql::PlanStep sub;
  sub.kind = sql::PlanStep::Kind::kQuery;
  sub.name = "u$3";
  sub.inputs = {"u$1"};
  sub.query = query_over(join.schema, "SELECT k, w AS v FROM step_in", "u$1");
  sub.schema = sub.query->output_schema;
  q->steps = {join, sub, union_step("u$2", {"a", "u$3"})};
  ASSERT_TRUE(
      Ddl(g.catalog, g.graph).add_query("u", sql::ObjectKind::kStream, q, false, "test").ok());
}

void first_half(TestGraph& g) {
  ASSERT_TRUE(g.graph.source("a")->push(rows(left_schema(), {{1, 10}})).ok());
  ASSERT_TRUE(g.graph.source("b")->push(rows(right_schema(), {{2, 20}})).ok());
  ASSERT_TRUE(g.graph.source("a")->advance_watermark(40).ok());
  ASSERT_TRUE(g.graph.source("b")->advance_watermark(30).ok());
}

void second_half(TestGraph& g) {
  ASSERT_TRUE(g.graph.source("b")->push(rows(right_schema(), {{3, 30}})).ok());
  ASSERT_TRUE(g.graph.source("a")->push(rows(left_schema(), {{4, 40}})).ok());
  ASSERT_TRUE(g.graph.source("b")->advance_watermark(60).ok());
}

TEST_F(MultiInputTest, StepsAreCheckpointedAndRestoredByName) {
  declare(g);
  // Uninterrupted.
  TestGraph whole;
  whole.graph.set_join_factory([](std::shared_ptr<const sql::BoundJoin> j) {
    return Result<std::unique_ptr<JoinOperator>>(std::make_unique<CrossJoin>(j, nullptr));
  });
  ASSERT_TRUE(whole.execute("CREATE SOURCE a (k BIGINT, v BIGINT)").ok());
  ASSERT_TRUE(whole.execute("CREATE SOURCE b (k BIGINT, w BIGINT)").ok());
  declare(whole);
  Taps whole_taps;
  whole_taps.attach(whole.graph);
  first_half(whole);
  second_half(whole);

  // Stopped after the first half and restored into a pipeline declared the same way.
  first_half(g);
  StateWriter w;
  g.graph.snapshot(w);
  TestGraph resumed;
  resumed.graph.set_join_factory([](std::shared_ptr<const sql::BoundJoin> j) {
    return Result<std::unique_ptr<JoinOperator>>(std::make_unique<CrossJoin>(j, nullptr));
  });
  ASSERT_TRUE(resumed.execute("CREATE SOURCE a (k BIGINT, v BIGINT)").ok());
  ASSERT_TRUE(resumed.execute("CREATE SOURCE b (k BIGINT, w BIGINT)").ok());
  declare(resumed);
  StateReader r(w.bytes());
  ASSERT_TRUE(resumed.graph.restore(r).ok());
  EXPECT_EQ(resumed.graph.find("u$1")->watermark(), 30);
  EXPECT_EQ(resumed.graph.find("u$1")->operator_state().groups, 2);
  auto* join = static_cast<JoinNode*>(resumed.graph.find("u$1"));
  EXPECT_EQ(join->port_watermark(kLeftSide), 40);
  EXPECT_EQ(join->port_watermark(kRightSide), 30);
  Taps taps;
  taps.attach(resumed.graph);
  second_half(resumed);
  EXPECT_FALSE(whole_taps.out["u"].empty());
  // What the restored pipeline emits after the cut is what the uninterrupted one emitted
  // after it: u's rows from the second half (1|30| from the kept left row, 4|20| and 4|30|
  // from the kept right rows, 4|40| itself).
  EXPECT_EQ(taps.sorted("u"), (std::vector<std::string>{"1|30|", "4|20|", "4|30|", "4|40|"}));
  std::vector<std::string> whole_rows = whole_taps.sorted("u");
  EXPECT_EQ(whole_rows,
            (std::vector<std::string>{"1|10|", "1|20|", "1|30|", "4|20|", "4|30|", "4|40|"}));
  EXPECT_EQ(resumed.graph.find("u")->watermark(), whole.graph.find("u")->watermark());
}

TEST_F(MultiInputTest, ACheckpointOfAnotherPlanIsRefusedNamingTheStep) {
  ASSERT_TRUE(add("j", over_step(join_step("j$1", "a", "b"))).ok());
  StateWriter w;
  g.graph.snapshot(w);

  // The same names, but the step is a union now.
  TestGraph other;
  ASSERT_TRUE(other.execute("CREATE SOURCE a (k BIGINT, v BIGINT)").ok());
  ASSERT_TRUE(other.execute("CREATE SOURCE b (k BIGINT, w BIGINT)").ok());
  ASSERT_TRUE(Ddl(other.catalog, other.graph)
                  .add_query("j", sql::ObjectKind::kStream,
                             over_step(union_step("j$1", {"a", "b"})), false, "test")
                  .ok());
  StateReader r(w.bytes());
  Status s = other.graph.restore(r);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.to_string().find("j$1"), std::string::npos) << s.to_string();
  EXPECT_NE(s.to_string().find("union"), std::string::npos) << s.to_string();

  // A pipeline without the step at all.
  TestGraph plain;
  ASSERT_TRUE(plain.execute("CREATE SOURCE a (k BIGINT, v BIGINT)").ok());
  ASSERT_TRUE(plain.execute("CREATE SOURCE b (k BIGINT, w BIGINT)").ok());
  ASSERT_TRUE(plain.execute("CREATE STREAM j AS SELECT * FROM a").ok());
  StateReader r2(w.bytes());
  s = plain.graph.restore(r2);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.to_string().find("j$1"), std::string::npos) << s.to_string();

  // A checkpoint without the step, restored into the pipeline that has it.
  StateWriter w2;
  plain.graph.snapshot(w2);
  StateReader r3(w2.bytes());
  s = g.graph.restore(r3);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.to_string().find("the pipeline has j$1"), std::string::npos) << s.to_string();
}

TEST_F(MultiInputTest, IntrospectionShowsStepsUnderTheirObject) {
  auto step = join_step("j$1", "a", "b");
  ASSERT_TRUE(add("j", over_step(step)).ok());
  ASSERT_TRUE(a().push(rows(left_schema(), {{1, 10}})).ok());

  auto explain = g.execute("EXPLAIN j");
  ASSERT_TRUE(explain.ok()) << explain.status().to_string();
  std::vector<std::string> lines;
  for (int64_t r = 0; r < explain->rows.num_rows(); ++r)
    lines.emplace_back(explain->rows.column(0).string_value(r));
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0].rfind("source a", 0), 0u) << lines[0];
  EXPECT_EQ(lines[1].rfind("source b", 0), 0u) << lines[1];
  EXPECT_EQ(lines[2], "join j$1: regular inner join a, b (no keys), state unbounded");
  EXPECT_EQ(lines[3].rfind("   └─ stream j: ", 0), 0u) << lines[3];

  auto pipeline = g.execute("SHOW PIPELINE");
  ASSERT_TRUE(pipeline.ok());
  const RecordBatch& p = pipeline->rows;
  std::vector<std::string> names;
  for (int64_t r = 0; r < p.num_rows(); ++r) names.emplace_back(p.column(0).string_value(r));
  EXPECT_EQ(names, (std::vector<std::string>{"a", "b", "j$1", "j"}));
  EXPECT_EQ(p.column(1).string_value(2), "join");
  EXPECT_EQ(p.column(2).string_value(2), "a, b");
  EXPECT_EQ(p.column(6).int64_value(2), 1);  // rows held
  EXPECT_EQ(p.column(7).int64_value(2), 16);

  JsonWriter w;
  w.begin_object();
  Introspection(g.catalog, g.graph).write_nodes(w);
  w.end_object();
  const std::string json = w.take();
  EXPECT_NE(json.find("{\"name\":\"j$1\",\"kind\":\"join\",\"input\":\"a, b\""), std::string::npos)
      << json;
  EXPECT_NE(json.find("\"step_of\":\"j\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"late_rows\":0"), std::string::npos) << json;

  // A sink's anonymous stream takes its steps along when the sink is dropped.
  ASSERT_TRUE(Ddl(g.catalog, g.graph)
                  .add_query("_sink_k", sql::ObjectKind::kStream,
                             over_step(union_step("_sink_k$1", {"a", "b"})), true, "test")
                  .ok());
  ASSERT_TRUE(g.execute("CREATE SINK k FROM _sink_k INTO blackhole ()").ok());
  ASSERT_TRUE(g.execute("DROP SINK k").ok());
  EXPECT_EQ(g.graph.find("_sink_k$1"), nullptr);
}

TEST_F(MultiInputTest, TheStateBudgetCountsAJoinsState) {
  ASSERT_TRUE(add("j", over_step(join_step("j$1", "a", "b"))).ok());
  ASSERT_TRUE(a().push(rows(left_schema(), {{1, 10}, {2, 20}, {3, 30}})).ok());
  EXPECT_TRUE(runtime::StateBudget(48).check(g.graph).ok());
  ASSERT_TRUE(b().push(rows(right_schema(), {{4, 40}})).ok());
  Status s = runtime::StateBudget(48).check(g.graph);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), ErrorCode::kStateMemoryExceeded);
  EXPECT_NE(s.to_string().find("join 'j$1' (a step of 'j') holds 64 bytes"), std::string::npos)
      << s.to_string();
}

}  // namespace
}  // namespace sluice::dataflow
