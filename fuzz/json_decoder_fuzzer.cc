// Fuzz target: JSON lines → the JSON lines decoder (simdjson), against the columns of
// pipeline.h (one of each type). The first byte picks where the text is split for the chunked
// decode (decoder_check.h); the rest is the text.

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
  return 0;
}
