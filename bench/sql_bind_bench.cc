// The cost of big statements, which must stay linear in their size (part of sql_bench):
//   parse + bind of `x IN (0, 1, …)` with 10k and 100k items, of a 10k-term AND chain and a
//   10k-term `x * 0 + x * 1 + …`, and of a 10k-item SELECT over a 10k-column source; then
//   the evaluation rate of `x IN (…)` (a hash set built at bind time) beside the same test
//   written as a chain of equalities `x = 0 OR x = 1 OR …`, the shape IN used to be bound to
//   (then as nested binary ORs, now one n-ary OR), over one 4096-row batch.
//   build/release/bench/sql_bench --benchmark_filter='Bind|InList'

#include <benchmark/benchmark.h>

#include <string>

#include "sluice/batch_builder.h"
#include "sql/binder.h"
#include "sql/catalog.h"
#include "sql/expr_eval.h"
#include "sql/parser.h"

namespace sluice {
namespace {

SchemaPtr one_column() {
  return make_schema({{"x", DataType::kInt64}});
}

// "x IN (0, 1, …, n-1)"; "x <> 0 AND x <> 1 AND …"; "x = 0 OR x = 1 OR …"; "x + x + …".
std::string in_list(int n) {
  std::string s = "x IN (";
  for (int i = 0; i < n; ++i) s += (i ? ", " : "") + std::to_string(i);
  return s + ")";
}
std::string chain(int n, const std::string& term, const std::string& op) {
  std::string s;
  for (int i = 0; i < n; ++i) {
    if (i) s += " " + op + " ";
    s += term + std::to_string(i);
  }
  return s;
}

void parse_and_bind(benchmark::State& state, const std::string& text) {
  const SchemaPtr schema = one_column();
  sql::Catalog catalog;
  for (auto _ : state) {
    auto ast = sql::parse_expression(text);
    if (!ast.ok()) return state.SkipWithError(ast.status().to_string().c_str());
    auto bound = sql::Binder(catalog).bind_scalar(**ast, *schema, "t");
    if (!bound.ok()) return state.SkipWithError(bound.status().to_string().c_str());
    benchmark::DoNotOptimize(*bound);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

void BM_Bind_InList(benchmark::State& state) {
  parse_and_bind(state, in_list(static_cast<int>(state.range(0))));
}
BENCHMARK(BM_Bind_InList)->Arg(10'000)->Arg(100'000)->Unit(benchmark::kMillisecond);

void BM_Bind_AndChain(benchmark::State& state) {
  parse_and_bind(state, chain(static_cast<int>(state.range(0)), "x <> ", "AND"));
}
BENCHMARK(BM_Bind_AndChain)->Arg(10'000)->Unit(benchmark::kMillisecond);

void BM_Bind_PlusChain(benchmark::State& state) {
  parse_and_bind(state, chain(static_cast<int>(state.range(0)), "x * ", "+"));
}
BENCHMARK(BM_Bind_PlusChain)->Arg(10'000)->Unit(benchmark::kMillisecond);

// CREATE SOURCE t (c0 BIGINT, … c9999 BIGINT), then
// SELECT c0 + 0 AS a0, c1 + 1 AS a1, … FROM t: one select item per column, each column looked
// up by name among 10k.
void BM_Bind_WideSelect(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  std::string create = "CREATE SOURCE t (";
  std::string text = "SELECT ";
  for (int i = 0; i < n; ++i) {
    const std::string c = std::to_string(i);
    create += (i ? ", c" : "c") + c + " BIGINT";
    text += (i ? ", c" : "c") + c + " + " + c + " AS a" + c;
  }
  create += ")";
  text += " FROM t";
  sql::Catalog catalog;
  auto declared = sql::parse_statement(create);
  if (!declared.ok()) return state.SkipWithError(declared.status().to_string().c_str());
  auto source = sql::Binder(catalog).bind_source(*declared);
  if (!source.ok()) return state.SkipWithError(source.status().to_string().c_str());
  catalog.add(sql::Catalog::Entry{sql::ObjectKind::kSource,
                                  std::make_shared<sql::SourceDef>(std::move(*source)), nullptr,
                                  nullptr});
  for (auto _ : state) {
    auto statement = sql::parse_statement(text);
    if (!statement.ok()) return state.SkipWithError(statement.status().to_string().c_str());
    auto bound = sql::Binder(catalog).bind_query(*statement->query);
    if (!bound.ok()) return state.SkipWithError(bound.status().to_string().c_str());
    benchmark::DoNotOptimize(*bound);
  }
  state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_Bind_WideSelect)->Arg(10'000)->Unit(benchmark::kMillisecond);

// Rows of x = 0, 1, 2, …: a list of n items holds about n / 4096 of them.
void evaluate(benchmark::State& state, const std::string& text) {
  const SchemaPtr schema = one_column();
  BatchBuilder builder(schema);
  constexpr int kRows = 4096;
  for (int i = 0; i < kRows; ++i) builder.column(0).append_int64(i * 7);
  const RecordBatch batch = builder.finish();
  sql::Catalog catalog;
  auto ast = sql::parse_expression(text);
  if (!ast.ok()) return state.SkipWithError(ast.status().to_string().c_str());
  auto bound = sql::Binder(catalog).bind_scalar(**ast, *schema, "t");
  if (!bound.ok()) return state.SkipWithError(bound.status().to_string().c_str());
  std::vector<uint32_t> selection;
  for (auto _ : state) {
    Status s = sql::select_true(**bound, batch, selection);
    if (!s.ok()) return state.SkipWithError(s.to_string().c_str());
    benchmark::DoNotOptimize(selection.data());
  }
  state.SetItemsProcessed(state.iterations() * kRows);
}

void BM_InList_HashSet(benchmark::State& state) {
  evaluate(state, in_list(static_cast<int>(state.range(0))));
}
BENCHMARK(BM_InList_HashSet)->Arg(10)->Arg(100)->Arg(1000);

void BM_InList_OrChain(benchmark::State& state) {
  evaluate(state, chain(static_cast<int>(state.range(0)), "x = ", "OR"));
}
BENCHMARK(BM_InList_OrChain)->Arg(10)->Arg(100)->Arg(1000);

}  // namespace
}  // namespace sluice
