// Deletes of an input's changelog that match nothing the aggregate over changes holds are
// counted (OperatorStats::unmatched_deletes), once per row, and change nothing: a delete of a
// group never seen, and a delete whose group is there but lacks the row's value (a MIN's value
// set, a COUNT(x) at zero). The other operators' counts are end to end in
// tests/sql/unmatched_deletes.test.

#include <gtest/gtest.h>

#include "dataflow/aggregate_operator.h"
#include "dataflow/view_node.h"
#include "sluice/batch_builder.h"
#include "support/bind_over_source.h"

namespace sluice::dataflow {
namespace {

SchemaPtr changes_schema() {
  return make_schema({{"k", DataType::kVarchar},
                      {"v", DataType::kInt64},
                      {sql::kChangeOpColumn, DataType::kVarchar, false}});
}

struct Change {
  const char* k;
  std::optional<int64_t> v;
  const char* op;
};

RecordBatch changes(const std::vector<Change>& rows) {
  BatchBuilder b(changes_schema());
  for (const Change& c : rows) {
    b.column(0).append_string(c.k);
    c.v ? b.column(1).append_int64(*c.v) : b.column(1).append_null();
    b.column(2).append_string(c.op);
  }
  return b.finish();
}

std::string text(const std::vector<RecordBatch>& out) {
  std::string s;
  for (const RecordBatch& b : out) s += b.to_string();
  return s;
}

TEST(UnmatchedDeletes, AggregateCountsADeleteOfNoGroupOrOfAValueItsGroupLacks) {
  auto q = bind_over_changes(
      "SELECT k, MIN(v) AS lo, COUNT(v) AS n, COUNT(*) AS c FROM t GROUP BY k", changes_schema());
  ASSERT_TRUE(q);
  AggregateOperator op(q, false);
  std::vector<RecordBatch> out;
  ASSERT_TRUE(op.process(changes({{"a", 1, "insert"}, {"a", std::nullopt, "insert"}}), out).ok());
  EXPECT_EQ(op.stats().unmatched_deletes, 0);

  // No group 'b': nothing changes, nothing is emitted.
  out.clear();
  ASSERT_TRUE(op.process(changes({{"b", 1, "delete"}}), out).ok());
  EXPECT_EQ(op.stats().unmatched_deletes, 1);
  EXPECT_EQ(text(out), "");
  EXPECT_EQ(op.live_groups(), 1u);

  // Group 'a' holds no 5: MIN's set and COUNT(v) cannot take it back (one delete, counted once).
  out.clear();
  ASSERT_TRUE(op.process(changes({{"a", 5, "delete"}}), out).ok());
  EXPECT_EQ(op.stats().unmatched_deletes, 2);

  // A NULL is never counted by COUNT(v) nor kept by MIN: its delete matches the group's row.
  out.clear();
  ASSERT_TRUE(op.process(changes({{"a", std::nullopt, "delete"}}), out).ok());
  EXPECT_EQ(op.stats().unmatched_deletes, 2);
}

TEST(UnmatchedDeletes, ConsistentChangesCountNone) {
  auto q =
      bind_over_changes("SELECT k, MAX(v) AS hi, SUM(v) AS s FROM t GROUP BY k", changes_schema());
  ASSERT_TRUE(q);
  AggregateOperator op(q, false);
  std::vector<RecordBatch> out;
  ASSERT_TRUE(op.process(changes({{"a", 1, "insert"},
                                  {"a", 2, "insert"},
                                  {"a", 1, "delete"},
                                  {"a", 2, "delete"},
                                  {"a", 3, "insert"}}),
                         out)
                  .ok());
  EXPECT_EQ(op.stats().unmatched_deletes, 0);
}

// A materialized view over changes reads `_op` by the rule the aggregate (and every join) reads
// it (sql::is_delete_row: 'delete' deletes, anything else inserts), so a view and an aggregate
// over one changelog agree on which rows it holds.
TEST(UnmatchedDeletes, AViewReadsEachChangeAsTheAggregateDoes) {
  const RecordBatch input =
      changes({{"a", 1, "insert"}, {"b", 2, "INSERT"}, {"c", 3, "upsert"}, {"a", 1, "delete"}});

  auto counted = bind_over_changes("SELECT COUNT(*) AS n FROM t", changes_schema());
  ASSERT_TRUE(counted);
  AggregateOperator aggregate(counted, false);
  std::vector<RecordBatch> out;
  ASSERT_TRUE(aggregate.process(input, out).ok());
  ASSERT_TRUE(aggregate.on_watermark(kFinalWatermark, out).ok());
  EXPECT_EQ(aggregate.stats().unmatched_deletes, 0);

  auto definition = std::make_shared<sql::QueryDef>();
  definition->name = "mv";
  definition->kind = sql::ObjectKind::kView;
  definition->query = bind_over_changes("SELECT k, v FROM t", changes_schema());
  ASSERT_TRUE(definition->query);
  ViewNode view(definition);
  ASSERT_TRUE(view.feed(input, 0).ok());
  EXPECT_EQ(view.stats().unmatched_deletes, 0);
  EXPECT_EQ(view.table().size(), 2);  // b and c, as the aggregate counts
  EXPECT_NE(text(out).find("2 | insert"), std::string::npos) << text(out);  // b and c
}

}  // namespace
}  // namespace sluice::dataflow
