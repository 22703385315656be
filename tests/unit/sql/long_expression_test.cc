// Long expressions: flat chains of 10,000 terms and IN lists of 100,000 items parse, bind,
// print and evaluate to the right value (a chain is one node, not 10,000 nested ones), with
// the semantics of the binary operations they stand for; and an operand tested several times
// (BETWEEN, IN, CASE x) is evaluated once, so nesting them costs linear time.

#include <gtest/gtest.h>

#include <string>

#include "sluice/batch_builder.h"
#include "sql/binder.h"
#include "sql/catalog.h"
#include "sql/expr_eval.h"
#include "sql/parser.h"

namespace sluice::sql {
namespace {

// Rows: x = 1, 2, NULL; y = 2.5, NULL, -0.0; s = 'a', 'b', NULL; flag = true, false, NULL;
// ts = 2026-11-24T10:00:00Z plus the row in seconds.
RecordBatch rows() {
  BatchBuilder b(make_schema({{"x", DataType::kInt64},
                              {"y", DataType::kDouble},
                              {"s", DataType::kVarchar},
                              {"flag", DataType::kBoolean},
                              {"ts", DataType::kTimestamp},
                              {"i", DataType::kInt32}}));
  b.column(0).append_int64(1);
  b.column(0).append_int64(2);
  b.column(0).append_null();
  b.column(1).append_double(2.5);
  b.column(1).append_null();
  b.column(1).append_double(-0.0);
  b.column(2).append_string("a");
  b.column(2).append_string("b");
  b.column(2).append_null();
  b.column(3).append_bool(true);
  b.column(3).append_bool(false);
  b.column(3).append_null();
  for (int r = 0; r < 3; ++r) {
    b.column(4).append_int64(1'795'514'400'000'000 + r * 1'000'000);
    b.column(5).append_int32(2'147'483'647);
  }
  return b.finish();
}

Result<BoundExprPtr> bind_expression(std::string_view text, const RecordBatch& batch) {
  SLC_ASSIGN_OR_RETURN(ExprPtr ast, parse_expression(text));
  Catalog catalog;
  return Binder(catalog).bind_scalar(*ast, *batch.schema(), "t");
}

Result<Column> eval(std::string_view text, const RecordBatch& batch = rows()) {
  SLC_ASSIGN_OR_RETURN(BoundExprPtr e, bind_expression(text, batch));
  return evaluate_column(*e, batch);
}

std::string chain(int n, std::string_view term, std::string_view op) {
  std::string s;
  for (int i = 0; i < n; ++i) {
    if (i) s += " " + std::string(op) + " ";
    s += term;
  }
  return s;
}

// The values of a column as text, NULL as "NULL".
std::vector<std::string> values(const Column& c) {
  std::vector<std::string> out;
  for (int64_t i = 0; i < c.length(); ++i) out.push_back(Value::from_column(c, i).to_string());
  return out;
}
using Texts = std::vector<std::string>;

constexpr int kTerms = 10'000;

TEST(LongExpression, ArithmeticChainsOfTenThousandTerms) {
  auto sum = eval(chain(kTerms, "x", "+"));
  ASSERT_TRUE(sum.ok()) << sum.status().to_string();
  EXPECT_EQ(values(*sum), (Texts{"10000", "20000", "NULL"}));
  auto difference = eval("x * 10000 - " + chain(kTerms - 1, "x", "-"));
  ASSERT_TRUE(difference.ok()) << difference.status().to_string();
  EXPECT_EQ(values(*difference), (Texts{"1", "2", "NULL"}));
  auto product = eval(chain(kTerms, "-1", "*"));
  ASSERT_TRUE(product.ok()) << product.status().to_string();
  EXPECT_EQ(values(*product), (Texts{"1", "1", "1"}));
  auto mixed = eval(chain(kTerms / 2, "x * 2 - x", "+"));  // (x * 2 - x) + … : 5000 x
  ASSERT_TRUE(mixed.ok()) << mixed.status().to_string();
  EXPECT_EQ(values(*mixed), (Texts{"5000", "10000", "NULL"}));
}

TEST(LongExpression, LogicAndConcatChainsOfTenThousandTerms) {
  auto all = eval(chain(kTerms, "x > 0", "AND"));
  ASSERT_TRUE(all.ok()) << all.status().to_string();
  EXPECT_EQ(values(*all), (Texts{"true", "true", "NULL"}));
  auto any = eval(chain(kTerms, "x = 2", "OR"));
  ASSERT_TRUE(any.ok()) << any.status().to_string();
  EXPECT_EQ(values(*any), (Texts{"false", "true", "NULL"}));
  auto text = eval(chain(kTerms, "s", "||"));
  ASSERT_TRUE(text.ok()) << text.status().to_string();
  EXPECT_EQ(text->string_value(0), std::string(kTerms, 'a'));
  EXPECT_EQ(text->string_value(1), std::string(kTerms, 'b'));
  EXPECT_TRUE(text->is_null(2));
}

// A chain prints as the left-nested operations it stands for; every step keeps its own text.
TEST(LongExpression, ChainsPrintAsNestedOperations) {
  auto e = parse_expression("x + 1 - y * 2 * 3 || s");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ((*e)->to_sql(), "(((x + 1) - ((y * 2) * 3)) || s)");
  auto long_chain = parse_expression(chain(kTerms, "x", "+"));
  ASSERT_TRUE(long_chain.ok());
  EXPECT_EQ((*long_chain)->kind, ExprKind::kBinary);
  EXPECT_EQ((*long_chain)->args.size(), size_t{kTerms});
  EXPECT_EQ((*long_chain)->levels, 2);
  const std::string text = (*long_chain)->to_sql();
  EXPECT_EQ(
      text, std::string(kTerms - 1, '(') + "x" + [] {
        std::string s;
        for (int i = 1; i < kTerms; ++i) s += " + x)";
        return s;
      }());
  auto bound = bind_expression(chain(kTerms, "x", "+"), rows());
  ASSERT_TRUE(bound.ok());
  EXPECT_EQ((*bound)->sql.str(), text);
  // A step that overflows names its own part of the chain.
  auto overflow = eval("i + 0 + 1 + 2");
  ASSERT_FALSE(overflow.ok());
  EXPECT_EQ(overflow.status().to_string(), "SLC-0006: integer overflow in ((i + 0) + 1)");
}

// Each step has the types of the binary operation it stands for: INT + INT overflows as INT
// even when a DOUBLE comes later, as ((i + 1) + 0.5) always did; a DOUBLE first widens all.
TEST(LongExpression, ChainStepsKeepTheirOwnTypes) {
  auto narrow = eval("i + 1 + 0.5");
  ASSERT_FALSE(narrow.ok());
  EXPECT_EQ(narrow.status().code(), ErrorCode::kOutOfRange);
  auto wide = eval("0.5 + i + 1");
  ASSERT_TRUE(wide.ok()) << wide.status().to_string();
  EXPECT_EQ(values(*wide)[0], "2147483648.5");
  auto nulls = eval("NULL + x + 1");
  ASSERT_TRUE(nulls.ok()) << nulls.status().to_string();
  EXPECT_EQ(values(*nulls), (Texts{"NULL", "NULL", "NULL"}));
  auto time = eval("ts + INTERVAL '1' SECOND + INTERVAL '2' SECOND - ts");
  ASSERT_TRUE(time.ok()) << time.status().to_string();
  EXPECT_EQ(time->type(), DataType::kInterval);
  EXPECT_EQ(time->int64_value(0), 3'000'000);
  auto bad = bind_expression("x + 1 + s", rows());
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().to_string(),
            "SLC-1003 at 1:7: operator '+' does not apply to BIGINT and VARCHAR");
}

TEST(LongExpression, ThreeValuedChains) {
  auto a = eval("flag AND NULL AND x > 0");
  ASSERT_TRUE(a.ok()) << a.status().to_string();
  EXPECT_EQ(values(*a), (Texts{"NULL", "false", "NULL"}));
  auto o = eval("flag OR NULL OR x > 5");
  ASSERT_TRUE(o.ok()) << o.status().to_string();
  EXPECT_EQ(values(*o), (Texts{"true", "NULL", "NULL"}));
}

std::string numbers(int from, int to, std::string_view suffix = "") {
  std::string s;
  for (int i = from; i < to; ++i)
    s += (i > from ? ", " : "") + std::to_string(i) + std::string(suffix);
  return s;
}

TEST(LongExpression, InListOfOneHundredThousandItems) {
  const std::string items = numbers(2, 100'002);  // 2 … 100001: not 1
  auto in = eval("x IN (" + items + ")");
  ASSERT_TRUE(in.ok()) << in.status().to_string();
  EXPECT_EQ(values(*in), (Texts{"false", "true", "NULL"}));
  auto not_in = eval("x NOT IN (" + items + ")");
  ASSERT_TRUE(not_in.ok()) << not_in.status().to_string();
  EXPECT_EQ(values(*not_in), (Texts{"true", "false", "NULL"}));
  auto with_null = eval("x IN (" + items + ", NULL)");
  ASSERT_TRUE(with_null.ok());
  EXPECT_EQ(values(*with_null), (Texts{"NULL", "true", "NULL"}));
  auto strings = eval("s IN ('b', 'c', 'd')");
  ASSERT_TRUE(strings.ok());
  EXPECT_EQ(values(*strings), (Texts{"false", "true", "NULL"}));
}

// Constants go in a hash set of the list's common type; other items are compared one by one.
TEST(LongExpression, InListTypesAndNonConstantItems) {
  auto mixed = eval("x IN (1.0, 3)");  // BIGINT and DOUBLE compare as DOUBLE
  ASSERT_TRUE(mixed.ok()) << mixed.status().to_string();
  EXPECT_EQ(values(*mixed), (Texts{"true", "false", "NULL"}));
  auto doubles = eval("y IN (0, 2.5)");  // -0.0 = 0
  ASSERT_TRUE(doubles.ok());
  EXPECT_EQ(values(*doubles), (Texts{"true", "NULL", "true"}));
  auto columns = eval("x IN (7, x * 1, NULL)");  // x * 1 is not constant
  ASSERT_TRUE(columns.ok()) << columns.status().to_string();
  EXPECT_EQ(values(*columns), (Texts{"true", "true", "NULL"}));
  auto miss = eval("x NOT IN (7, y)");
  ASSERT_TRUE(miss.ok()) << miss.status().to_string();
  EXPECT_EQ(values(*miss), (Texts{"true", "NULL", "NULL"}));
  auto times = eval("ts IN ('2026-11-24T10:00:01Z', TIMESTAMP '2027-01-01 00:00:00')");
  ASSERT_TRUE(times.ok()) << times.status().to_string();
  EXPECT_EQ(values(*times), (Texts{"false", "true", "false"}));
  auto booleans = eval("flag IN (FALSE)");
  ASSERT_TRUE(booleans.ok());
  EXPECT_EQ(values(*booleans), (Texts{"false", "true", "NULL"}));
  auto null_x = eval("NULL IN (1, 2)");
  ASSERT_TRUE(null_x.ok());
  EXPECT_EQ(values(*null_x), (Texts{"NULL", "NULL", "NULL"}));
  auto bad = bind_expression("x IN (1, 'a')", rows());
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), ErrorCode::kSqlTypeMismatch);
}

// Each of these tests its left side twice or more; written inside one another 150 deep they
// would evaluate the innermost 2^150 times if it were not computed once.
TEST(LongExpression, NestedTestsEvaluateTheirOperandOnce) {
  std::string between = "flag";
  for (int i = 0; i < 150; ++i) between = "(" + between + ") NOT BETWEEN FALSE AND TRUE";
  auto b = eval(between);
  ASSERT_TRUE(b.ok()) << b.status().to_string();
  EXPECT_EQ(values(*b), (Texts{"false", "false", "NULL"}));
  std::string in = "x";
  for (int i = 0; i < 150; ++i) in = "CASE WHEN (" + in + ") IN (1, 2, y) THEN 1 ELSE 2 END";
  auto n = eval(in);
  ASSERT_TRUE(n.ok()) << n.status().to_string();
  EXPECT_EQ(values(*n), (Texts{"1", "1", "1"}));
  std::string cases = "x";
  for (int i = 0; i < 150; ++i) cases = "CASE " + cases + " WHEN 1 THEN 1 WHEN 2 THEN 2 ELSE 3 END";
  auto c = eval(cases);
  ASSERT_TRUE(c.ok()) << c.status().to_string();
  EXPECT_EQ(values(*c), (Texts{"1", "2", "3"}));
}

// A GROUP BY key written again as the leading part of a chain still refers to the key.
TEST(LongExpression, GroupKeyAsTheLeadingPartOfAChain) {
  Catalog catalog;
  auto source = std::make_shared<SourceDef>();
  source->name = "t";
  source->schema = rows().schema();
  catalog.add(Catalog::Entry{ObjectKind::kSource, source, nullptr, nullptr});
  auto s = parse_statement("SELECT x + y + 1, COUNT(*) FROM t GROUP BY x + y");
  ASSERT_TRUE(s.ok());
  auto q = Binder(catalog).bind_query(*s->query);
  ASSERT_TRUE(q.ok()) << q.status().to_string();
  auto wrong = parse_statement("SELECT x + y + 1 FROM t GROUP BY y + 1");
  ASSERT_TRUE(wrong.ok());
  auto refused = Binder(catalog).bind_query(*wrong->query);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), ErrorCode::kSqlInvalidQuery);
}

// 2,000 columns, each looked up by name (any case) among 2,000; duplicate output names found,
// at the item that repeats one (also after a `*`).
TEST(LongExpression, WideSelectOverAWideSource) {
  constexpr int kColumns = 2000;
  std::string create = "CREATE SOURCE t (", select = "SELECT ";
  for (int i = 0; i < kColumns; ++i) {
    create += (i ? ", c" : "c") + std::to_string(i) + " BIGINT";
    select += (i ? ", C" : "C") + std::to_string(kColumns - 1 - i);
  }
  Catalog catalog;
  auto declared = parse_statement(create + ")");
  ASSERT_TRUE(declared.ok());
  auto source = Binder(catalog).bind_source(*declared);
  ASSERT_TRUE(source.ok()) << source.status().to_string();
  catalog.add(Catalog::Entry{ObjectKind::kSource, std::make_shared<SourceDef>(std::move(*source)),
                             nullptr, nullptr});
  auto s = parse_statement(select + " FROM t");
  ASSERT_TRUE(s.ok());
  auto q = Binder(catalog).bind_query(*s->query);
  ASSERT_TRUE(q.ok()) << q.status().to_string();
  ASSERT_EQ(q->projection.size(), size_t{kColumns});
  EXPECT_EQ(q->projection[0]->column, kColumns - 1);
  EXPECT_EQ(q->projection[kColumns - 1]->column, 0);
  auto unknown = parse_statement("SELECT c1, c20000 FROM t");
  auto refused = Binder(catalog).bind_query(*unknown->query);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), ErrorCode::kSqlUnknownName);
  auto twice = parse_statement("SELECT *, c7 FROM t");
  auto duplicate = Binder(catalog).bind_query(*twice->query);
  ASSERT_FALSE(duplicate.ok());
  EXPECT_EQ(duplicate.status().to_string(),
            "SLC-1004 at 1:11: two output columns are named 'c7'; add an alias with AS");
  auto again = parse_statement(create + ", C5 INT)");
  auto redeclared = Binder(catalog).bind_source(*again);
  ASSERT_FALSE(redeclared.ok());
  EXPECT_EQ(redeclared.status().code(), ErrorCode::kSqlDuplicateName);
}

}  // namespace
}  // namespace sluice::sql
