#include <gtest/gtest.h>

#include "sql/lexer.h"
#include "sql/parser.h"

namespace sluice::sql {
namespace {

TEST(Lexer, TokensCarryLineAndColumn) {
  auto tokens =
      tokenize("SELECT a,\n  'it''s' -- comment\n  FROM \"Weird Name\" /* x\n */ WHERE b >= 1.5e3");
  ASSERT_TRUE(tokens.ok()) << tokens.status().to_string();
  const auto& t = *tokens;
  ASSERT_EQ(t.size(), 11u);
  EXPECT_EQ(t[2].text, ",");
  EXPECT_EQ(t[3].kind, TokenKind::kString);
  EXPECT_EQ(t[3].text, "it's");
  EXPECT_EQ(t[3].pos.line, 2);
  EXPECT_EQ(t[3].pos.column, 3);
  EXPECT_EQ(t[5].kind, TokenKind::kQuotedIdent);
  EXPECT_EQ(t[5].text, "Weird Name");
  EXPECT_EQ(t[6].pos.line, 4);
  EXPECT_EQ(t[8].text, ">=");
  EXPECT_EQ(t[9].kind, TokenKind::kDecimal);
  EXPECT_EQ(t[10].kind, TokenKind::kEnd);
}

TEST(Lexer, ReportsBadCharactersWithPosition) {
  auto tokens = tokenize("SELECT a\n  FROM t WHERE a ? 1");
  ASSERT_FALSE(tokens.ok());
  EXPECT_EQ(tokens.status().to_string(), "SLC-1001 at 2:18: unexpected character '?'");
}

// Malformed UTF-8 is refused where it is, whatever holds it; the error names the byte.
TEST(Lexer, RefusesInvalidUtf8AtTheBadByte) {
  struct Case {
    std::string sql;
    const char* error;
  };
  const Case cases[] = {
      {"SELECT length('a\xff"
       "b')",
       "SLC-2004 at 1:17: invalid UTF-8 in a string literal: byte 0xFF"},
      {"SELECT 1,\n  'ok',\n  'x\xc3(' FROM t",
       "SLC-2004 at 3:5: invalid UTF-8 in a string literal: byte 0xC3"},
      {"SELECT \"col\xe9\" FROM t",
       "SLC-2004 at 1:12: invalid UTF-8 in a quoted identifier: byte 0xE9"},
      {"SELECT 1 -- caf\xe9\nFROM t", "SLC-2004 at 1:16: invalid UTF-8 in a comment: byte 0xE9"},
      {"SELECT 1 /* \n \x80 */", "SLC-2004 at 2:2: invalid UTF-8 in a comment: byte 0x80"},
      {"SELECT a \xff FROM t", "SLC-2004 at 1:10: invalid UTF-8 in the SQL text: byte 0xFF"},
      // An overlong '/', a UTF-16 surrogate, a sequence cut short by the closing quote.
      {"SELECT '\xc0\xaf'", "SLC-2004 at 1:9: invalid UTF-8 in a string literal: byte 0xC0"},
      {"SELECT '\xed\xa0\x80'", "SLC-2004 at 1:9: invalid UTF-8 in a string literal: byte 0xED"},
      {"SELECT '\xe2\x82'", "SLC-2004 at 1:9: invalid UTF-8 in a string literal: byte 0xE2"},
      // Well-formed, but not SQL: the whole character is named.
      {"SELECT a \xc2\xa7 b FROM t", "SLC-1001 at 1:10: unexpected character '\xc2\xa7'"},
  };
  for (const Case& c : cases) {
    auto r = parse_statements(c.sql);
    ASSERT_FALSE(r.ok()) << c.sql;
    EXPECT_EQ(r.status().to_string(), c.error) << c.sql;
  }
  auto fine =
      tokenize("SELECT 'h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x8c\x8a' AS \"\xc3\xa9t\xc3\xa9\"");
  ASSERT_TRUE(fine.ok()) << fine.status().to_string();
  EXPECT_EQ((*fine)[1].text, "h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x8c\x8a");
  EXPECT_EQ((*fine)[3].text, "\xc3\xa9t\xc3\xa9");
}

TEST(Parser, OperatorPrecedence) {
  auto e = parse_expression("a + b * c > 2 AND NOT d OR e IS NULL");
  ASSERT_TRUE(e.ok()) << e.status().to_string();
  EXPECT_EQ((*e)->to_sql(), "((((a + (b * c)) > 2) AND NOT d) OR e IS NULL)");
}

TEST(Parser, ConcatBindsLooserThanArithmetic) {
  auto e = parse_expression("'n=' || n + 1");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ((*e)->to_sql(), "('n=' || (n + 1))");
}

TEST(Parser, NegativeLiteralsFold) {
  auto e = parse_expression("-9223372036854775808");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ((*e)->kind, ExprKind::kLiteral);
  EXPECT_EQ((*e)->value_text, "-9223372036854775808");
}

TEST(Parser, ParsesEveryStatementKind) {
  auto all = parse_statements(R"(
    CREATE SOURCE IF NOT EXISTS trades (symbol VARCHAR NOT NULL, price DOUBLE PRECISION,
      ts TIMESTAMP, WATERMARK FOR ts AS ts - INTERVAL '5' SECOND)
      WITH (connector = 'file', path = 'trades.jsonl', on.error = 'skip');
    CREATE STREAM s AS SELECT symbol FROM trades EMIT CHANGES;
    CREATE MATERIALIZED VIEW v AS SELECT symbol, COUNT(*) FROM trades GROUP BY symbol;
    CREATE SINK a FROM s WHERE symbol <> 'x' INTO console (format = 'jsonl');
    CREATE SINK b AS SELECT * FROM trades INTO blackhole;
    CREATE SINK c FROM s WITH (connector = 'file', path = 'out');
    DROP MATERIALIZED VIEW IF EXISTS v;
    SHOW SINKS; SHOW MATERIALIZED VIEWS; SHOW PIPELINE;
    DESCRIBE trades; EXPLAIN s; EXPLAIN SELECT * FROM trades;
    SELECT * FROM v
  )");
  ASSERT_TRUE(all.ok()) << all.status().to_string();
  ASSERT_EQ(all->size(), 14u);
  const Statement& source = (*all)[0];
  EXPECT_TRUE(source.if_not_exists);
  EXPECT_EQ(source.columns.size(), 3u);
  EXPECT_TRUE(source.columns[0].not_null);
  EXPECT_EQ(source.watermark_column, "ts");
  ASSERT_EQ(source.options.size(), 3u);
  EXPECT_EQ(source.options[2].key, "on.error");
  EXPECT_EQ((*all)[1].query->emit, EmitMode::kChanges);
  EXPECT_EQ((*all)[3].connector, "console");
  EXPECT_EQ((*all)[4].connector, "blackhole");
  EXPECT_EQ((*all)[5].connector, "file");
  EXPECT_EQ((*all)[5].options.size(), 1u) << "connector is not an option";
  EXPECT_EQ((*all)[6].object, ObjectKind::kView);
  EXPECT_TRUE((*all)[6].if_exists);
  EXPECT_EQ((*all)[9].show_what, "PIPELINE");
  EXPECT_EQ((*all)[3].text,
            "CREATE SINK a FROM s WHERE symbol <> 'x' INTO console (format = 'jsonl')");
}

TEST(Parser, ErrorsSayWhatWasExpectedAndWhere) {
  struct Case {
    const char* sql;
    const char* error;
  };
  const Case cases[] = {
      {"CREATE TABLE t (a INT)",
       "SLC-1001 at 1:8: expected SOURCE, STREAM, MATERIALIZED VIEW or SINK after CREATE, found "
       "'TABLE'"},
      {"CREATE SOURCE t (a INT", "SLC-1001 at 1:23: expected ')', found the end of the input"},
      {"CREATE SINK s FROM t",
       "SLC-1001 at 1:21: expected INTO connector (...) or WITH (connector = '...', ...)"},
      {"SELECT a FROM t GROUP a", "SLC-1001 at 1:23: expected BY, found 'a'"},
      {"SELECT CASE a END FROM t", "SLC-1001 at 1:15: expected WHEN, found 'END'"},
      {"SELECT a FROM t; SELECT",
       "SLC-1001 at 1:24: expected an expression, found the end of the input"},
      {"SELECT INTERVAL '5' FORTNIGHT FROM t", "unknown interval unit 'FORTNIGHT'"},
  };
  for (const Case& c : cases) {
    auto r = parse_statements(c.sql);
    ASSERT_FALSE(r.ok()) << c.sql;
    EXPECT_NE(r.status().to_string().find(c.error), std::string::npos)
        << c.sql << "\n  got " << r.status().to_string();
  }
}

TEST(Parser, IntervalUnits) {
  EXPECT_EQ(*parse_interval_text("1.5", "minutes"), 90'000'000);
  EXPECT_EQ(*parse_interval_text("250", "MS"), 250'000);
  EXPECT_EQ(*parse_interval_text("2", "day"), 2 * 86'400'000'000LL);
  EXPECT_FALSE(parse_interval_text("x", "second").ok());
  EXPECT_FALSE(parse_interval_text("1", "year").ok());
}

TEST(Parser, IntervalStrings) {
  constexpr int64_t kSecond = 1'000'000;
  EXPECT_EQ(*parse_interval_string("1 hour 30 minutes"), 5400 * kSecond);
  EXPECT_EQ(*parse_interval_string("-1 hour 30 minutes"), -1800 * kSecond);
  EXPECT_EQ(*parse_interval_string("01:30"), 5400 * kSecond);
  EXPECT_EQ(*parse_interval_string("-0:00:01.5"), -1'500'000);
  EXPECT_EQ(*parse_interval_string("1 day 1 hour ago"), -90'000 * kSecond);
  EXPECT_EQ(*parse_interval_string("3usec"), 3);
  EXPECT_FALSE(parse_interval_string("1 mon").ok());
  EXPECT_FALSE(parse_interval_string("1 hour ago 2 min").ok());
  EXPECT_FALSE(parse_interval_string("1:2:3:4").ok());
  EXPECT_FALSE(parse_interval_string("01:30 02:00").ok());
  EXPECT_FALSE(parse_interval_string("-").ok());
  EXPECT_FALSE(parse_interval_string("1..5 s").ok());
}

}  // namespace
}  // namespace sluice::sql
