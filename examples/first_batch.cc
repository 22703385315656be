// The smallest end-to-end run of sluice's foundation: JSON lines in, a columnar batch,
// a filter through a selection vector, then JSON lines and CSV out, and a round trip
// through the Arrow C Data Interface. Bad lines are reported with their position and skipped.
//
//   first_batch INPUT.jsonl OUTPUT_PREFIX

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <vector>

#include "columnar/row_decoder.h"
#include "columnar/row_encoder.h"
#include "sluice/arrow.h"

using namespace sluice;

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s INPUT.jsonl OUTPUT_PREFIX\n", argv[0]);
    return 2;
  }
  std::ifstream in(argv[1], std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "cannot open %s\n", argv[1]);
    return 1;
  }
  std::stringstream text;
  text << in.rdbuf();

  SchemaPtr schema = make_schema({{"symbol", DataType::kVarchar, false},
                                  {"price", DataType::kDouble},
                                  {"volume", DataType::kInt64},
                                  {"ts", DataType::kTimestamp}});
  auto decoder = make_json_lines_decoder(schema);
  int skipped = 0;
  Result<size_t> consumed = decoder->append(text.str(), true, [&](const Status& error) {
    std::fprintf(stderr, "skipped: %s: %s\n", argv[1], error.to_string().c_str());
    ++skipped;
    return true;
  });
  if (!consumed.ok()) {
    std::fprintf(stderr, "%s\n", consumed.status().to_string().c_str());
    return 1;
  }
  RecordBatch trades = decoder->finish();
  std::printf("decoded %lld rows (%d skipped) as (%s)\n\n%s\n",
              static_cast<long long>(trades.num_rows()), skipped, schema->to_string().c_str(),
              trades.to_string().c_str());

  // Keep the trades of at least 1,000 shares.
  std::vector<uint32_t> selection;
  const Column& volume = trades.column(2);
  for (int64_t r = 0; r < trades.num_rows(); ++r) {
    if (volume.is_valid(r) && volume.int64_value(r) >= 1000) selection.push_back(uint32_t(r));
  }
  RecordBatch big = trades.take(selection);

  // Through the Arrow C Data Interface and back, zero-copy.
  ArrowArray array;
  ArrowSchema arrow_schema;
  if (Status s = export_record_batch(big, &array, &arrow_schema); !s.ok()) {
    std::fprintf(stderr, "%s\n", s.to_string().c_str());
    return 1;
  }
  Result<RecordBatch> back = import_record_batch(&array, &arrow_schema);
  if (!back.ok() || !back->equals(big)) {
    std::fprintf(stderr, "Arrow round trip failed: %s\n", back.status().to_string().c_str());
    return 1;
  }

  std::string json, csv;
  JsonLinesEncoder(*schema).encode(*back, json);
  CsvEncoder csv_encoder(*schema);
  csv_encoder.encode_header(csv);
  csv_encoder.encode(*back, csv);
  const std::string prefix = argv[2];
  const std::filesystem::path dir = std::filesystem::path(prefix).parent_path();
  std::error_code ec;
  if (!dir.empty()) std::filesystem::create_directories(dir, ec);
  if (ec) {
    std::fprintf(stderr, "cannot create %s: %s\n", dir.c_str(), ec.message().c_str());
    return 1;
  }
  std::ofstream(prefix + ".jsonl", std::ios::binary) << json;
  std::ofstream(prefix + ".csv", std::ios::binary) << csv;
  std::printf("trades of 1000+ shares → %s.jsonl and %s.csv:\n%s", prefix.c_str(), prefix.c_str(),
              json.c_str());
  return 0;
}
