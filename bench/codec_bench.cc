// Codec throughput: sluice's one-pass encoders and decoders, beside a naive per-row
// nlohmann-json writer measured in the same run. Prints the ratios at the end.
//   build/release/bench/codec_bench [--benchmark_min_time=0.5]

#include <benchmark/benchmark.h>

#include "ratio_reporter.h"

#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <string>

#include "columnar/row_decoder.h"
#include "columnar/row_encoder.h"
#include "columnar/timestamp.h"
#include "sluice/batch_builder.h"

namespace sluice {
namespace {

constexpr int kRows = 4096;

// Trade-like rows: symbol, price, volume, ts, venue (one in ten NULL).
RecordBatch make_trades() {
  static const char* kSymbols[] = {"AAPL", "MSFT", "GOOG", "AMZN", "NVDA", "TSLA", "META", "IBM"};
  BatchBuilder b(make_schema({{"symbol", DataType::kVarchar, false},
                              {"price", DataType::kDouble},
                              {"volume", DataType::kInt64},
                              {"ts", DataType::kTimestamp},
                              {"venue", DataType::kVarchar}}));
  std::mt19937_64 rng(1);
  std::uniform_real_distribution<double> price(10, 500);
  for (int i = 0; i < kRows; ++i) {
    b.column(0).append_string(kSymbols[rng() % 8]);
    b.column(1).append_double(std::round(price(rng) * 100) / 100);
    b.column(2).append_int64(static_cast<int64_t>(rng() % 10000));
    b.column(3).append_int64(1'795'514'400'000'000 + i * 1'000);
    if (i % 10 == 0) {
      b.column(4).append_null();
    } else {
      b.column(4).append_string(i % 3 ? "XNAS" : "XNYS \"primary\"");
    }
  }
  return b.finish();
}

const RecordBatch& trades() {
  static const RecordBatch batch = make_trades();
  return batch;
}

void BM_EncodeJson_Sluice(benchmark::State& state) {
  const RecordBatch& batch = trades();
  JsonLinesEncoder encoder(*batch.schema());
  std::string out;
  for (auto _ : state) {
    out.clear();
    encoder.encode(batch, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * batch.num_rows());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(out.size()));
}
BENCHMARK(BM_EncodeJson_Sluice);

// What a straightforward implementation does: a JSON object per row, dumped to a string.
void BM_EncodeJson_NlohmannPerRow(benchmark::State& state) {
  const RecordBatch& batch = trades();
  const Schema& schema = *batch.schema();
  std::string out;
  for (auto _ : state) {
    out.clear();
    for (int64_t r = 0; r < batch.num_rows(); ++r) {
      nlohmann::json row;
      for (int c = 0; c < batch.num_columns(); ++c) {
        const Column& col = batch.column(c);
        const std::string& key = schema.field(c).name;
        if (col.is_null(r)) {
          row[key] = nullptr;
          continue;
        }
        switch (col.type()) {
          case DataType::kDouble:
            row[key] = col.double_value(r);
            break;
          case DataType::kInt64:
            row[key] = col.int64_value(r);
            break;
          case DataType::kVarchar:
            row[key] = std::string(col.string_value(r));
            break;
          case DataType::kTimestamp:
            row[key] = format_timestamp(col.int64_value(r));
            break;
          default:
            break;
        }
      }
      out += row.dump();
      out += '\n';
    }
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * batch.num_rows());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(out.size()));
}
BENCHMARK(BM_EncodeJson_NlohmannPerRow);

void BM_EncodeCsv_Sluice(benchmark::State& state) {
  const RecordBatch& batch = trades();
  CsvEncoder encoder(*batch.schema());
  std::string out;
  for (auto _ : state) {
    out.clear();
    encoder.encode(batch, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * batch.num_rows());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(out.size()));
}
BENCHMARK(BM_EncodeCsv_Sluice);

// Decodes the same rows, encoded once, with `decoder` each iteration.
void decode_rows(benchmark::State& state, const std::string& text, RowDecoder& decoder) {
  for (auto _ : state) {
    auto consumed = decoder.append(text, true);
    benchmark::DoNotOptimize(consumed);
    RecordBatch out = decoder.finish();
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(state.iterations() * trades().num_rows());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(text.size()));
}

void BM_DecodeJson_Sluice(benchmark::State& state) {
  const RecordBatch& batch = trades();
  std::string text;
  JsonLinesEncoder(*batch.schema()).encode(batch, text);
  decode_rows(state, text, *make_json_lines_decoder(batch.schema()));
}
BENCHMARK(BM_DecodeJson_Sluice);

void BM_DecodeJson_NlohmannPerRow(benchmark::State& state) {
  const RecordBatch& batch = trades();
  std::string text;
  JsonLinesEncoder(*batch.schema()).encode(batch, text);
  for (auto _ : state) {
    BatchBuilder b(batch.schema());
    size_t pos = 0;
    while (pos < text.size()) {
      const size_t nl = text.find('\n', pos);
      auto row = nlohmann::json::parse(std::string_view(text).substr(pos, nl - pos));
      pos = nl + 1;
      b.column(0).append_string(row["symbol"].get<std::string>());
      row["price"].is_null() ? b.column(1).append_null()
                             : b.column(1).append_double(row["price"].get<double>());
      row["volume"].is_null() ? b.column(2).append_null()
                              : b.column(2).append_int64(row["volume"].get<int64_t>());
      b.column(3).append_int64(*parse_timestamp(row["ts"].get<std::string>()));
      row["venue"].is_null() ? b.column(4).append_null()
                             : b.column(4).append_string(row["venue"].get<std::string>());
    }
    RecordBatch out = b.finish();
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(state.iterations() * batch.num_rows());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(text.size()));
}
BENCHMARK(BM_DecodeJson_NlohmannPerRow);

void BM_DecodeCsv_Sluice(benchmark::State& state) {
  const RecordBatch& batch = trades();
  std::string text;
  CsvEncoder(*batch.schema()).encode(batch, text);
  decode_rows(state, text, *make_csv_decoder(batch.schema()));
}
BENCHMARK(BM_DecodeCsv_Sluice);

}  // namespace
}  // namespace sluice

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  sluice::bench::RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.print_ratio("json encode sluice/nlohmann", "BM_EncodeJson_Sluice",
                       "BM_EncodeJson_NlohmannPerRow");
  reporter.print_ratio("json decode sluice/nlohmann", "BM_DecodeJson_Sluice",
                       "BM_DecodeJson_NlohmannPerRow");
  benchmark::Shutdown();
  return 0;
}
