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

void append_json_string(std::string_view text, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  size_t run = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<uint8_t>(text[i]);
    if (!kJsonEscape[c]) continue;
    out.append(text.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default: {
        const char esc[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 15]};
        out.append(esc, 6);
      }
    }
  }
  out.append(text.data() + run, text.size() - run);
  out.push_back('"');
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

void JsonLinesEncoder::encode_rows(const RecordBatch& batch, int64_t begin, int64_t end,
                                   std::string& out) const {
  const int ncols = batch.num_columns();
  for (int64_t row = begin; row < end; ++row) {
    if (ncols == 0) out.push_back('{');
    for (int c = 0; c < ncols; ++c) {
      out.append(keys_[static_cast<size_t>(c)]);
      const Column& column = batch.column(c);
      if (column.is_null(row)) {
        out += "null";
        continue;
      }
      switch (column.type()) {
        case DataType::kDouble: {
          const double v = column.double_value(row);
          if (std::isfinite(v)) {
            append_number(v, out);
          } else {
            out += "null";
          }
          break;
        }
        case DataType::kVarchar:
          append_json_string(column.string_value(row), out);
          break;
        case DataType::kTimestamp:
        case DataType::kInterval:
        case DataType::kDate:
          out.push_back('"');
          append_plain(column, row, out);
          out.push_back('"');
          break;
        default:
          append_plain(column, row, out);
      }
    }
    out += "}\n";
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
