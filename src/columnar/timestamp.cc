#include "columnar/timestamp.h"

#include <charconv>
#include <cstdio>
#include <cstring>

namespace sluice {
namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// Reads exactly n digits at text[pos]; advances pos.
bool read_digits(std::string_view text, size_t& pos, int n, int64_t& out) {
  if (pos + static_cast<size_t>(n) > text.size()) return false;
  int64_t v = 0;
  for (int i = 0; i < n; ++i) {
    const char c = text[pos + static_cast<size_t>(i)];
    if (!is_digit(c)) return false;
    v = v * 10 + (c - '0');
  }
  pos += static_cast<size_t>(n);
  out = v;
  return true;
}

Status bad(std::string_view text, std::string_view why) {
  std::string msg = "invalid timestamp '";
  msg.append(text.substr(0, 64));
  msg += "': ";
  msg += why;
  msg += " (expected e.g. 2026-11-24T10:00:00.123Z or epoch milliseconds)";
  return Status(ErrorCode::kInvalidTimestamp, std::move(msg));
}

unsigned days_in_month(int64_t year, unsigned month) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month == 2) {
    const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return leap ? 29 : 28;
  }
  return kDays[month - 1];
}

// `digits` decimal digits of v (v < 10^digits) at p, which moves past them.
void put_digits(char*& p, unsigned v, int digits) {
  for (int i = digits - 1; i >= 0; --i) {
    p[i] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
  p += digits;
}

}  // namespace

int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void civil_from_days(int64_t z, int64_t& year, unsigned& month, unsigned& day) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  day = doy - (153 * mp + 2) / 5 + 1;
  month = mp < 10 ? mp + 3 : mp - 9;
  year = static_cast<int64_t>(yoe) + era * 400 + (month <= 2);
}

Result<int32_t> parse_date(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  auto bad_date = [&](std::string_view why) {
    std::string msg = "invalid date '";
    msg.append(text.substr(0, 64));
    msg += "': ";
    msg += why;
    msg += " (expected YYYY-MM-DD, e.g. 2024-01-31)";
    return Status(ErrorCode::kInvalidTimestamp, std::move(msg));
  };
  size_t pos = 0;
  int64_t year = 0, month = 0, day = 0;
  if (!read_digits(text, pos, 4, year)) return bad_date("expected a 4-digit year");
  if (pos >= text.size() || text[pos++] != '-') return bad_date("expected '-' after the year");
  if (!read_digits(text, pos, 2, month)) return bad_date("expected a 2-digit month");
  if (pos >= text.size() || text[pos++] != '-') return bad_date("expected '-' after the month");
  if (!read_digits(text, pos, 2, day)) return bad_date("expected a 2-digit day");
  if (pos != text.size()) return bad_date("unexpected text after the day");
  if (month < 1 || month > 12) return bad_date("month out of range");
  if (day < 1 || day > days_in_month(year, static_cast<unsigned>(month))) {
    return bad_date("day out of range");
  }
  return static_cast<int32_t>(
      days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day)));
}

void append_date(int64_t days, std::string& out) {
  int64_t year;
  unsigned month, day;
  civil_from_days(days, year, month, day);
  char buf[32];
  const int n =
      std::snprintf(buf, sizeof buf, "%04lld-%02u-%02u", static_cast<long long>(year), month, day);
  out.append(buf, static_cast<size_t>(n));
}

namespace {

// The canonical form's date and hour, its first 13 bytes ("YYYY-MM-DDTHH", each field in range):
// their seconds since the epoch.
bool canonical_hour(const char* s, int64_t& seconds) {
  if (s[4] != '-' || s[7] != '-' || s[10] != 'T') return false;
  // A byte's digit value; above 9 for anything but a digit.
  const auto d = [s](size_t i) {
    return static_cast<unsigned>(static_cast<unsigned char>(s[i])) - '0';
  };
  const auto two = [&d](size_t i, unsigned& v) {
    const unsigned hi = d(i), lo = d(i + 1);
    v = hi * 10 + lo;
    return hi <= 9 && lo <= 9;
  };
  unsigned y_hi, y_lo, month, day, hour;
  if (!two(0, y_hi) || !two(2, y_lo) || !two(5, month) || !two(8, day) || !two(11, hour)) {
    return false;
  }
  const int64_t year = y_hi * 100 + y_lo;
  if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month) || hour > 23) {
    return false;
  }
  seconds = days_from_civil(year, month, day) * 86400 + hour * 3600;
  return true;
}

// The rest of a canonical timestamp of `n` bytes (20 to 30, the last a 'Z'), from byte 13
// (":MM:SS", then '.' and 1 to 9 digits before the 'Z'): microseconds into its hour, further
// digits of the fraction truncated.
bool canonical_within_hour(const char* s, size_t n, int64_t& micros) {
  if (s[13] != ':' || s[16] != ':') return false;
  const auto d = [s](size_t i) {
    return static_cast<unsigned>(static_cast<unsigned char>(s[i])) - '0';
  };
  const unsigned m_hi = d(14), m_lo = d(15), s_hi = d(17), s_lo = d(18);
  if (m_hi > 5 || m_lo > 9 || s_hi > 5 || s_lo > 9) return false;
  int64_t fraction = 0;
  if (n > 20) {
    if (s[19] != '.' || n == 21) return false;
    const size_t digits = n - 21;
    for (size_t i = 0; i < digits; ++i) {
      const unsigned v = d(20 + i);
      if (v > 9) return false;
      if (i < 6) fraction = fraction * 10 + v;
    }
    for (size_t i = digits; i < 6; ++i) fraction *= 10;
  }
  micros = ((m_hi * 10 + m_lo) * 60 + s_hi * 10 + s_lo) * kMicrosPerSecond + fraction;
  return true;
}

bool canonical_length(std::string_view text) {
  return text.size() >= 20 && text.size() <= 30 && text.back() == 'Z';
}

uint64_t load8(const char* p) {
  uint64_t w;
  std::memcpy(&w, p, 8);
  return w;
}

}  // namespace

// The canonical form alone, at fixed places: no position is searched for, no bound checked
// twice. A Kafka topic's or a file's timestamps are nearly all written by one program in this
// form, so a decoder parses nearly every one here (kafka_source_bench: the general parse was 7 %
// of the source's reader thread).
bool read_canonical_timestamp(std::string_view text, int64_t& micros) {
  if (!canonical_length(text)) return false;
  int64_t hour_seconds = 0, within = 0;
  if (!canonical_hour(text.data(), hour_seconds) ||
      !canonical_within_hour(text.data(), text.size(), within)) {
    return false;
  }
  micros = hour_seconds * kMicrosPerSecond + within;
  return true;
}

bool CanonicalTimestampReader::read(std::string_view text, int64_t& micros) {
  if (!canonical_length(text)) return false;
  const char* const s = text.data();
  // Bytes 0-7 and 5-12: the date and hour, overlapping.
  const uint64_t head = load8(s), hour = load8(s + 5);
  if (!known_ || head != head_ || hour != hour_) {
    int64_t seconds = 0;
    if (!canonical_hour(s, seconds)) return false;
    head_ = head;
    hour_ = hour;
    hour_micros_ = seconds * kMicrosPerSecond;
    known_ = true;
  }
  int64_t within = 0;
  if (!canonical_within_hour(s, text.size(), within)) return false;
  micros = hour_micros_ + within;
  return true;
}

namespace {

// The timestamp `text` (trimmed) into `out`; nullptr, or why it is not one. No allocation: the
// decoders call it once per value (try_parse_timestamp), the error text is made only by
// parse_timestamp.
const char* read_general_timestamp(std::string_view text, int64_t& out) {
  if (text.empty()) return "empty";

  // An integer is epoch milliseconds.
  {
    size_t i = text[0] == '-' ? 1 : 0;
    bool all_digits = i < text.size();
    for (; i < text.size() && all_digits; ++i) all_digits = is_digit(text[i]);
    if (all_digits) {
      int64_t millis = 0;
      auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), millis);
      if (ec != std::errc() || ptr != text.data() + text.size() || millis > INT64_MAX / 1000 ||
          millis < INT64_MIN / 1000) {
        return "epoch milliseconds out of range";
      }
      out = millis * 1000;
      return nullptr;
    }
  }

  size_t pos = 0;
  int64_t year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, micros = 0;
  if (!read_digits(text, pos, 4, year)) return "expected a 4-digit year";
  if (pos >= text.size() || text[pos++] != '-') return "expected '-' after the year";
  if (!read_digits(text, pos, 2, month)) return "expected a 2-digit month";
  if (pos >= text.size() || text[pos++] != '-') return "expected '-' after the month";
  if (!read_digits(text, pos, 2, day)) return "expected a 2-digit day";
  if (month < 1 || month > 12) return "month out of range";
  if (day < 1 || day > days_in_month(year, static_cast<unsigned>(month))) {
    return "day out of range";
  }

  if (pos < text.size() && (text[pos] == 'T' || text[pos] == 't' || text[pos] == ' ')) {
    ++pos;
    if (!read_digits(text, pos, 2, hour)) return "expected a 2-digit hour";
    if (pos >= text.size() || text[pos++] != ':') return "expected ':' after the hour";
    if (!read_digits(text, pos, 2, minute)) return "expected 2-digit minutes";
    if (pos < text.size() && text[pos] == ':') {
      ++pos;
      if (!read_digits(text, pos, 2, second)) return "expected 2-digit seconds";
      if (pos < text.size() && (text[pos] == '.' || text[pos] == ',')) {
        ++pos;
        int digits = 0;
        while (pos < text.size() && is_digit(text[pos])) {
          if (digits < 6) micros = micros * 10 + (text[pos] - '0');
          ++digits;
          ++pos;
        }
        if (digits == 0) return "expected digits after the decimal point";
        if (digits > 9) return "more than 9 fractional digits";
        for (int d = digits; d < 6; ++d) micros *= 10;
      }
    }
    if (hour > 23) return "hour out of range";
    if (minute > 59) return "minute out of range";
    if (second > 59) return "second out of range";
  }

  int64_t offset_seconds = 0;
  if (pos < text.size()) {
    const char c = text[pos];
    if (c == 'Z' || c == 'z') {
      ++pos;
    } else if (c == '+' || c == '-') {
      ++pos;
      int64_t oh = 0, om = 0;
      if (!read_digits(text, pos, 2, oh)) return "expected a 2-digit offset hour";
      if (pos < text.size() && text[pos] == ':') ++pos;
      if (pos < text.size() && !read_digits(text, pos, 2, om)) {
        return "expected 2-digit offset minutes";
      }
      if (oh > 23 || om > 59) return "offset out of range";
      offset_seconds = (oh * 3600 + om * 60) * (c == '+' ? 1 : -1);
    }
  }
  if (pos != text.size()) return "unexpected trailing characters";

  const int64_t days =
      days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  const int64_t seconds = days * 86400 + hour * 3600 + minute * 60 + second - offset_seconds;
  out = seconds * kMicrosPerSecond + micros;
  return nullptr;
}

const char* read_timestamp(std::string_view text, int64_t& out) {
  return read_canonical_timestamp(text, out) ? nullptr : read_general_timestamp(text, out);
}

std::string_view trim_spaces(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  return text;
}

}  // namespace

Result<int64_t> parse_timestamp(std::string_view text) {
  text = trim_spaces(text);
  int64_t micros = 0;
  if (const char* why = read_timestamp(text, micros)) return bad(text, why);
  return micros;
}

bool try_parse_timestamp(std::string_view text, int64_t& micros) {
  return read_timestamp(trim_spaces(text), micros) == nullptr;
}

bool try_parse_timestamp_general(std::string_view text, int64_t& micros) {
  return read_general_timestamp(trim_spaces(text), micros) == nullptr;
}

void split_days(int64_t micros, int64_t& days, int64_t& micros_of_day) {
  days = micros / kMicrosPerDay;
  micros_of_day = micros % kMicrosPerDay;
  if (micros_of_day < 0) {
    micros_of_day += kMicrosPerDay;
    --days;
  }
}

// No snprintf but for a year beyond 0..9999: sinks format one per row (kafka_bench showed
// snprintf the JSON encoder's largest cost).
char* write_timestamp(int64_t micros, char* p) {
  int64_t days, rem;
  split_days(micros, days, rem);
  int64_t year;
  unsigned month, day;
  civil_from_days(days, year, month, day);
  if (year >= 0 && year <= 9999) {
    put_digits(p, static_cast<unsigned>(year), 4);
  } else {
    p += std::snprintf(p, 24, "%lld", static_cast<long long>(year));
  }
  *p++ = '-';
  put_digits(p, month, 2);
  *p++ = '-';
  put_digits(p, day, 2);
  *p++ = 'T';
  const auto secs = static_cast<unsigned>(rem / kMicrosPerSecond);
  const auto frac = static_cast<unsigned>(rem % kMicrosPerSecond);  // < 10^6
  put_digits(p, secs / 3600, 2);
  *p++ = ':';
  put_digits(p, secs / 60 % 60, 2);
  *p++ = ':';
  put_digits(p, secs % 60, 2);
  if (frac != 0) {
    *p++ = '.';
    if (frac % 1000 == 0) {
      put_digits(p, frac / 1000, 3);
    } else {
      put_digits(p, frac, 6);
    }
  }
  *p++ = 'Z';
  return p;
}

void append_timestamp(int64_t micros, std::string& out) {
  char buf[kTimestampTextMax];
  out.append(buf, static_cast<size_t>(write_timestamp(micros, buf) - buf));
}

std::string format_timestamp(int64_t micros) {
  std::string out;
  append_timestamp(micros, out);
  return out;
}

void append_interval(int64_t micros, std::string& out) {
  out += "PT";
  if (micros < 0) {
    out.push_back('-');
    micros = micros == INT64_MIN ? INT64_MAX : -micros;
  }
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, micros / kMicrosPerSecond);
  out.append(buf, end);
  if (const int64_t frac = micros % kMicrosPerSecond; frac != 0) {
    std::snprintf(buf, sizeof buf, ".%06lld", static_cast<long long>(frac));
    std::string_view f(buf);
    while (f.back() == '0') f.remove_suffix(1);
    out.append(f);
  }
  out.push_back('S');
}

}  // namespace sluice
