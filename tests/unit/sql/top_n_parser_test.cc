// ROW_NUMBER() OVER (...) and QUALIFY as parsed: the window's parts, the text they print as
// (EXPLAIN and error messages show it), and nesting counted through OVER.

#include <gtest/gtest.h>

#include "sql/parser.h"

namespace sluice::sql {
namespace {

TEST(TopNParser, OverAndQualifyParseIntoTheTree) {
  auto s = parse_statement(
      "SELECT k, ROW_NUMBER() OVER (PARTITION BY k, g ORDER BY v DESC NULLS LAST, x) AS rn "
      "FROM t WHERE v > 0 QUALIFY rn <= 3");
  ASSERT_TRUE(s.ok()) << s.status().to_string();
  const SelectStmt& q = *s->query;
  const Expr& call = *q.items[1].expr;
  ASSERT_EQ(call.kind, ExprKind::kFunction);
  EXPECT_EQ(call.name, "ROW_NUMBER");
  ASSERT_NE(call.over, nullptr);
  EXPECT_EQ(call.over->partition_by.size(), 2u);
  ASSERT_EQ(call.over->order_by.size(), 2u);
  EXPECT_TRUE(call.over->order_by[0].descending);
  EXPECT_EQ(call.over->order_by[0].nulls_first, false);
  EXPECT_FALSE(call.over->order_by[1].nulls_first.has_value());
  EXPECT_EQ(call.over->pos.column, 24);
  ASSERT_NE(q.qualify, nullptr);
  EXPECT_EQ(q.qualify_pos.column, 104);
  EXPECT_EQ(q.to_sql(),
            "SELECT k, ROW_NUMBER() OVER (PARTITION BY k, g ORDER BY v DESC NULLS LAST, x) AS rn "
            "FROM t WHERE (v > 0) QUALIFY (rn <= 3)");
}

TEST(TopNParser, QualifyIsNoAlias) {
  // Without QUALIFY reserved, `FROM t QUALIFY …` would read QUALIFY as t's alias.
  auto s = parse_statement("SELECT k FROM t QUALIFY ROW_NUMBER() OVER (ORDER BY k) = 1");
  ASSERT_TRUE(s.ok()) << s.status().to_string();
  ASSERT_NE(s->query->single_table(), nullptr);
  EXPECT_TRUE(s->query->single_table()->alias.empty());
  EXPECT_EQ(s->query->qualify->to_sql(), "(ROW_NUMBER() OVER (ORDER BY k) = 1)");
}

TEST(TopNParser, RefusalsPointAtWhatIsRefused) {
  struct Case {
    const char* sql;
    const char* error;
  };
  const Case cases[] = {
      {"SELECT RANK() OVER (ORDER BY v) FROM t",
       "SLC-0005 at 1:8: RANK() OVER (...) is not supported; the window functions supported are "
       "ROW_NUMBER() OVER (PARTITION BY … ORDER BY …), filtered to its first N rows (top-N: "
       "QUALIFY rn <= N), and COUNT, SUM, AVG, MIN, MAX OVER (PARTITION BY … ORDER BY … ROWS "
       "BETWEEN n PRECEDING AND CURRENT ROW)"},
      {"SELECT\n  COUNT(*) OVER (PARTITION BY k) FROM t",
       "SLC-0005 at 2:32: COUNT(...) OVER (...) needs a frame"},
      {"SELECT ROW_NUMBER() OVER (ORDER BY v RANGE UNBOUNDED PRECEDING) FROM t",
       "SLC-0005 at 1:38: RANGE frames are not supported"},
      {"SELECT ROW_NUMBER() OVER (ORDER BY v ROWS 1 PRECEDING) FROM t",
       "SLC-0005 at 1:38: ROW_NUMBER() takes no frame"},
      {"SELECT ROW_NUMBER() OVER win FROM t",
       "SLC-0005 at 1:26: named windows (OVER win) are not supported"},
      {"SELECT ROW_NUMBER(DISTINCT v) OVER (ORDER BY v) FROM t",
       "SLC-1001 at 1:28: ROW_NUMBER() takes no arguments"},
      {"SELECT ROW_NUMBER() OVER (ORDER v) FROM t", "SLC-1001 at 1:33: expected BY"},
      {"SELECT ROW_NUMBER() OVER (ORDER BY v FROM t", "SLC-1001 at 1:38: expected ')'"},
  };
  for (const Case& c : cases) {
    auto s = parse_statement(c.sql);
    ASSERT_FALSE(s.ok()) << c.sql;
    EXPECT_NE(s.status().to_string().find(c.error), std::string::npos) << c.sql << "\n"
                                                                       << s.status().to_string();
  }
}

TEST(TopNParser, NestingCountsThroughOver) {
  // A partition key nested just under the limit parses; one level more inside OVER is refused.
  auto nested = [](int levels) {
    std::string e = "k";
    for (int i = 0; i < levels; ++i) e = "(" + e + ")";
    return "SELECT ROW_NUMBER() OVER (PARTITION BY " + e + " ORDER BY v) FROM t";
  };
  EXPECT_TRUE(parse_statement(nested(kMaxExpressionDepth - 3)).ok());
  auto deep = parse_statement(nested(kMaxExpressionDepth));
  ASSERT_FALSE(deep.ok());
  EXPECT_EQ(deep.status().code(), ErrorCode::kSqlTooDeep);
}

}  // namespace
}  // namespace sluice::sql
