#pragma once
// check_decoder: what the JSON and CSV targets assert about a RowDecoder on any input.
//
// The text is decoded three ways: all at once; in two appends split at `split` (the first not
// final, so a record cut by the split waits for the rest, as when a file is tailed); and once
// failing at the first bad record. The first two must consume everything, report the same errors
// (same text, same line) and give the same rows; the third must fail with the first of those
// errors, or give the same rows when there is none. (A CSV header that lacks a declared
// column stops all three at once.) The rows are then encoded as JSON lines and
// CSV, as a sink would.

#include <algorithm>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "columnar/row_decoder.h"
#include "columnar/row_encoder.h"
#include "fuzz_check.h"

namespace sluice::fuzz {

struct Decoded {
  RecordBatch rows;
  std::vector<std::string> errors;
};

inline std::string as_json_lines(const RecordBatch& batch) {
  std::string out;
  JsonLinesEncoder(*batch.schema()).encode(batch, out);
  return out;
}

// Appends `pieces` in order (the last one final), skipping bad records.
inline Decoded decode_pieces(RowDecoder& decoder, const std::vector<std::string_view>& pieces) {
  Decoded d;
  auto collect = [&](const Status& s) {
    d.errors.push_back(s.to_string());
    return true;
  };
  std::string pending;
  for (size_t i = 0; i < pieces.size(); ++i) {
    pending.append(pieces[i]);
    const bool final = i + 1 == pieces.size();
    auto consumed = decoder.append(pending, final, collect);
    if (!consumed.ok()) {
      // Only what no skipping can mend stops it: a CSV header without a declared column
      // (every row would miss it). Split or not, it must stop the same way.
      FUZZ_CHECK(consumed.status().message().find("the header (") == 0,
                 "a decoder that skips bad records fails only on its header");
      d.errors.push_back(consumed.status().to_string());
      break;
    }
    FUZZ_CHECK(*consumed <= pending.size(), "consumed more than it was given");
    FUZZ_CHECK(!final || *consumed == pending.size(), "a final append consumes everything");
    pending.erase(0, *consumed);
  }
  d.rows = decoder.finish();
  return d;
}

inline void check_decoder(const std::function<std::unique_ptr<RowDecoder>()>& make,
                          const std::function<Result<RecordBatch>(std::string_view)>& decode_all,
                          std::string_view text, size_t split) {
  split = std::min(split, text.size());
  auto whole_decoder = make();
  const Decoded whole = decode_pieces(*whole_decoder, {text});
  auto split_decoder = make();
  const Decoded halves = decode_pieces(*split_decoder, {text.substr(0, split), text.substr(split)});
  const std::string rows = as_json_lines(whole.rows);
  FUZZ_CHECK(whole.errors == halves.errors, "the same errors, split or not");
  FUZZ_CHECK(rows == as_json_lines(halves.rows), "the same rows, split or not");

  auto strict = decode_all(text);
  if (whole.errors.empty()) {
    FUZZ_CHECK(strict.ok(), strict.status().to_string().c_str());
    FUZZ_CHECK(as_json_lines(*strict) == rows, "the same rows, failing on errors or not");
  } else {
    FUZZ_CHECK(!strict.ok() && strict.status().to_string() == whole.errors.front(),
               "failing on errors stops at the first one");
  }
  std::string csv;
  CsvEncoder(*whole.rows.schema()).encode(whole.rows, csv);
}

}  // namespace sluice::fuzz
