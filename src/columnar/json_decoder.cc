// JSON lines → rows: a flat object straight from its text into the columns where that reads
// exactly what simdjson's DOM parser would (json_flat_object.h), every other line with the DOM
// parser (the only file that includes simdjson).

#include <simdjson.h>

#include <algorithm>
#include <cmath>
#include <deque>
#include <string>
#include <vector>

#include "columnar/decimal.h"
#include "columnar/json_flat_object.h"
#include "columnar/json_flat_value.h"
#include "columnar/json_line_shape.h"
#include "columnar/row_decoder.h"
#include "columnar/timestamp.h"

namespace sluice {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

const char* json_kind(element_type t) {
  switch (t) {
    case element_type::ARRAY:
      return "an array";
    case element_type::OBJECT:
      return "an object";
    case element_type::INT64:
    case element_type::UINT64:
      return "an integer";
    case element_type::DOUBLE:
      return "a number";
    case element_type::STRING:
      return "a string";
    case element_type::BOOL:
      return "a boolean";
    case element_type::NULL_VALUE:
      return "null";
  }
  return "a value";
}

Status mismatch(const char* expected, element_type got) {
  return Status(ErrorCode::kValueConversion,
                std::string("expected ") + expected + ", got " + json_kind(got));
}

// Reads a JSON number as an exact integer (integral doubles included).
bool as_integer(element value, int64_t& out) {
  switch (value.type()) {
    case element_type::INT64:
      out = int64_t(value);
      return true;
    case element_type::UINT64: {
      const uint64_t u = uint64_t(value);
      if (u > static_cast<uint64_t>(INT64_MAX)) return false;
      out = static_cast<int64_t>(u);
      return true;
    }
    case element_type::DOUBLE: {
      const double d = double(value);
      if (!(d == std::trunc(d)) || d < -9.2e18 || d > 9.2e18) return false;
      out = static_cast<int64_t>(d);
      return true;
    }
    default:
      return false;
  }
}

// `raw` is the value's text in the line (for DECIMAL, whose digits must not pass through the
// double simdjson's DOM keeps).
Status append_value(ColumnBuilder& b, element value, std::string_view raw) {
  const element_type t = value.type();
  switch (b.type()) {
    case DataType::kDecimal: {
      if (t != element_type::STRING && !value.is_number()) return mismatch("a decimal number", t);
      SLC_ASSIGN_OR_RETURN(
          decimal::int128 v,
          decimal::parse(t == element_type::STRING ? std::string_view(value) : raw, b.type()));
      b.append_decimal(v);
      return Status::Ok();
    }
    case DataType::kDate: {
      if (t != element_type::STRING) return mismatch("a date string (YYYY-MM-DD)", t);
      SLC_ASSIGN_OR_RETURN(int32_t days, parse_date(std::string_view(value)));
      b.append_int32(days);
      return Status::Ok();
    }
    case DataType::kBoolean:
      if (t != element_type::BOOL) return mismatch("a boolean", t);
      b.append_bool(bool(value));
      return Status::Ok();
    case DataType::kInt32: {
      int64_t v;
      if (!value.is_number()) return mismatch("an integer", t);
      if (!as_integer(value, v) || v < INT32_MIN || v > INT32_MAX) {
        return Status(ErrorCode::kValueConversion,
                      "value " + simdjson::minify(value) + " does not fit INT");
      }
      b.append_int32(static_cast<int32_t>(v));
      return Status::Ok();
    }
    case DataType::kInt64: {
      int64_t v;
      if (!value.is_number()) return mismatch("an integer", t);
      if (!as_integer(value, v)) {
        return Status(ErrorCode::kValueConversion,
                      "value " + simdjson::minify(value) + " does not fit BIGINT");
      }
      b.append_int64(v);
      return Status::Ok();
    }
    case DataType::kDouble:
      if (t == element_type::DOUBLE) {
        b.append_double(double(value));
      } else if (t == element_type::INT64) {
        b.append_double(static_cast<double>(int64_t(value)));
      } else if (t == element_type::UINT64) {
        b.append_double(static_cast<double>(uint64_t(value)));
      } else {
        return mismatch("a number", t);
      }
      return Status::Ok();
    case DataType::kVarchar:
      if (t != element_type::STRING) return mismatch("a string", t);
      b.append_string(std::string_view(value));
      return Status::Ok();
    case DataType::kTimestamp: {
      if (t == element_type::STRING) {
        // The error (an allocation) only for a bad value: this runs once per row.
        int64_t micros = 0;
        if (!try_parse_timestamp(std::string_view(value), micros)) {
          return parse_timestamp(std::string_view(value)).status();
        }
        b.append_int64(micros);
        return Status::Ok();
      }
      int64_t millis;
      if (!as_integer(value, millis)) {
        return mismatch("a timestamp (RFC 3339 string or epoch milliseconds)", t);
      }
      if (millis > INT64_MAX / 1000 || millis < INT64_MIN / 1000) {
        return Status(ErrorCode::kInvalidTimestamp, "epoch milliseconds out of range");
      }
      b.append_int64(millis * 1000);
      return Status::Ok();
    }
    case DataType::kInterval: {
      int64_t millis;
      if (!as_integer(value, millis)) return mismatch("an interval in milliseconds", t);
      if (millis > INT64_MAX / 1000 || millis < INT64_MIN / 1000) {
        return Status(ErrorCode::kValueConversion, "interval out of range");
      }
      b.append_int64(millis * 1000);
      return Status::Ok();
    }
  }
  return Status(ErrorCode::kInternal, "unknown column type");
}

// The raw text of each member of the JSON object `line`, in document order: DOM iteration gives
// the same order, so member k's value text is spans[k].value. `line` need not be valid JSON
// (it is scanned before a re-parse, below); a malformed line gives fewer members.
struct MemberText {
  std::string_view key;  // between the quotes, escapes left as written
  std::string_view value;
};
void member_spans(std::string_view line, std::vector<MemberText>& spans) {
  spans.clear();
  size_t i = 0;
  auto ws = [&] {
    while (i < line.size() &&
           (line[i] == ' ' || line[i] == '\t' || line[i] == '\r' || line[i] == '\n')) {
      ++i;
    }
  };
  // At the opening quote; ends just past the closing one, or at line.size() + 1 when the string
  // is not closed (a backslash at the end escapes nothing: i never runs further).
  auto skip_string = [&] {
    ++i;
    while (i < line.size() && line[i] != '"') i += line[i] == '\\' ? 2 : 1;
    i = std::min(i + 1, line.size() + 1);
  };
  ws();
  if (i >= line.size() || line[i] != '{') return;
  ++i;
  while (true) {
    ws();
    if (i >= line.size() || line[i] != '"') return;
    const size_t key_start = i + 1;
    skip_string();
    if (i > line.size()) return;
    const std::string_view key = line.substr(key_start, i - 1 - key_start);
    ws();
    if (i >= line.size() || line[i] != ':') return;
    ++i;
    ws();
    const size_t start = i;
    int depth = 0;
    while (i < line.size()) {
      const char c = line[i];
      if (c == '"') {
        skip_string();
        continue;
      }
      if (c == '{' || c == '[') ++depth;
      if (c == '}' || c == ']') {
        if (depth == 0) break;
        --depth;
      }
      if (c == ',' && depth == 0) break;
      ++i;
    }
    size_t end = std::min(i, line.size());  // an unclosed string ran to the end
    while (end > start && (line[end - 1] == ' ' || line[end - 1] == '\t')) --end;
    spans.push_back({key, line.substr(start, end - start)});
    if (i >= line.size() || line[i] != ',') return;
    ++i;
  }
}

class JsonLinesDecoder final : public RowDecoder {
 public:
  JsonLinesDecoder(SchemaPtr schema, JsonPaths paths) : RowDecoder(std::move(schema)) {
    seen_.resize(static_cast<size_t>(builder_.schema()->num_fields()));
    flat_ = paths == JsonPaths::kFlatWhereExact;
    for (const Field& f : builder_.schema()->fields()) {
      has_decimal_ |= f.type == DataType::kDecimal;
      flat_ &= flat_type(f.type);
    }
  }

  Result<size_t> append(std::string_view text, bool final,
                        const DecodeErrorHandler& on_error) override {
    size_t pos = 0;
    while (pos < text.size()) {
      const size_t nl = text.find('\n', pos);
      if (nl == std::string_view::npos && !final) break;
      const size_t end = nl == std::string_view::npos ? text.size() : nl;
      std::string_view line = text.substr(pos, end - pos);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      const int64_t line_no = next_line_++;
      const size_t line_start = pos;
      pos = nl == std::string_view::npos ? text.size() : nl + 1;
      if (is_blank(line)) continue;
      Status s = append_line(line);
      if (!s.ok()) {
        Status located = s.with_location("line " + std::to_string(line_no));
        if (!skip(on_error, located)) {
          stopped_at_ = line_start;
          return located;
        }
      }
    }
    return pos;
  }

 private:
  static bool is_blank(std::string_view line) {
    for (char c : line) {
      if (c != ' ' && c != '\t') return false;
    }
    return true;
  }

  // simdjson's DOM refuses integers beyond 64 bits, which a DECIMAL(38, s) column may be sent:
  // such a line is parsed again with the numbers of its DECIMAL members quoted (their text is
  // what the column reads anyway).
  bool quote_decimal_numbers(std::string_view line) {
    member_spans(line, spans_);
    requoted_.clear();
    size_t copied = 0;
    bool changed = false;
    for (const MemberText& m : spans_) {
      const int index = builder_.schema()->find(m.key);
      if (index < 0 || builder_.schema()->field(index).type != DataType::kDecimal) continue;
      if (m.value.empty() || !(m.value[0] == '-' || (m.value[0] >= '0' && m.value[0] <= '9'))) {
        continue;
      }
      const auto at = static_cast<size_t>(m.value.data() - line.data());
      requoted_.append(line.substr(copied, at - copied));
      requoted_ += '"';
      requoted_.append(m.value);
      requoted_ += '"';
      copied = at + m.value.size();
      changed = true;
    }
    requoted_.append(line.substr(copied));
    return changed;
  }

  Status append_line(std::string_view line) {
    if (flat_ && (append_shaped(line) || append_flat(line))) return Status::Ok();
    // Grown only: a resize per line zero-fills what a longer line adds, each time.
    if (scratch_.size() < line.size() + simdjson::SIMDJSON_PADDING) {
      scratch_.resize(line.size() + simdjson::SIMDJSON_PADDING);
    }
    std::memcpy(scratch_.data(), line.data(), line.size());
    element doc;
    auto error = parser_.parse(scratch_.data(), line.size(), false).get(doc);
    if (error == simdjson::NUMBER_ERROR && has_decimal_ && quote_decimal_numbers(line)) {
      line = requoted_;
      scratch_.resize(line.size() + simdjson::SIMDJSON_PADDING);
      std::memcpy(scratch_.data(), line.data(), line.size());
      error = parser_.parse(scratch_.data(), line.size(), false).get(doc);
    }
    if (error) {
      const ErrorCode code =
          error == simdjson::UTF8_ERROR ? ErrorCode::kInvalidUtf8 : ErrorCode::kJsonParse;
      return Status(code, std::string(simdjson::error_message(error)));
    }
    simdjson::dom::object object;
    if (doc.get(object) != simdjson::SUCCESS) {
      return Status(ErrorCode::kJsonParse,
                    std::string("expected a JSON object, got ") + json_kind(doc.type()));
    }
    const int64_t row = builder_.num_rows();
    std::fill(seen_.begin(), seen_.end(), 0);
    if (has_decimal_) member_spans(line, spans_);
    Status status = append_fields(object);
    if (status.ok()) status = fill_missing();
    if (!status.ok()) builder_.truncate(row);
    return status;
  }

  Status append_fields(simdjson::dom::object object) {
    const Schema& schema = *builder_.schema();
    size_t position = 0;
    for (auto [key, value] : object) {
      const int index = find(key, position++);
      if (index < 0) continue;  // keys outside the schema are ignored
      const Field& field = schema.field(index);
      if (seen_[static_cast<size_t>(index)]) {
        return Status(ErrorCode::kJsonParse, "key appears twice", "field '" + field.name + "'");
      }
      seen_[static_cast<size_t>(index)] = 1;
      ColumnBuilder& column = builder_.column(index);
      if (value.is_null()) {
        if (!field.nullable) {
          return Status(ErrorCode::kMissingValue, "null for a NOT NULL column",
                        "field '" + field.name + "'");
        }
        column.append_null();
        continue;
      }
      const size_t member = position - 1;
      Status s = append_value(column, value,
                              member < spans_.size() ? spans_[member].value : std::string_view());
      if (!s.ok()) return s.with_location("field '" + field.name + "'");
    }
    return Status::Ok();
  }

  // The fastest path: a line of the last flat line's shape (json_line_shape.h), whose values go
  // to their columns with the flat path's conversions. True with the row appended, false with
  // nothing appended (another shape, or a value for the flat path or the DOM to read or refuse).
  bool append_shaped(std::string_view line) {
    if (!shape_.known()) return false;
    bool non_ascii = false;
    const int64_t row = builder_.num_rows();
    if (!shape_.append(line, builder_, non_ascii)) return false;
    if (non_ascii && !simdjson::validate_utf8(line)) {  // as append_flat checks
      builder_.truncate(row);
      return false;
    }
    return true;
  }

  // The fast path: true with the row appended, false with nothing appended (the line is not a
  // flat object, or some value is for the DOM to read or refuse). The same key lookup, duplicate
  // and missing-column rules as the DOM path's.
  bool append_flat(std::string_view line) {
    if (!scan_flat_object(line, expected_keys_, object_)) return false;
    // The DOM checks the whole line's UTF-8 (outside strings the scan allows ASCII only): the
    // same check, by simdjson's own validator
    if (object_.non_ascii && !simdjson::validate_utf8(line)) return false;
    const Schema& schema = *builder_.schema();
    const int64_t row = builder_.num_rows();
    std::fill(seen_.begin(), seen_.end(), 0);
    for (size_t position = 0; position < object_.members.size(); ++position) {
      const FlatMember& m = object_.members[position];
      const int index = m.expected ? order_hint_[position] : find(m.key, position);
      if (index < 0) {
        if (flat_ignorable(m)) continue;
        builder_.truncate(row);
        return false;
      }
      uint8_t& seen = seen_[static_cast<size_t>(index)];
      if (seen || !append_flat_value(builder_.column(index), schema.field(index).nullable, m)) {
        builder_.truncate(row);
        return false;
      }
      seen = 1;
    }
    bool every_column = true;
    for (size_t i = 0; i < seen_.size(); ++i) {
      if (seen_[i]) continue;
      every_column = false;
      if (!schema.field(static_cast<int>(i)).nullable) {
        builder_.truncate(row);
        return false;
      }
      builder_.column(static_cast<int>(i)).append_null();
    }
    // The next lines likely have this one's shape. A shape is only of lines with every column
    // (each once, as a line read here has each): those append no nulls for missing ones.
    if (every_column) {
      shape_.learn(line, object_.members,
                   std::vector<int>(
                       order_hint_.begin(),
                       order_hint_.begin() + static_cast<std::ptrdiff_t>(object_.members.size())),
                   schema);
    }
    return true;
  }

  Status fill_missing() {
    const Schema& schema = *builder_.schema();
    for (size_t i = 0; i < seen_.size(); ++i) {
      if (seen_[i]) continue;
      const Field& field = schema.field(static_cast<int>(i));
      if (!field.nullable) {
        return Status(ErrorCode::kMissingValue, "missing value for a NOT NULL column",
                      "field '" + field.name + "'");
      }
      builder_.column(static_cast<int>(i)).append_null();
    }
    return Status::Ok();
  }

  // Field index of a key; -1 when the schema has no such field. Lines of one stream nearly
  // always list keys in the same order, so the field found at this position last time is
  // tried first: one comparison per key instead of a search.
  int find(std::string_view key, size_t position) {
    const Schema& schema = *builder_.schema();
    if (position < order_hint_.size()) {
      const int hint = order_hint_[position];
      if (hint >= 0 && schema.field(hint).name == key) return hint;
    } else {
      order_hint_.resize(position + 1, -1);
    }
    int index = -1;
    for (int i = 0; i < schema.num_fields(); ++i) {
      if (schema.field(i).name == key) {
        index = i;
        break;
      }
    }
    if (index < 0) index = schema.find(key);  // SQL names match case-insensitively
    order_hint_[position] = index;
    if (expected_keys_.size() < order_hint_.size()) expected_keys_.resize(order_hint_.size());
    // The key as the line wrote it, when the fast path may compare it as it stands.
    expected_keys_[position] = index >= 0 && plain_key(key) ? key_text(key) : std::string_view();
    return index;
  }

  // A key the fast path compares as it stands (no scan): printable ASCII, no quote or backslash.
  static bool plain_key(std::string_view key) {
    for (char c : key) {
      if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') return false;
    }
    return !key.empty();
  }
  // A stable copy of a key (the line it came from goes away); a few per column at most (the
  // spellings a stream uses), past which a key goes unexpected (it is then found by find()).
  std::string_view key_text(std::string_view key) {
    for (const std::string& k : key_texts_) {
      if (k == key) return k;
    }
    if (key_texts_.size() >= 4 * seen_.size()) return {};
    return key_texts_.emplace_back(key);
  }

  simdjson::dom::parser parser_;
  std::vector<std::string_view> expected_keys_;  // per position, order_hint_'s key as written
  std::deque<std::string> key_texts_;            // what expected_keys_ point into
  bool flat_ = false;    // the fast path may read lines (every column of a type it reads)
  FlatObject object_;    // the fast path's members of the line, reused
  JsonLineShape shape_;  // the last flat line's (with every column), for the fastest path
  std::vector<char> scratch_;
  std::vector<int> order_hint_;
  std::vector<uint8_t> seen_;
  bool has_decimal_ = false;
  std::vector<MemberText> spans_;  // member texts of the line, when has_decimal_
  std::string requoted_;           // the line with its DECIMAL numbers quoted
};

}  // namespace

std::unique_ptr<RowDecoder> make_json_lines_decoder(SchemaPtr schema, JsonPaths paths) {
  return std::make_unique<JsonLinesDecoder>(std::move(schema), paths);
}

Result<RecordBatch> decode_json_lines(SchemaPtr schema, std::string_view text) {
  JsonLinesDecoder decoder(std::move(schema), JsonPaths::kFlatWhereExact);
  SLC_ASSIGN_OR_RETURN(size_t consumed, decoder.append(text, true, {}));
  (void)consumed;
  return decoder.finish();
}

}  // namespace sluice
