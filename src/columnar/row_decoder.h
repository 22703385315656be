#pragma once
// RowDecoder: text records (JSON lines, CSV) → rows of a BatchBuilder against a schema.
//
// append() takes a chunk of input and decodes every complete record in it. Without `final`,
// a trailing record with no line end is left unconsumed (a file being tailed may still be
// writing it); the return value says how many bytes were consumed, so the caller can keep the
// rest. A record that fails to decode appends nothing; the decoder calls on_error with a
// Status located at "line N, field 'x'", and continues when on_error returns true (skip) or
// stops and returns that error when it returns false or is empty (fail). When it stops, the
// records before the bad one stay decoded (num_rows), and stopped_at() says how many bytes of
// the text came before the bad record, so a reader can deliver them and resume exactly.
//
// Thread: belongs to one thread.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>

#include "sluice/batch_builder.h"
#include "sluice/record_batch.h"
#include "sluice/status.h"

namespace sluice {

using DecodeErrorHandler = std::function<bool(const Status&)>;

class RowDecoder {
 public:
  explicit RowDecoder(SchemaPtr schema) : builder_(std::move(schema)) {}
  virtual ~RowDecoder() = default;

  virtual Result<size_t> append(std::string_view text, bool final,
                                const DecodeErrorHandler& on_error = {}) = 0;

  // Rows decoded and not yet finished into a batch.
  int64_t num_rows() const { return builder_.num_rows(); }
  size_t buffered_bytes() const { return builder_.data_bytes(); }
  // After append() stopped at a bad record: the bytes of its text before that record.
  size_t stopped_at() const { return stopped_at_; }
  // Line number of the next record (1-based), for positions in errors and offsets.
  int64_t next_line() const { return next_line_; }
  void set_next_line(int64_t line) { next_line_ = line; }
  const SchemaPtr& schema() const { return builder_.schema(); }

  RecordBatch finish() { return builder_.finish(); }
  // Room for `rows` more rows in every column, so that a reader that knows its batches' size
  // (a backlog read in full batches) appends them without the columns being copied as they grow.
  void reserve(int64_t rows) { builder_.reserve(rows); }

 protected:
  // Reports a bad record; true means skip it and go on.
  static bool skip(const DecodeErrorHandler& on_error, const Status& error) {
    return on_error && on_error(error);
  }

  BatchBuilder builder_;
  int64_t next_line_ = 1;
  size_t stopped_at_ = 0;
};

struct CsvOptions {
  char delimiter = ',';
  // The first record names the columns (matched to the schema by name, any order).
  bool header = false;
};

// How the JSON decoder reads a line: kFlatWhereExact, a flat object straight from its text into
// the columns wherever that gives exactly simdjson's DOM reading (json_flat_object.h), the DOM
// parser for every other line; kDomOnly, the DOM parser for every line (tests comparing both).
enum class JsonPaths { kFlatWhereExact, kDomOnly };
std::unique_ptr<RowDecoder> make_json_lines_decoder(SchemaPtr schema,
                                                    JsonPaths paths = JsonPaths::kFlatWhereExact);
std::unique_ptr<RowDecoder> make_csv_decoder(SchemaPtr schema, CsvOptions options = {});

// Decodes all of `text` into one batch, failing on the first bad record.
Result<RecordBatch> decode_json_lines(SchemaPtr schema, std::string_view text);
Result<RecordBatch> decode_csv(SchemaPtr schema, std::string_view text, CsvOptions options = {});

}  // namespace sluice
