#include "columnar/value_parse.h"

#include <strings.h>

#include <charconv>
#include <cmath>
#include <string>

#include "columnar/decimal.h"
#include "columnar/timestamp.h"
#include "columnar/utf8.h"

namespace sluice {
namespace {

std::string quote(std::string_view text) {
  std::string out = "'";
  out.append(text.substr(0, 64));
  if (text.size() > 64) out += "...";
  out += "'";
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

std::string_view trim(std::string_view t) {
  while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
  while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) t.remove_suffix(1);
  return t;
}

}  // namespace

Status parse_bool(std::string_view text, bool& out) {
  text = trim(text);
  if (iequals(text, "true") || iequals(text, "t") || text == "1" || iequals(text, "yes")) {
    out = true;
    return Status::Ok();
  }
  if (iequals(text, "false") || iequals(text, "f") || text == "0" || iequals(text, "no")) {
    out = false;
    return Status::Ok();
  }
  return Status(ErrorCode::kValueConversion, "expected a BOOLEAN (true/false), got " + quote(text));
}

Status parse_int64(std::string_view text, int64_t& out) {
  text = trim(text);
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  if (ec == std::errc::result_out_of_range) {
    return Status(ErrorCode::kValueConversion,
                  "value " + quote(text) + " is out of range for BIGINT");
  }
  if (ec != std::errc() || ptr != text.data() + text.size() || text.empty()) {
    return Status(ErrorCode::kValueConversion, "expected an integer, got " + quote(text));
  }
  return Status::Ok();
}

Status parse_int32(std::string_view text, int32_t& out) {
  int64_t wide;
  Status s = parse_int64(text, wide);
  if (!s.ok()) {
    if (s.message().starts_with("expected")) return s;
    return Status(ErrorCode::kValueConversion,
                  "value " + quote(trim(text)) + " is out of range for INT");
  }
  if (wide < INT32_MIN || wide > INT32_MAX) {
    return Status(ErrorCode::kValueConversion,
                  "value " + quote(trim(text)) + " is out of range for INT");
  }
  out = static_cast<int32_t>(wide);
  return Status::Ok();
}

Status parse_double(std::string_view text, double& out) {
  text = trim(text);
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  if (ec == std::errc::result_out_of_range) {
    // Overflow saturates to infinity like most databases; underflow to zero.
    out = 0;
    for (char c : text) {
      if (c == 'e' || c == 'E') break;
      if (c >= '1' && c <= '9') {
        out = text.front() == '-' ? -HUGE_VAL : HUGE_VAL;
        break;
      }
    }
    return Status::Ok();
  }
  if (ec != std::errc() || ptr != text.data() + text.size() || text.empty()) {
    return Status(ErrorCode::kValueConversion, "expected a number, got " + quote(text));
  }
  return Status::Ok();
}

Status append_text_value(ColumnBuilder& builder, std::string_view text) {
  switch (builder.type()) {
    case DataType::kBoolean: {
      bool v;
      SLC_RETURN_IF_ERROR(parse_bool(text, v));
      builder.append_bool(v);
      return Status::Ok();
    }
    case DataType::kInt32: {
      int32_t v;
      SLC_RETURN_IF_ERROR(parse_int32(text, v));
      builder.append_int32(v);
      return Status::Ok();
    }
    case DataType::kInt64: {
      int64_t v;
      SLC_RETURN_IF_ERROR(parse_int64(text, v));
      builder.append_int64(v);
      return Status::Ok();
    }
    case DataType::kDouble: {
      double v;
      SLC_RETURN_IF_ERROR(parse_double(text, v));
      builder.append_double(v);
      return Status::Ok();
    }
    case DataType::kVarchar:
      if (!is_valid_utf8(text)) {
        return Status(ErrorCode::kInvalidUtf8, "text is not valid UTF-8");
      }
      builder.append_string(text);
      return Status::Ok();
    case DataType::kTimestamp: {
      SLC_ASSIGN_OR_RETURN(int64_t micros, parse_timestamp(text));
      builder.append_int64(micros);
      return Status::Ok();
    }
    case DataType::kInterval: {
      int64_t millis;
      SLC_RETURN_IF_ERROR(parse_int64(text, millis));
      if (millis > INT64_MAX / 1000 || millis < INT64_MIN / 1000) {
        return Status(ErrorCode::kValueConversion, "interval " + quote(text) + " is out of range");
      }
      builder.append_int64(millis * 1000);
      return Status::Ok();
    }
    case DataType::kDecimal: {
      SLC_ASSIGN_OR_RETURN(decimal::int128 v, decimal::parse(text, builder.type()));
      builder.append_decimal(v);
      return Status::Ok();
    }
    case DataType::kDate: {
      SLC_ASSIGN_OR_RETURN(int32_t days, parse_date(text));
      builder.append_int32(days);
      return Status::Ok();
    }
  }
  return Status(ErrorCode::kInternal, "unknown column type");
}

}  // namespace sluice
