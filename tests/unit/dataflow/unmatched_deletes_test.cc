// Deletes of an input's changelog that match nothing the aggregate over changes holds are
// counted (OperatorStats::unmatched_deletes), once per row, and change nothing: a delete of a
// group never seen, and a delete whose group is there but lacks the row's value (a MIN's value
// set, a COUNT(x) at zero). The other operators' counts are end to end in
// tests/sql/unmatched_deletes.test.

#include <gtest/gtest.h>

#include "dataflow/aggregate_operator.h"
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

}  // namespace
}  // namespace sluice::dataflow
