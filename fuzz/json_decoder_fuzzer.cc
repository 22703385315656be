// Fuzz target: JSON lines → the JSON lines decoder (simdjson), against the columns of
// pipeline.h (one of each type). The first byte picks where the text is split for the chunked
// decode (decoder_check.h); the rest is the text. Then the same text against the columns the
// decoder's fast path reads (json_flat_object.h), read with it and by the DOM alone: the same
// rows and the same errors.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "decoder_check.h"
#include "pipeline.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sluice;
  if (size == 0) return 0;
  static const SchemaPtr schema = fuzz::events_schema();
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  const size_t split = text.size() * data[0] / 255;
  fuzz::check_decoder([] { return make_json_lines_decoder(schema); },
                      [](std::string_view t) { return decode_json_lines(schema, t); }, text, split);

  static const SchemaPtr flat = make_schema({{"flag", DataType::kBoolean},
                                             {"small", DataType::kInt32},
                                             {"id", DataType::kInt64, false},
                                             {"price", DataType::kDouble},
                                             {"symbol", DataType::kVarchar},
                                             {"ts", DataType::kTimestamp}});
  auto fast = make_json_lines_decoder(flat, JsonPaths::kFlatWhereExact);
  auto dom = make_json_lines_decoder(flat, JsonPaths::kDomOnly);
  const fuzz::Decoded a = fuzz::decode_pieces(*fast, {text});
  const fuzz::Decoded b = fuzz::decode_pieces(*dom, {text});
  FUZZ_CHECK(a.errors == b.errors, "the fast path's errors are the DOM's");
  FUZZ_CHECK(fuzz::as_json_lines(a.rows) == fuzz::as_json_lines(b.rows),
             "the fast path's rows are the DOM's");
  return 0;
}
