#include "columnar/row_encoder.h"

#include <array>
#include <charconv>
#include <cmath>
#include <cstring>

#include "columnar/decimal.h"
#include "columnar/timestamp.h"

namespace sluice {
namespace {

// 1 where a byte must be escaped inside a JSON string.
constexpr auto kJsonEscape = [] {
  std::array<uint8_t, 256> t{};
  for (int c = 0; c < 0x20; ++c) t[static_cast<size_t>(c)] = 1;
  t['"'] = 1;
  t['\\'] = 1;
  return t;
}();

template <typename T>
void append_number(T value, std::string& out) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  out.append(buf, end);
}

// Appends the value of a non-null cell whose text form needs no quoting decisions.
void append_plain(const Column& column, int64_t row, std::string& out) {
  switch (column.type()) {
    case DataType::kBoolean:
      out += column.bool_value(row) ? "true" : "false";
      break;
    case DataType::kInt32:
      append_number(column.int32_value(row), out);
      break;
    case DataType::kInt64:
      append_number(column.int64_value(row), out);
      break;
    case DataType::kDouble:
      append_number(column.double_value(row), out);
      break;
    case DataType::kTimestamp:
      append_timestamp(column.int64_value(row), out);
      break;
    case DataType::kInterval:
      append_interval(column.int64_value(row), out);
      break;
    case DataType::kVarchar:
      out.append(column.string_value(row));
      break;
    case DataType::kDecimal:  // exact digits: a JSON number, a CSV field
      decimal::append(column.decimal_value(row), column.type().scale(), out);
      break;
    case DataType::kDate:
      append_date(column.int32_value(row), out);
      break;
  }
}

bool csv_needs_quotes(std::string_view s, char delimiter) {
  for (char c : s) {
    if (c == delimiter || c == '"' || c == '\n' || c == '\r') return true;
  }
  return s.empty();
}

void append_csv_text(std::string_view s, char delimiter, std::string& out) {
  if (!csv_needs_quotes(s, delimiter)) {
    out.append(s);
    return;
  }
  out.push_back('"');
  size_t run = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '"') {
      out.append(s.substr(run, i + 1 - run));
      out.push_back('"');
      run = i + 1;
    }
  }
  out.append(s.substr(run));
  out.push_back('"');
}

}  // namespace

namespace {

// At most 6 bytes per byte of text (\u00XX), and the quotes.
size_t json_string_max(size_t text_size) {
  return 6 * text_size + 2;
}

// `text` as a JSON string literal at `p` (room for json_string_max bytes); returns its end.
char* write_json_string(std::string_view text, char* p) {
  static constexpr char kHex[] = "0123456789abcdef";
  *p++ = '"';
  size_t run = 0;
  auto put = [&p](const char* s, size_t n) {
    std::memcpy(p, s, n);
    p += n;
  };
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<uint8_t>(text[i]);
    if (!kJsonEscape[c]) continue;
    put(text.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"':
        put("\\\"", 2);
        break;
      case '\\':
        put("\\\\", 2);
        break;
      case '\n':
        put("\\n", 2);
        break;
      case '\r':
        put("\\r", 2);
        break;
      case '\t':
        put("\\t", 2);
        break;
      case '\b':
        put("\\b", 2);
        break;
      case '\f':
        put("\\f", 2);
        break;
      default: {
        const char esc[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 15]};
        put(esc, 6);
      }
    }
  }
  put(text.data() + run, text.size() - run);
  *p++ = '"';
  return p;
}

template <typename T>
char* write_number(T value, char* p) {
  return std::to_chars(p, p + 32, value).ptr;
}

// The most bytes a non-null cell of `type` takes in a JSON line, but for VARCHAR (its text's
// json_string_max): numbers by to_chars (a double's shortest form is at most 24), quoted
// timestamps, intervals, dates, and DECIMAL(38)'s digits with sign and point.
size_t json_cell_max(DataType type) {
  switch (type.id()) {
    case TypeId::kBoolean:
      return 5;
    case TypeId::kTimestamp:
      return kTimestampTextMax + 2;
    default:
      return 48;
  }
}

}  // namespace

void append_json_string(std::string_view text, std::string& out) {
  const size_t at = out.size();
  out.resize_and_overwrite(at + json_string_max(text.size()), [&](char* buf, size_t) {
    return static_cast<size_t>(write_json_string(text, buf + at) - buf);
  });
}

JsonLinesEncoder::JsonLinesEncoder(const Schema& schema) {
  for (int i = 0; i < schema.num_fields(); ++i) {
    std::string key = i == 0 ? "{" : ",";
    append_json_string(schema.field(i).name, key);
    key.push_back(':');
    keys_.push_back(std::move(key));
  }
}

void JsonLinesEncoder::encode(const RecordBatch& batch, std::string& out) const {
  encode_rows(batch, 0, batch.num_rows(), out);
}

// Each row is written straight into `out`'s memory, grown once per row to a bound of its text
// (keys, the most each cell can take): no append, and its capacity check, per key and value.
void JsonLinesEncoder::encode_rows(const RecordBatch& batch, int64_t begin, int64_t end,
                                   std::string& out) const {
  const int ncols = batch.num_columns();
  size_t fixed_max = 3;  // '{' (no columns), "}\n"
  for (int c = 0; c < ncols; ++c) {
    const DataType type = batch.column(c).type();
    fixed_max +=
        keys_[static_cast<size_t>(c)].size() + (type == DataType::kVarchar ? 4  // null
                                                                           : json_cell_max(type));
  }
  std::string scratch;  // the rarer types' text (interval, date, decimal), then copied
  for (int64_t row = begin; row < end; ++row) {
    size_t row_max = fixed_max;
    for (int c = 0; c < ncols; ++c) {
      const Column& column = batch.column(c);
      if (column.type() == DataType::kVarchar && !column.is_null(row)) {
        row_max += json_string_max(column.string_value(row).size());
      }
    }
    const size_t at = out.size();
    out.resize_and_overwrite(at + row_max, [&](char* buf, size_t) {
      char* p = buf + at;
      auto put = [&p](std::string_view s) {
        std::memcpy(p, s.data(), s.size());
        p += s.size();
      };
      if (ncols == 0) *p++ = '{';
      for (int c = 0; c < ncols; ++c) {
        put(keys_[static_cast<size_t>(c)]);
        const Column& column = batch.column(c);
        if (column.is_null(row)) {
          put("null");
          continue;
        }
        switch (column.type().id()) {
          case TypeId::kBoolean:
            put(column.bool_value(row) ? "true" : "false");
            break;
          case TypeId::kInt32:
            p = write_number(column.int32_value(row), p);
            break;
          case TypeId::kInt64:
            p = write_number(column.int64_value(row), p);
            break;
          case TypeId::kDouble: {
            const double v = column.double_value(row);
            if (std::isfinite(v)) {
              p = write_number(v, p);
            } else {
              put("null");
            }
            break;
          }
          case TypeId::kVarchar:
            p = write_json_string(column.string_value(row), p);
            break;
          case TypeId::kTimestamp:
            *p++ = '"';
            p = write_timestamp(column.int64_value(row), p);
            *p++ = '"';
            break;
          case TypeId::kInterval:
          case TypeId::kDate:
            scratch.clear();
            append_plain(column, row, scratch);
            *p++ = '"';
            put(scratch);
            *p++ = '"';
            break;
          case TypeId::kDecimal:
            scratch.clear();
            append_plain(column, row, scratch);
            put(scratch);
            break;
        }
      }
      put("}\n");
      return static_cast<size_t>(p - buf);
    });
  }
}

CsvEncoder::CsvEncoder(const Schema& schema, CsvOptions options) : options_(options) {
  for (int i = 0; i < schema.num_fields(); ++i) {
    if (i != 0) header_.push_back(options_.delimiter);
    append_csv_text(schema.field(i).name, options_.delimiter, header_);
  }
  header_.push_back('\n');
}

void CsvEncoder::encode_header(std::string& out) const {
  out.append(header_);
}

void CsvEncoder::encode(const RecordBatch& batch, std::string& out) const {
  encode_rows(batch, 0, batch.num_rows(), out);
}

void CsvEncoder::encode_rows(const RecordBatch& batch, int64_t begin, int64_t end,
                             std::string& out) const {
  const int ncols = batch.num_columns();
  for (int64_t row = begin; row < end; ++row) {
    for (int c = 0; c < ncols; ++c) {
      if (c != 0) out.push_back(options_.delimiter);
      const Column& column = batch.column(c);
      if (column.is_null(row)) continue;
      switch (column.type()) {
        case DataType::kDouble: {
          const double v = column.double_value(row);
          if (std::isfinite(v)) append_number(v, out);
          break;
        }
        case DataType::kVarchar:
          append_csv_text(column.string_value(row), options_.delimiter, out);
          break;
        default:
          append_plain(column, row, out);
      }
    }
    out.push_back('\n');
  }
}

}  // namespace sluice
