// Deep nesting is refused past kMaxExpressionDepth with SLC-1008 at the construct that crosses
// it, and everything up to the limit parses, binds, evaluates and is destroyed without running
// out of stack: each case runs on a thread whose stack is as big as a default thread's (the
// compute thread binds and evaluates), painted first, so the test also reports how much of it
// the deepest statement used.

#include <pthread.h>

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <optional>
#include <string>

#include "sluice/batch_builder.h"
#include "sql/binder.h"
#include "sql/catalog.h"
#include "sql/expr_eval.h"
#include "sql/parser.h"

namespace sluice::sql {
namespace {

constexpr int N = kMaxExpressionDepth;
constexpr size_t kThreadStack = 8 << 20;  // a default thread's, as the compute thread has
constexpr unsigned char kPaint = 0xa5;

// Runs `work` on a thread with a painted stack of `size` bytes; returns the most it used.
size_t stack_used(size_t size, const std::function<void()>& work) {
  void* stack = std::aligned_alloc(4096, size);
  std::memset(stack, kPaint, size);
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstack(&attr, stack, size);
  pthread_t thread;
  auto trampoline = [](void* fn) -> void* {
    (*static_cast<const std::function<void()>*>(fn))();
    return nullptr;
  };
  const std::function<void()>* fn = &work;
  EXPECT_EQ(pthread_create(&thread, &attr, trampoline, const_cast<std::function<void()>*>(fn)), 0);
  pthread_join(thread, nullptr);
  pthread_attr_destroy(&attr);
  // The stack grows down: the untouched paint is at the low end.
  const auto* bytes = static_cast<const unsigned char*>(stack);
  size_t untouched = 0;
  while (untouched < size && bytes[untouched] == kPaint) ++untouched;
  std::free(stack);
  return size - untouched;
}

std::string repeat(std::string_view s, int n) {
  std::string out;
  out.reserve(s.size() * static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

// An expression with k nested constructs (k + 1 levels), and the text that starts each
// construct, to find where the one crossing the limit is.
struct Kind {
  const char* name;
  std::function<std::string(int k)> make;
  const char* marker;
};

const std::vector<Kind>& kinds() {
  static const std::vector<Kind> all = {
      {"parentheses", [](int k) { return repeat("(", k) + "x" + repeat(")", k); }, "("},
      {"NOT", [](int k) { return repeat("NOT ", k) + "b"; }, "NOT"},
      {"unary minus", [](int k) { return repeat("- ", k) + "x"; }, "-"},
      {"unary plus", [](int k) { return repeat("+ ", k) + "x"; }, "+"},
      {"CASE",
       [](int k) { return repeat("CASE WHEN b THEN ", k) + "x" + repeat(" ELSE 0 END", k); },
       "CASE"},
      {"function calls", [](int k) { return repeat("abs(", k) + "x" + repeat(")", k); }, "abs"},
      {"CAST", [](int k) { return repeat("CAST(", k) + "x" + repeat(" AS BIGINT)", k); }, "CAST"},
      {"EXTRACT",
       [](int k) {
         return "x + " + repeat("EXTRACT(YEAR FROM CAST(", k / 2) + "ts" +
                repeat(" AS TIMESTAMP))", k / 2);
       },
       nullptr},
      {"IN lists", [](int k) { return repeat("b IN (", k) + "b" + repeat(")", k); }, "IN"},
      {"IS NULL", [](int k) { return "x" + repeat(" IS NULL", k); }, "IS"},
      {"comparisons", [](int k) { return "b" + repeat(" = b", k); }, "="},
      {"NOT BETWEEN", [](int k) { return "b" + repeat(" NOT BETWEEN b AND b", k); }, "NOT"},
      {"chains in parentheses",
       [](int k) { return repeat("x + x * (", k / 2) + "x" + repeat(")", k / 2); }, nullptr},
      {"folds in parentheses",
       [](int k) { return repeat("x - x + (", k / 2) + "x" + repeat(")", k / 2); }, nullptr},
  };
  return all;
}

// Column of the n-th (1-based) occurrence of `marker` as a token in `text`.
int column_of(const std::string& text, const char* marker, int n) {
  size_t at = 0;
  for (int seen = 0;; ++at) {
    at = text.find(marker, at);
    if (at == std::string::npos) return -1;
    const bool starts_token = at == 0 || text[at - 1] == ' ' || text[at - 1] == '(';
    if (starts_token && ++seen == n) return static_cast<int>(at) + 1;
  }
}

RecordBatch rows() {
  BatchBuilder b(make_schema({{"x", DataType::kInt64},
                              {"b", DataType::kBoolean},
                              {"s", DataType::kVarchar},
                              {"ts", DataType::kInt64}}));
  for (int i = 0; i < 3; ++i) {
    b.column(0).append_int64(i - 1);
    b.column(1).append_bool(true);
    b.column(2).append_string("a");
    b.column(3).append_int64(1'800'000'000'000 + i);
  }
  return b.finish();
}

Catalog catalog_with_t(const SchemaPtr& schema) {
  Catalog catalog;
  auto source = std::make_shared<SourceDef>();
  source->name = "t";
  source->schema = schema;
  catalog.add(Catalog::Entry{ObjectKind::kSource, source, nullptr, nullptr});
  return catalog;
}

// A parsed SELECT `expr` FROM t, bound and evaluated over three rows, then destroyed.
Status bind_and_evaluate(Statement s) {
  const RecordBatch batch = rows();
  const Catalog catalog = catalog_with_t(batch.schema());
  SLC_ASSIGN_OR_RETURN(BoundQuery q, Binder(catalog).bind_query(*s.query));
  SLC_ASSIGN_OR_RETURN(Column y, evaluate_column(*q.projection[0], batch));
  if (y.length() != 3) return Status(ErrorCode::kInternal, "wrong length");
  return Status::Ok();
}

Result<Statement> parse_select(const std::string& expr) {
  return parse_statement("SELECT " + expr + " AS y FROM t");
}

Status run_select(const std::string& expr) {
  SLC_ASSIGN_OR_RETURN(Statement s, parse_select(expr));
  return bind_and_evaluate(std::move(s));
}

// Parsing happens on the caller's thread, binding and evaluation on the compute thread: each
// gets a thread of its own here, with a default thread's stack.
TEST(DepthLimit, EveryKindWorksAtTheLimitOnADefaultThreadStack) {
  for (const Kind& kind : kinds()) {
    // The deepest this kind gets within the limit.
    int k = N - 1;
    for (Status s = run_select(kind.make(k)); s.code() == ErrorCode::kSqlTooDeep;
         s = run_select(kind.make(k))) {
      --k;
    }
    const std::string expr = kind.make(k);
    std::optional<Result<Statement>> parsed;
    const size_t parse_stack = stack_used(kThreadStack, [&] { parsed = parse_select(expr); });
    ASSERT_TRUE(parsed->ok()) << kind.name << ": " << parsed->status().to_string();
    Status result;
    const size_t bind_stack =
        stack_used(kThreadStack, [&] { result = bind_and_evaluate(std::move(**parsed)); });
    EXPECT_TRUE(result.ok()) << kind.name << ": " << result.to_string();
    EXPECT_GE(k, N / 3) << kind.name << " refused well within the limit";
    // The margin docs/sql.md promises ("Limits"): under half a default stack, even in a
    // sanitizer build.
    EXPECT_LT(parse_stack, kThreadStack / 2) << kind.name;
    EXPECT_LT(bind_stack, kThreadStack / 2) << kind.name;
    std::printf("  %-22s %4d constructs: stack %7zu bytes to parse, %7zu to bind and evaluate\n",
                kind.name, k, parse_stack, bind_stack);
  }
}

TEST(DepthLimit, OneLevelPastTheLimitIsRefusedWhereItIsCrossed) {
  for (const Kind& kind : kinds()) {
    if (kind.marker == nullptr) continue;
    const std::string under = kind.make(N - 1);  // N levels
    const std::string over = kind.make(N);       // N + 1 levels
    Status under_result, over_result;
    stack_used(kThreadStack, [&] {
      under_result = run_select(under);
      over_result = run_select(over);
    });
    EXPECT_TRUE(under_result.ok()) << kind.name << ": " << under_result.to_string();
    ASSERT_FALSE(over_result.ok()) << kind.name;
    EXPECT_EQ(over_result.code(), ErrorCode::kSqlTooDeep) << over_result.to_string();
    // The N-th construct opens level N + 1; "SELECT " puts the expression at column 8.
    const std::string where = "1:" + std::to_string(7 + column_of(over, kind.marker, N));
    EXPECT_EQ(over_result.to_string(), "SLC-1008 at " + where +
                                           ": expression nested too deeply (more than " +
                                           std::to_string(N) + " levels); simplify it or split it")
        << kind.name;
  }
}

// Far past the limit (the 5,000 parentheses, 10,000 NOTs): an error, never a crash,
// on the caller's thread.
TEST(DepthLimit, FarPastTheLimitIsAnErrorNotACrash) {
  for (const std::string& expr :
       {repeat("(", 5000) + "x" + repeat(")", 5000), repeat("NOT ", 10000) + "b",
        repeat("- ", 10000) + "x", repeat("abs(", 5000) + "x" + repeat(")", 5000),
        repeat("CASE WHEN b THEN ", 2000) + "x" + repeat(" END", 2000),
        "x" + repeat(" IS NULL", 10000), repeat("(", 100000)}) {
    auto r = parse_statement("SELECT " + expr + " FROM t");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), ErrorCode::kSqlTooDeep) << r.status().to_string();
  }
}

TEST(DepthLimit, DoubleNegationOfALiteral) {
  // "- -5" is minus (-5), not the text "--5".
  auto e = parse_expression("- -5");
  ASSERT_TRUE(e.ok()) << e.status().to_string();
  EXPECT_EQ((*e)->to_sql(), "--5");
  const RecordBatch batch = rows();
  Catalog catalog;
  auto bound = Binder(catalog).bind_scalar(**e, *batch.schema(), "t");
  ASSERT_TRUE(bound.ok()) << bound.status().to_string();
  auto v = evaluate_column(**bound, batch);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->int32_value(0), 5);
}

}  // namespace
}  // namespace sluice::sql
