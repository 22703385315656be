// Fuzz target: CSV → the CSV decoder, against the columns of pipeline.h (one of each type).
// The first byte picks the options (bit 0: a header line; bits 1-2: the delimiter , ; tab |),
// the second where the text is split for the chunked decode (decoder_check.h); the rest is the
// text.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "decoder_check.h"
#include "pipeline.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sluice;
  if (size < 2) return 0;
  static const SchemaPtr schema = fuzz::events_schema();
  CsvOptions options;
  options.header = (data[0] & 1) != 0;
  options.delimiter = ",;\t|"[(data[0] >> 1) & 3];
  const std::string_view text(reinterpret_cast<const char*>(data) + 2, size - 2);
  const size_t split = text.size() * data[1] / 255;
  fuzz::check_decoder([&] { return make_csv_decoder(schema, options); },
                      [&](std::string_view t) { return decode_csv(schema, t, options); }, text,
                      split);
  return 0;
}
