// The scalar functions of scalar_functions.cc beyond what the data files show: their syntax
// prints back as SQL that parses to the same tree (views keep their query as text), a regular
// expression is compiled when bound and kept in the bound tree, and kernels mix column and
// constant operands with NULLs row by row.

#include <gtest/gtest.h>

#include "sluice/batch_builder.h"
#include "sql/binder.h"
#include "sql/catalog.h"
#include "sql/expr_eval.h"
#include "sql/parser.h"

namespace sluice::sql {
namespace {

Result<BoundExprPtr> bind(std::string_view text, const RecordBatch& batch) {
  SLC_ASSIGN_OR_RETURN(ExprPtr ast, parse_expression(text));
  Catalog catalog;
  return Binder(catalog).bind_scalar(*ast, *batch.schema(), "t");
}

// a BIGINT (NULL every third row), s VARCHAR.
RecordBatch rows(int n) {
  BatchBuilder b(make_schema({{"a", DataType::kInt64}, {"s", DataType::kVarchar}}));
  for (int i = 0; i < n; ++i) {
    i % 3 == 0 ? b.column(0).append_null() : b.column(0).append_int64(i);
    b.column(1).append_string(std::string(static_cast<size_t>(i % 4), 'b') + "é");
  }
  return b.finish();
}

TEST(ScalarFunctionSyntax, PrintsBackAsSqlThatParsesTheSame) {
  for (const char* text :
       {"s ILIKE 'a%'", "s NOT ILIKE 'a%'", "a IS DISTINCT FROM b", "a IS NOT DISTINCT FROM NULL",
        "POSITION('x' || y IN s)", "CURRENT_TIMESTAMP", "NOW()", "x < CURRENT_TIMESTAMP"}) {
    auto first = parse_expression(text);
    ASSERT_TRUE(first.ok()) << text << ": " << first.status().to_string();
    const std::string sql = (*first)->to_sql();
    auto again = parse_expression(sql);
    ASSERT_TRUE(again.ok()) << sql << ": " << again.status().to_string();
    EXPECT_EQ((*again)->to_sql(), sql) << text;
  }
  auto position = parse_expression("POSITION('x' IN s)");
  ASSERT_TRUE(position.ok());
  EXPECT_EQ((*position)->to_sql(), "POSITION('x' IN s)");
}

TEST(ScalarFunctionSyntax, InListStillParsesInsidePositionOperands) {
  auto e = parse_expression("POSITION('x' IN CASE WHEN a IN (1, 2) THEN s ELSE 'x' END)");
  ASSERT_TRUE(e.ok()) << e.status().to_string();
}

TEST(ScalarFunction, RegexIsCompiledWhenBound) {
  RecordBatch batch = rows(8);
  auto e = bind("regexp_like(s, '^b{2}é$')", batch);
  ASSERT_TRUE(e.ok()) << e.status().to_string();
  ASSERT_NE((*e)->regex, nullptr);  // compiled here, once; evaluation only reads it
  for (int pass = 0; pass < 2; ++pass) {
    auto c = evaluate_column(**e, batch);
    ASSERT_TRUE(c.ok());
    for (int64_t i = 0; i < 8; ++i) EXPECT_EQ(c->bool_value(i), i % 4 == 2) << i;
  }
}

TEST(ScalarFunction, ColumnsAndConstantsMixRowByRow) {
  RecordBatch batch = rows(7);
  auto e = bind("lpad(s, a, 'xy')", batch);
  ASSERT_TRUE(e.ok()) << e.status().to_string();
  auto c = evaluate_column(**e, batch);
  ASSERT_TRUE(c.ok()) << c.status().to_string();
  // s is "bé", "bbé", "bbbé", "é", … and a is NULL every third row.
  const char* want[] = {nullptr, "b", "bb", nullptr, "xyxé", "xyxbé", nullptr};
  for (int64_t i = 0; i < 7; ++i) {
    if (want[i] == nullptr) {
      EXPECT_TRUE(c->is_null(i)) << i;
    } else {
      EXPECT_EQ(c->string_value(i), std::string_view(want[i])) << i;
    }
  }
  auto g = bind("GREATEST(a, 4, NULL)", batch);
  ASSERT_TRUE(g.ok()) << g.status().to_string();
  auto gc = evaluate_column(**g, batch);
  ASSERT_TRUE(gc.ok());
  for (int64_t i = 0; i < 7; ++i)
    EXPECT_EQ(gc->int64_value(i), i % 3 == 0 ? 4 : std::max<int64_t>(i, 4));
  auto d = bind("a IS NOT DISTINCT FROM NULL", batch);
  ASSERT_TRUE(d.ok());
  auto dc = evaluate_column(**d, batch);
  ASSERT_TRUE(dc.ok());
  EXPECT_EQ(dc->null_count(), 0);
  for (int64_t i = 0; i < 7; ++i) EXPECT_EQ(dc->bool_value(i), i % 3 == 0) << i;
}

TEST(ScalarFunction, NowIsRefusedWithoutAStatementTime) {
  RecordBatch batch = rows(1);
  auto e = bind("NOW()", batch);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.status().code(), ErrorCode::kSqlInvalidQuery);
}

}  // namespace
}  // namespace sluice::sql
