// The FROM shapes of issue 19 as the parser reads them: aliases, subqueries, joins of every
// supported kind, WITH, UNION ALL, their to_sql(), and every refused form at its line:column.

#include <gtest/gtest.h>

#include "sql/parser.h"

namespace sluice::sql {
namespace {

std::string round_trip(const std::string& sql) {
  auto s = parse_statement(sql);
  if (!s.ok()) return s.status().to_string();
  return s->query->to_sql();
}

std::string error_of(const std::string& sql) {
  auto s = parse_statement(sql);
  return s.ok() ? "parsed" : s.status().to_string();
}

TEST(FromParser, TablesWithAndWithoutAliases) {
  EXPECT_EQ(round_trip("SELECT b.price FROM bid b"), "SELECT b.price FROM bid AS b");
  EXPECT_EQ(round_trip("SELECT b.price FROM bid AS b WHERE b.price > 1"),
            "SELECT b.price FROM bid AS b WHERE (b.price > 1)");
  EXPECT_EQ(round_trip("SELECT * FROM bid"), "SELECT * FROM bid");
}

TEST(FromParser, EveryJoinKindRoundTrips) {
  EXPECT_EQ(round_trip("SELECT * FROM a JOIN b ON a.k = b.k"),
            "SELECT * FROM a JOIN b ON (a.k = b.k)");
  EXPECT_EQ(round_trip("SELECT * FROM a x INNER JOIN b AS y ON x.k = y.k"),
            "SELECT * FROM a AS x JOIN b AS y ON (x.k = y.k)");
  EXPECT_EQ(round_trip("SELECT * FROM a LEFT OUTER JOIN b ON a.k = b.k"),
            "SELECT * FROM a LEFT JOIN b ON (a.k = b.k)");
  EXPECT_EQ(round_trip("SELECT * FROM a LEFT JOIN b ON a.k = b.k AND b.ts BETWEEN a.ts - "
                       "INTERVAL '1' MINUTE AND a.ts + INTERVAL '2' MINUTE"),
            "SELECT * FROM a LEFT JOIN b ON ((a.k = b.k) AND b.ts BETWEEN (a.ts - INTERVAL '1' "
            "MINUTE) AND (a.ts + INTERVAL '2' MINUTE))");
  EXPECT_EQ(round_trip("SELECT * FROM t ASOF JOIN q ON t.s = q.s AND t.ts >= q.ts"),
            "SELECT * FROM t ASOF JOIN q ON ((t.s = q.s) AND (t.ts >= q.ts))");
  EXPECT_EQ(round_trip("SELECT * FROM t ASOF LEFT JOIN q ON t.ts >= q.ts"),
            "SELECT * FROM t ASOF LEFT JOIN q ON (t.ts >= q.ts)");
  EXPECT_EQ(round_trip("SELECT * FROM o JOIN rates FOR SYSTEM_TIME AS OF o.ts AS r ON o.c = r.c"),
            "SELECT * FROM o JOIN rates FOR SYSTEM_TIME AS OF o.ts AS r ON (o.c = r.c)");
  EXPECT_EQ(round_trip("SELECT * FROM a JOIN b ON a.k = b.k RETENTION INTERVAL '1' HOUR"),
            "SELECT * FROM a JOIN b ON (a.k = b.k) RETENTION INTERVAL '1' HOUR");
  // Joins nest to the left.
  EXPECT_EQ(round_trip("SELECT * FROM a JOIN b ON a.k = b.k LEFT JOIN c ON b.k = c.k"),
            "SELECT * FROM a JOIN b ON (a.k = b.k) LEFT JOIN c ON (b.k = c.k)");
  auto s = parse_statement("SELECT * FROM a JOIN b ON a.k = b.k LEFT JOIN c ON b.k = c.k");
  ASSERT_TRUE(s.ok());
  const FromItem& top = *s->query->from;
  EXPECT_EQ(top.kind, FromItem::Kind::kJoin);
  EXPECT_EQ(top.join, JoinSyntax::kLeft);
  EXPECT_EQ(top.left->kind, FromItem::Kind::kJoin);
  EXPECT_EQ(top.right->name, "c");
  EXPECT_EQ(top.pos.to_string(), "1:37");
}

TEST(FromParser, SubqueriesWithAndUnionAll) {
  EXPECT_EQ(round_trip("SELECT t.k FROM (SELECT k FROM s WHERE x > 1) AS t"),
            "SELECT t.k FROM (SELECT k FROM s WHERE (x > 1)) AS t");
  EXPECT_EQ(round_trip("SELECT t.k FROM (SELECT k FROM s) t"),
            "SELECT t.k FROM (SELECT k FROM s) AS t");
  EXPECT_EQ(round_trip("WITH a AS (SELECT k FROM s), b AS (SELECT k FROM a) SELECT k FROM b"),
            "WITH a AS (SELECT k FROM s), b AS (SELECT k FROM a) SELECT k FROM b");
  EXPECT_EQ(round_trip("SELECT k FROM s UNION ALL SELECT k FROM t UNION ALL SELECT k FROM u"),
            "SELECT k FROM s UNION ALL SELECT k FROM t UNION ALL SELECT k FROM u");
  auto s = parse_statement("CREATE STREAM x AS WITH a AS (SELECT k FROM s) SELECT k FROM a");
  ASSERT_TRUE(s.ok()) << s.status().to_string();
  ASSERT_EQ(s->query->with.size(), 1u);
  EXPECT_EQ(s->query->with[0].name, "a");
  EXPECT_TRUE(parse_statement("WITH a AS (SELECT k FROM s) SELECT k FROM a").ok());
  EXPECT_TRUE(parse_statement("EXPLAIN WITH a AS (SELECT k FROM s) SELECT k FROM a").ok());
  // A sink's own WITH (options) after AS SELECT is not a WITH query.
  EXPECT_TRUE(
      parse_statement("CREATE SINK k AS SELECT a.x FROM s a WITH (connector = 'console')").ok());
}

TEST(FromParser, RefusedFormsAtTheirPosition) {
  EXPECT_EQ(error_of("SELECT * FROM a RIGHT JOIN b ON a.k = b.k"),
            "SLC-0005 at 1:17: RIGHT JOIN is not supported: swap the two sides and write LEFT "
            "JOIN");
  EXPECT_EQ(error_of("SELECT *\nFROM a\n  FULL OUTER JOIN b ON a.k = b.k").substr(0, 50),
            "SLC-0005 at 3:3: FULL OUTER JOIN is not supported:");
  EXPECT_EQ(error_of("SELECT * FROM a CROSS JOIN b").substr(0, 45),
            "SLC-0005 at 1:17: CROSS JOIN is not supported");
  EXPECT_EQ(error_of("SELECT * FROM a, b").substr(0, 55),
            "SLC-0005 at 1:16: a comma between FROM items (a cross j");
  EXPECT_EQ(error_of("SELECT * FROM a x, b y").substr(0, 17), "SLC-0005 at 1:18:");
  EXPECT_EQ(error_of("SELECT * FROM a NATURAL JOIN b"),
            "SLC-0005 at 1:17: NATURAL JOIN is not supported; write JOIN … ON a.k = b.k");
  EXPECT_EQ(error_of("SELECT * FROM a JOIN b USING (k)"),
            "SLC-0005 at 1:24: JOIN … USING (…) is not supported; write ON a.k = b.k");
  EXPECT_EQ(error_of("SELECT * FROM a JOIN b WHERE a.k = 1"),
            "SLC-1001 at 1:24: expected ON and the join's condition, found 'WHERE'");
  EXPECT_EQ(error_of("SELECT k FROM s UNION SELECT k FROM t").substr(0, 54),
            "SLC-0005 at 1:17: UNION without ALL is not supported: ");
  EXPECT_EQ(error_of("SELECT k FROM s UNION DISTINCT SELECT k FROM t").substr(0, 17),
            "SLC-0005 at 1:17:");
  EXPECT_EQ(error_of("SELECT k FROM (SELECT k FROM s) WHERE k > 1"),
            "SLC-1001 at 1:33: a subquery in FROM needs an alias: (SELECT …) AS name, found "
            "'WHERE'");
  EXPECT_EQ(error_of("SELECT k FROM (a JOIN b ON a.k = b.k)"),
            "SLC-1001 at 1:16: expected SELECT after '(' in FROM: a subquery is (, found 'a'");
  EXPECT_EQ(error_of("SELECT * FROM a JOIN b ON a.k = b.k RETENTION 5"),
            "SLC-1001 at 1:47: RETENTION needs an INTERVAL literal");
  EXPECT_EQ(error_of("SELECT * FROM a OUTER JOIN b ON a.k = b.k"),
            "SLC-0005 at 1:17: expected JOIN, INNER JOIN, LEFT [OUTER] JOIN or ASOF [LEFT] "
            "JOIN, found 'OUTER'");
}

// Joins and subqueries nest: each one a level, limited as expressions are (SLC-1008), so that
// no walk of the tree can run out of stack.
TEST(FromParser, NestingIsLimited) {
  std::string joins = "SELECT * FROM t0";
  for (int i = 1; i <= kMaxExpressionDepth; ++i) {
    joins += " JOIN t" + std::to_string(i) + " ON t0.k = t" + std::to_string(i) + ".k";
  }
  auto j = parse_statement(joins);
  ASSERT_FALSE(j.ok());
  EXPECT_EQ(j.status().code(), ErrorCode::kSqlTooDeep);
  std::string nested = "SELECT k FROM s";
  for (int i = 0; i < kMaxExpressionDepth; ++i) nested = "SELECT k FROM (" + nested + ") AS q";
  auto n = parse_statement(nested);
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.status().code(), ErrorCode::kSqlTooDeep);
  std::string fine = "SELECT * FROM t0";
  for (int i = 1; i <= 100; ++i) {
    fine += " JOIN t" + std::to_string(i) + " ON t0.k = t" + std::to_string(i) + ".k";
  }
  EXPECT_TRUE(parse_statement(fine).ok());
}

}  // namespace
}  // namespace sluice::sql
