// The regular-expression and Unicode case kernels against hand loops calling RE2 and utf8proc
// directly on the same column in the same run (sql_bench prints the ratios):
//   regexp_like(s, '[0-9]{3}-[a-z]+x')   vs RE2::PartialMatch per row into a bitmap
//   lower(s)                              vs utf8proc_tolower per code point into a column
// Both kernels evaluate a bound expression (pattern compiled once, when bound) on 4096 rows of
// mixed ASCII / Latin / Greek / Cyrillic text, as a projection does per batch.

#include <benchmark/benchmark.h>
#include <re2/re2.h>
#include <utf8proc.h>

#include <string>
#include <vector>

#include "columnar/bitmap.h"
#include "sluice/batch_builder.h"
#include "sluice/column_builder.h"
#include "sql/binder.h"
#include "sql/catalog.h"
#include "sql/expr_eval.h"
#include "sql/parser.h"

namespace sluice {
namespace {

constexpr int kTextRows = 4096;
constexpr const char* kPattern = "[0-9]{3}-[a-z]+x";

const RecordBatch& text_batch() {
  static const RecordBatch batch = [] {
    const char* words[] = {"Straße", "ÉCOLE", "Σοφία", "Москва", "plain ascii", "MiXeD"};
    BatchBuilder b(make_schema({{"s", DataType::kVarchar}}));
    for (int i = 0; i < kTextRows; ++i) {
      std::string s = std::string(words[i % 6]) + " " + std::to_string(100 + i % 900) + "-" +
                      std::string(static_cast<size_t>(i % 13), 'q') + (i % 3 ? "x" : "y");
      b.column(0).append_string(s);
    }
    return b.finish();
  }();
  return batch;
}

void evaluate(benchmark::State& state, const char* text) {
  const RecordBatch& batch = text_batch();
  sql::Catalog catalog;
  auto ast = sql::parse_expression(text);
  if (!ast.ok()) return state.SkipWithError(ast.status().to_string().c_str());
  auto bound = sql::Binder(catalog).bind_scalar(**ast, *batch.schema(), "t");
  if (!bound.ok()) return state.SkipWithError(bound.status().to_string().c_str());
  for (auto _ : state) {
    auto c = sql::evaluate_column(**bound, batch);
    if (!c.ok()) return state.SkipWithError(c.status().to_string().c_str());
    benchmark::DoNotOptimize(*c);
  }
  state.SetItemsProcessed(state.iterations() * kTextRows);
}

void BM_RegexpLike_Kernel(benchmark::State& state) {
  evaluate(state, "regexp_like(s, '[0-9]{3}-[a-z]+x')");
}
BENCHMARK(BM_RegexpLike_Kernel);

void BM_RegexpLike_HandLoop(benchmark::State& state) {
  const Column& s = text_batch().column(0);
  const RE2 re(kPattern);
  std::vector<uint8_t> bits(static_cast<size_t>(bitmap::bytes_for(kTextRows)));
  for (auto _ : state) {
    std::fill(bits.begin(), bits.end(), 0);
    for (int64_t i = 0; i < kTextRows; ++i) {
      const std::string_view v = s.string_value(i);
      if (RE2::PartialMatch(re2::StringPiece(v.data(), v.size()), re)) bitmap::set(bits.data(), i);
    }
    benchmark::DoNotOptimize(bits.data());
  }
  state.SetItemsProcessed(state.iterations() * kTextRows);
}
BENCHMARK(BM_RegexpLike_HandLoop);

void BM_Lower_Kernel(benchmark::State& state) {
  evaluate(state, "lower(s)");
}
BENCHMARK(BM_Lower_Kernel);

void BM_Lower_HandLoop(benchmark::State& state) {
  const Column& s = text_batch().column(0);
  std::string scratch;
  for (auto _ : state) {
    ColumnBuilder out(DataType::kVarchar);
    out.reserve(kTextRows);
    for (int64_t i = 0; i < kTextRows; ++i) {
      const std::string_view v = s.string_value(i);
      scratch.clear();
      const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(v.data());
      const auto* end = p + v.size();
      while (p < end) {
        utf8proc_int32_t cp = 0;
        const utf8proc_ssize_t len = utf8proc_iterate(p, end - p, &cp);
        if (len <= 0) break;
        utf8proc_uint8_t buf[4];
        const utf8proc_ssize_t n = utf8proc_encode_char(utf8proc_tolower(cp), buf);
        scratch.append(reinterpret_cast<const char*>(buf), static_cast<size_t>(n));
        p += len;
      }
      out.append_string(scratch);
    }
    Column c = out.finish();
    benchmark::DoNotOptimize(c);
  }
  state.SetItemsProcessed(state.iterations() * kTextRows);
}
BENCHMARK(BM_Lower_HandLoop);

}  // namespace
}  // namespace sluice
