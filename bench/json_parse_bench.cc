// What decoding a Kafka message of JSON costs, by parser: the figures behind the JSON decoder's
// choice of simdjson's DOM parser and of its flat-object fast path (src/columnar/
// json_decoder.cc; issue 17's source ÷ consumer).
// Each case reads every member of kafka_source_bench's messages (bench/trade_json.h), one parse
// per message from a padded copy:
//   Dom                simdjson's DOM parser, as the decoder uses it: its kernel is chosen at run
//                      time (get_active_implementation(): icelake or haswell on x86-64)
//   OnDemandBuiltin    simdjson::ondemand as the header compiles it without -march: the
//                      "fallback" implementation's value parsing, but stage 1 (the structural
//                      scan) still by the run-time implementation (ondemand::parser::allocate)
//   OnDemandHaswell    the same On-Demand code compiled for haswell (json_parse_haswell.cc, a
//                      file of its own built with AVX2); skipped on a CPU without AVX2
//   DomColumns         Dom, and the values appended to columns by position, no checks: the floor
//                      of a decoder that knows the schema (/timestamps:0 without the timestamp
//                      parse, /timestamps:1 with it)
//   JsonLinesDecoder   sluice's decoder, one append per message into 8192-row batches, as the
//                      Kafka source decodes (parse + values into columns); /flat:1 as it runs
//                      (a flat object straight from its text, json_flat_object.h), /flat:0 its
//                      DOM path alone (JsonPaths::kDomOnly). Session 11, under load: 279 ns
//                      (flat:0) vs 198-202 ns (flat:1) per message, Dom alone 102
// Per-message CPU time is the benchmark's "cpu" column divided by kMessages.
//   build/release/bench/json_parse_bench [--benchmark_repetitions=5]
#include <benchmark/benchmark.h>
#include <simdjson.h>

#include <cstring>
#include <string>
#include <vector>

#include "columnar/row_decoder.h"
#include "columnar/timestamp.h"
#include "json_parse_haswell.h"
#include "sluice/batch_builder.h"
#include "trade_json.h"

namespace sluice::bench {
namespace {

constexpr size_t kMessages = 4096;
constexpr size_t kCapacity = 256;  // every message + simdjson::SIMDJSON_PADDING fits

// The messages, each at the start of a kCapacity-byte slot (padding readable).
struct Messages {
  std::vector<char> bytes = std::vector<char>(kMessages * kCapacity, ' ');
  std::vector<const char*> docs;
  std::vector<size_t> lengths;
  Messages() {
    for (size_t i = 0; i < kMessages; ++i) {
      const std::string m = trade_json(static_cast<int64_t>(i) * 7919);
      char* slot = bytes.data() + i * kCapacity;
      std::memcpy(slot, m.data(), m.size());
      docs.push_back(slot);
      lengths.push_back(m.size());
    }
  }
};
const Messages& messages() {
  static const Messages m;
  return m;
}

// Every member read as the decoder's columns hold it (two strings, a double, two integers).
template <typename Value>
uint64_t read_member(std::string_view key, Value value) {
  if (key == "symbol" || key == "ts") return std::string_view(value.get_string()).size();
  if (key == "price") return static_cast<uint64_t>(double(value.get_double()));
  return static_cast<uint64_t>(int64_t(value.get_int64()));
}

void Dom(benchmark::State& state) {
  const Messages& m = messages();
  simdjson::dom::parser parser;
  for (auto _ : state) {
    uint64_t sum = 0;
    for (size_t d = 0; d < kMessages; ++d) {
      simdjson::dom::element doc;
      if (parser.parse(m.docs[d], m.lengths[d], false).get(doc)) state.SkipWithError("parse");
      for (auto [key, value] : simdjson::dom::object(doc)) sum += read_member(key, value);
    }
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kMessages));
  state.SetLabel(std::string(simdjson::get_active_implementation()->name()));
}

void OnDemandBuiltin(benchmark::State& state) {
  const Messages& m = messages();
  simdjson::ondemand::parser parser;
  for (auto _ : state) {
    uint64_t sum = 0;
    for (size_t d = 0; d < kMessages; ++d) {
      auto doc = parser.iterate(m.docs[d], m.lengths[d], kCapacity);
      for (auto member : doc.get_object()) {
        sum += read_member(std::string_view(member.unescaped_key()), member.value());
      }
    }
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kMessages));
  state.SetLabel(std::string(simdjson::builtin_implementation()->name()) + " values, " +
                 std::string(simdjson::get_active_implementation()->name()) + " stage 1");
}

void OnDemandHaswell(benchmark::State& state) {
  __builtin_cpu_init();
  if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("bmi2") ||
      !__builtin_cpu_supports("pclmul")) {
    state.SkipWithError("no AVX2 on this CPU");
    return;
  }
  const Messages& m = messages();
  for (auto _ : state) {
    const uint64_t sum =
        haswell_ondemand_parse(m.docs.data(), m.lengths.data(), kMessages, kCapacity);
    if (sum == 0) state.SkipWithError("parse");
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kMessages));
  state.SetLabel(std::string(haswell_builtin_name()) + " values, " +
                 std::string(simdjson::get_active_implementation()->name()) + " stage 1");
}

void JsonLinesDecoder(benchmark::State& state) {
  const Messages& m = messages();
  auto decoder = make_json_lines_decoder(
      make_schema({{"id", DataType::kInt64, false},
                   {"symbol", DataType::kVarchar, false},
                   {"price", DataType::kDouble, false},
                   {"qty", DataType::kInt32, false},
                   {"ts", DataType::kTimestamp, false}}),
      state.range(0) != 0 ? JsonPaths::kFlatWhereExact : JsonPaths::kDomOnly);
  for (auto _ : state) {
    for (size_t d = 0; d < kMessages; ++d) {
      if (!decoder->append(std::string_view(m.docs[d], m.lengths[d]), true).ok()) {
        state.SkipWithError("decode");
      }
      if (decoder->num_rows() >= 8192) benchmark::DoNotOptimize(decoder->finish());
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kMessages));
}

// The floor of a decoder that knows the schema: Dom, each value appended to its column by the
// member's position (the rows' keys come in the schema's order), no checks. With the argument 1
// the timestamp is parsed (try_parse_timestamp); with 0 its length is stored instead, so the
// two show the column appends' cost and the timestamp parse's apart.
void DomColumns(benchmark::State& state) {
  const Messages& m = messages();
  const bool parse_timestamps = state.range(0) != 0;
  simdjson::dom::parser parser;
  BatchBuilder b(make_schema({{"id", DataType::kInt64, false},
                              {"symbol", DataType::kVarchar, false},
                              {"price", DataType::kDouble, false},
                              {"qty", DataType::kInt32, false},
                              {"ts", DataType::kTimestamp, false}}));
  for (auto _ : state) {
    for (size_t d = 0; d < kMessages; ++d) {
      simdjson::dom::element doc;
      if (parser.parse(m.docs[d], m.lengths[d], false).get(doc)) state.SkipWithError("parse");
      int position = 0;
      for (auto [key, value] : simdjson::dom::object(doc)) {
        ColumnBuilder& column = b.column(position);
        switch (position++) {
          case 0:
            column.append_int64(int64_t(value));
            break;
          case 1:
            column.append_string(std::string_view(value));
            break;
          case 2:
            column.append_double(double(value));
            break;
          case 3:
            column.append_int32(static_cast<int32_t>(int64_t(value)));
            break;
          default: {
            const std::string_view text(value);
            int64_t micros = static_cast<int64_t>(text.size());
            if (parse_timestamps && !try_parse_timestamp(text, micros)) {
              state.SkipWithError("timestamp");
            }
            column.append_int64(micros);
          }
        }
      }
      if (b.num_rows() >= 8192) benchmark::DoNotOptimize(b.finish());
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kMessages));
}

BENCHMARK(Dom);
BENCHMARK(DomColumns)->ArgName("timestamps")->Arg(0)->Arg(1);
BENCHMARK(OnDemandBuiltin);
BENCHMARK(OnDemandHaswell);
BENCHMARK(JsonLinesDecoder)->ArgName("flat")->Arg(0)->Arg(1);

}  // namespace
}  // namespace sluice::bench

BENCHMARK_MAIN();
