// CSV (RFC 4180) → rows: quoted fields with doubled quotes, delimiters and line breaks
// inside quotes, CRLF or LF line ends, an optional header naming the columns.
// An empty unquoted field is NULL; a quoted empty field is the empty string.

#include <string>
#include <vector>

#include "columnar/row_decoder.h"
#include "columnar/value_parse.h"

namespace sluice {
namespace {

class CsvDecoder final : public RowDecoder {
 public:
  CsvDecoder(SchemaPtr schema, CsvOptions options)
      : RowDecoder(std::move(schema)), options_(options), header_pending_(options.header) {
    // Without a header, record field i is schema column i.
    for (int i = 0; i < builder_.schema()->num_fields(); ++i) column_of_field_.push_back(i);
  }

  Result<size_t> append(std::string_view text, bool final,
                        const DecodeErrorHandler& on_error) override {
    size_t pos = 0;
    while (pos < text.size()) {
      const int64_t line_no = next_line_;
      size_t end = std::string_view::npos;
      int64_t lines = 0;
      Status split = split_record(text, pos, final, end, lines);
      if (!split.ok()) {
        Status located = split.with_location("line " + std::to_string(line_no));
        if (!skip(on_error, located)) {
          stopped_at_ = pos;
          return located;
        }
        next_line_ += lines;
        // A malformed record is skipped whole; an unterminated quote runs to the end.
        if (end == std::string_view::npos) return text.size();
        pos = end;
        continue;
      }
      if (end == std::string_view::npos) break;  // incomplete record; wait for more text
      next_line_ += lines;
      const size_t record_start = pos;
      pos = end;
      if (fields_.size() == 1 && field_text(0).empty() && !quoted_[0]) continue;  // blank line
      if (header_pending_) {
        // A header that does not name every column is fatal whatever on.error says: every
        // row would miss that column.
        Status h = read_header();
        if (!h.ok()) {
          stopped_at_ = record_start;
          return h.with_location("line " + std::to_string(line_no));
        }
        continue;
      }
      Status s = append_record();
      if (!s.ok()) {
        Status located = s.with_location("line " + std::to_string(line_no));
        if (!skip(on_error, located)) {
          stopped_at_ = record_start;
          return located;
        }
      }
    }
    return pos;
  }

 private:
  struct Span {
    size_t begin, end;
  };

  std::string_view field_text(size_t i) const {
    return std::string_view(scratch_).substr(fields_[i].begin, fields_[i].end - fields_[i].begin);
  }

  // Splits one record starting at `pos` into fields_ (unescaped into scratch_). Sets `end`
  // past the record's line break, or npos when the record is incomplete and not final.
  Status split_record(std::string_view text, size_t pos, bool final, size_t& end, int64_t& lines) {
    fields_.clear();
    quoted_.clear();
    scratch_.clear();
    lines = 1;
    size_t i = pos;
    const char delim = options_.delimiter;
    for (;;) {
      const size_t begin = scratch_.size();
      bool quoted = false;
      if (i < text.size() && text[i] == '"') {
        quoted = true;
        ++i;
        for (;;) {
          if (i >= text.size()) {
            if (!final) {
              end = std::string_view::npos;
              return Status::Ok();
            }
            return Status(ErrorCode::kCsvParse, "unterminated quoted field at end of input");
          }
          const char c = text[i];
          if (c == '"') {
            if (i + 1 < text.size() && text[i + 1] == '"') {
              scratch_.push_back('"');
              i += 2;
              continue;
            }
            if (i + 1 >= text.size() && !final) {
              end = std::string_view::npos;  // cannot tell "" from " yet
              return Status::Ok();
            }
            ++i;
            break;
          }
          if (c == '\n') ++lines;
          scratch_.push_back(c);
          ++i;
        }
        if (i < text.size() && text[i] != delim && text[i] != '\n' && text[i] != '\r') {
          // Consume the rest of the record so the caller can resume after it.
          fields_.push_back({begin, scratch_.size()});
          quoted_.push_back(quoted);
          while (i < text.size() && text[i] != '\n') ++i;
          if (i >= text.size() && !final) {
            end = std::string_view::npos;
            return Status::Ok();
          }
          end = i < text.size() ? i + 1 : i;
          return Status(ErrorCode::kCsvParse, "unexpected character after a closing quote",
                        "field " + std::to_string(fields_.size()));
        }
      } else {
        while (i < text.size() && text[i] != delim && text[i] != '\n')
          scratch_.push_back(text[i++]);
        if (i < text.size() && text[i] == '\n' && !scratch_.empty() && scratch_.back() == '\r' &&
            scratch_.size() > begin) {
          scratch_.pop_back();
        }
      }
      fields_.push_back({begin, scratch_.size()});
      quoted_.push_back(quoted);
      if (i < text.size() && text[i] == '\r') {
        if (i + 1 < text.size() && text[i + 1] == '\n') {
          ++i;
        } else if (i + 1 >= text.size()) {
          if (!final) {
            end = std::string_view::npos;  // the '\n' may follow
            return Status::Ok();
          }
          end = i + 1;
          return Status::Ok();
        }
      }
      if (i >= text.size()) {
        if (!final) {
          end = std::string_view::npos;
          return Status::Ok();
        }
        end = i;
        return Status::Ok();
      }
      if (text[i] == '\n') {
        end = i + 1;
        return Status::Ok();
      }
      ++i;  // delimiter
    }
  }

  Status read_header() {
    const Schema& schema = *builder_.schema();
    column_of_field_.assign(fields_.size(), -1);
    std::vector<bool> covered(static_cast<size_t>(schema.num_fields()), false);
    for (size_t f = 0; f < fields_.size(); ++f) {
      const int column = schema.find(field_text(f));
      if (column >= 0 && !covered[static_cast<size_t>(column)]) {
        column_of_field_[f] = column;
        covered[static_cast<size_t>(column)] = true;
      }
    }
    header_pending_ = false;
    std::string missing;
    for (int c = 0; c < schema.num_fields(); ++c) {
      if (covered[static_cast<size_t>(c)]) continue;
      missing += (missing.empty() ? "'" : ", '") + schema.field(c).name + "'";
    }
    if (missing.empty()) return Status::Ok();
    std::string header;
    for (size_t f = 0; f < fields_.size(); ++f) {
      header += (f ? ", " : "") + std::string(field_text(f));
    }
    return Status(ErrorCode::kCsvParse, "the header (" + header + ") has no column " + missing +
                                            "; columns are matched by name");
  }

  Status append_record() {
    const Schema& schema = *builder_.schema();
    if (!options_.header && fields_.size() != column_of_field_.size()) {
      return Status(ErrorCode::kCsvParse, "expected " + std::to_string(column_of_field_.size()) +
                                              " fields, got " + std::to_string(fields_.size()));
    }
    if (options_.header && fields_.size() > column_of_field_.size()) {
      return Status(ErrorCode::kCsvParse, "record has " + std::to_string(fields_.size()) +
                                              " fields but the header has " +
                                              std::to_string(column_of_field_.size()));
    }
    const int64_t row = builder_.num_rows();
    present_.assign(static_cast<size_t>(schema.num_fields()), false);
    Status status;
    for (size_t f = 0; f < fields_.size() && status.ok(); ++f) {
      const int column = column_of_field_[f];
      if (column < 0) continue;
      present_[static_cast<size_t>(column)] = true;
      const Field& field = schema.field(column);
      ColumnBuilder& builder = builder_.column(column);
      const std::string_view text = field_text(f);
      if (text.empty() && (!quoted_[f] || field.type != DataType::kVarchar)) {
        if (!field.nullable) {
          status = Status(ErrorCode::kMissingValue, "empty value for a NOT NULL column",
                          "field '" + field.name + "'");
        } else {
          builder.append_null();
        }
        continue;
      }
      status = append_text_value(builder, text);
      if (!status.ok()) status = status.with_location("field '" + field.name + "'");
    }
    for (int c = 0; c < schema.num_fields() && status.ok(); ++c) {
      if (present_[static_cast<size_t>(c)]) continue;
      if (!schema.field(c).nullable) {
        status = Status(ErrorCode::kMissingValue, "missing value for a NOT NULL column",
                        "field '" + schema.field(c).name + "'");
      } else {
        builder_.column(c).append_null();
      }
    }
    if (!status.ok()) builder_.truncate(row);
    return status;
  }

  CsvOptions options_;
  bool header_pending_;
  std::vector<int> column_of_field_;
  std::vector<Span> fields_;
  std::vector<bool> quoted_;
  std::vector<bool> present_;
  std::string scratch_;
};

}  // namespace

std::unique_ptr<RowDecoder> make_csv_decoder(SchemaPtr schema, CsvOptions options) {
  return std::make_unique<CsvDecoder>(std::move(schema), options);
}

Result<RecordBatch> decode_csv(SchemaPtr schema, std::string_view text, CsvOptions options) {
  CsvDecoder decoder(std::move(schema), options);
  SLC_ASSIGN_OR_RETURN(size_t consumed, decoder.append(text, true, {}));
  (void)consumed;
  return decoder.finish();
}

}  // namespace sluice
