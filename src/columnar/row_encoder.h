#pragma once
// RecordBatch → text, in one pass into a caller-supplied buffer that the caller reuses
// (append-only; clear() it between uses and its capacity stays). Column keys and headers
// are encoded once, when the encoder is made for a schema.
//
// JSON lines: one object per row; numbers via std::to_chars (shortest round-trip form),
// NaN and ±Inf as null, strings escaped per RFC 8259, timestamps as RFC 3339 UTC strings,
// intervals as ISO 8601 durations ("PT90.5S").
// CSV: RFC 4180; fields quoted only when they need it; NULL is an empty field, the empty
// string is "" (so the two stay distinct); NaN and ±Inf as NULL.
//
// Thread: an encoder is immutable after construction; use it from any thread.

#include <string>
#include <vector>

#include "columnar/row_decoder.h"
#include "sluice/record_batch.h"
#include "sluice/schema.h"

namespace sluice {

class JsonLinesEncoder {
 public:
  explicit JsonLinesEncoder(const Schema& schema);
  // Appends one line per row (each ends with '\n').
  void encode(const RecordBatch& batch, std::string& out) const;
  // Appends rows [begin, end) of the batch.
  void encode_rows(const RecordBatch& batch, int64_t begin, int64_t end, std::string& out) const;

 private:
  std::vector<std::string> keys_;  // `{"name":` for the first column, `,"name":` after
};

class CsvEncoder {
 public:
  explicit CsvEncoder(const Schema& schema, CsvOptions options = {});
  // Appends the header line (column names).
  void encode_header(std::string& out) const;
  void encode(const RecordBatch& batch, std::string& out) const;
  // Appends rows [begin, end) of the batch.
  void encode_rows(const RecordBatch& batch, int64_t begin, int64_t end, std::string& out) const;

 private:
  std::string header_;
  CsvOptions options_;
};

// Appends `text` as a JSON string literal, quotes included.
void append_json_string(std::string_view text, std::string& out);

}  // namespace sluice
