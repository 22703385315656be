#include "columnar/json_flat_value.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>

namespace sluice {
namespace {

constexpr double kPowersOfTen[] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                   1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};

// A kInteger member's value as simdjson reads it (INT64), for up to 18 digits: more may not fit,
// and the DOM's reading of them (UINT64, or an error) is left to it.
bool flat_integer(std::string_view text, int64_t& out) {
  const bool negative = text[0] == '-';
  const size_t first = negative ? 1 : 0;
  if (text.size() - first > 18) return false;
  int64_t v = 0;
  for (size_t i = first; i < text.size(); ++i) v = v * 10 + (text[i] - '0');
  out = negative ? -v : v;
  return true;
}

// A kNumber member of at most 15 digits and no exponent (112.375): Clinger's fast path. The value
// is w / 10^k with w (its digits, < 10^15 < 2^53) and 10^k (k <= 15) both exact doubles, and one
// IEEE division rounds the exact quotient correctly: the double from_chars and simdjson give, for
// a fraction of from_chars's cost (kafka_source_bench: 4 % of the reader thread). False for any
// other number, which from_chars reads.
bool short_decimal(std::string_view text, double& out) {
  const bool negative = text[0] == '-';
  uint64_t w = 0;
  int digits = 0, point = -1;
  for (size_t i = negative ? 1 : 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '.') {
      point = digits;
    } else if (c >= '0' && c <= '9') {
      w = w * 10 + static_cast<uint64_t>(c - '0');
      if (++digits > 15) return false;
    } else {
      return false;  // an exponent
    }
  }
  if (point < 0) return false;
  const double v = static_cast<double>(w) / kPowersOfTen[digits - point];
  out = negative ? -v : v;
  return true;
}

// A number member as a DOUBLE column reads it (false: for the DOM to read or refuse).
bool flat_double(const FlatMember& m, double& d) {
  if (m.kind == FlatKind::kInteger) {
    // simdjson holds an integer as INT64 and the decoder converts it (so -0 is +0.0)
    int64_t v = 0;
    if (!flat_integer(m.value, v)) return false;
    d = static_cast<double>(v);
    return true;
  }
  if (m.kind != FlatKind::kNumber) return false;
  if (short_decimal(m.value, d)) return true;
  // Both parses round correctly: the same double for the same text.
  const char* const end = m.value.data() + m.value.size();
  const auto [ptr, ec] = std::from_chars(m.value.data(), end, d);
  return ec == std::errc() && ptr == end && std::isfinite(d);
}

inline bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

constexpr uint64_t kTens[] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000};

// How many of the 8 bytes at `p` are digits before the first other byte, and their value: the
// bytes as one word, no branch per byte (a loop's exit, mispredicted as numbers' lengths vary,
// was most of a number's cost). A byte is a digit when its high nibble is 3 both as it stands and
// with 6 added (0x3A-0x3F then carry into 4); a carry out of a byte only reaches the bytes after
// it, and only from one that is no digit, so the first non-digit is found right.
inline int eight_digits(const char* p, uint64_t& value) {
  constexpr uint64_t kHigh = 0xF0F0F0F0F0F0F0F0ULL, kThrees = 0x3030303030303030ULL;
  constexpr uint64_t kLow7 = 0x7F7F7F7F7F7F7F7FULL, kTops = 0x8080808080808080ULL;
  uint64_t w;
  std::memcpy(&w, p, 8);
  const uint64_t other =
      ((w & kHigh) ^ kThrees) | (((w + 0x0606060606060606ULL) & kHigh) ^ kThrees);
  const uint64_t nonzero = (other | ((other & kLow7) + kLow7)) & kTops;  // per byte, exact
  const int n = nonzero == 0 ? 8 : __builtin_ctzll(nonzero) / 8;
  if (n == 0) {
    value = 0;
    return 0;
  }
  // The digits' values (a borrow only reaches the bytes after the digits), moved to the top so
  // the ones below are leading zeros, then combined in pairs, fours and eights.
  uint64_t v = (w - kThrees) << (8 * (8 - n));
  v = v * 10 + (v >> 8);
  v = (((v & 0x000000FF000000FFULL) * (100 + (1000000ULL << 32))) +
       (((v >> 16) & 0x000000FF000000FFULL) * (1 + (10000ULL << 32)))) >>
      32;
  value = v;
  return n;
}

// Every digit from `q` on, appended to `w` (w * 10^count + their value; it wraps past 19
// digits, which no caller uses); `q` ends past them. Returns how many.
inline int digit_run(const char*& q, const char* end, uint64_t& w) {
  int count = 0;
  while (end - q >= 8) {
    uint64_t chunk = 0;
    const int n = eight_digits(q, chunk);
    w = w * kTens[n] + chunk;
    q += n;
    count += n;
    if (n < 8) return count;
  }
  for (; q < end && is_digit(*q); ++q, ++count) w = w * 10 + static_cast<uint64_t>(*q - '0');
  return count;
}

// A usual number at `p`, in one pass: JSON's -?(0|[1-9][0-9]*)(.[0-9]+)? with no exponent (a
// leading zero stands alone: followed by a digit, it is left to the scan, which ends the number
// there). Its digits' value (`w`, meaningful for up to 19 digits), how many (`digits`) and how
// many follow the point (`fraction`, -1 without a point). Returns its length, 0 for any other
// text (left to the scan).
[[gnu::always_inline]] inline size_t usual_number(const char* p, const char* end, bool& negative,
                                                  uint64_t& w, int& digits, int& fraction) {
  const char* q = p;
  negative = q < end && *q == '-';
  q += negative;
  const char* const first = q;
  w = 0;
  digits = digit_run(q, end, w);
  if (digits == 0 || (*first == '0' && digits > 1)) return 0;
  fraction = -1;
  if (q < end && *q == '.') {
    ++q;
    fraction = digit_run(q, end, w);
    if (fraction == 0) return 0;
    digits += fraction;
  }
  if (q < end && (*q == 'e' || *q == 'E' || *q == '.')) return 0;
  return static_cast<size_t>(q - p);
}

}  // namespace

bool flat_type(const DataType& type) {
  switch (type) {
    case DataType::kBoolean:
    case DataType::kInt32:
    case DataType::kInt64:
    case DataType::kDouble:
    case DataType::kVarchar:
    case DataType::kTimestamp:
      return true;
    default:
      return false;
  }
}

bool flat_ignorable(const FlatMember& m) {
  if (m.kind != FlatKind::kInteger && m.kind != FlatKind::kNumber) return true;
  double d = 0;
  return flat_double(m, d);
}

bool append_flat_value(ColumnBuilder& b, bool nullable, const FlatMember& m) {
  if (m.kind == FlatKind::kNull) {
    if (!nullable) return false;
    b.append_null();
    return true;
  }
  int64_t v = 0;
  switch (b.type()) {
    case DataType::kBoolean:
      if (m.kind != FlatKind::kTrue && m.kind != FlatKind::kFalse) return false;
      b.append_bool(m.kind == FlatKind::kTrue);
      return true;
    case DataType::kInt32:
      if (m.kind != FlatKind::kInteger || !flat_integer(m.value, v) || v < INT32_MIN ||
          v > INT32_MAX) {
        return false;
      }
      b.append_int32(static_cast<int32_t>(v));
      return true;
    case DataType::kInt64:
      if (m.kind != FlatKind::kInteger || !flat_integer(m.value, v)) return false;
      b.append_int64(v);
      return true;
    case DataType::kDouble: {
      double d = 0;
      if (!flat_double(m, d)) return false;
      b.append_double(d);
      return true;
    }
    case DataType::kVarchar:
      if (m.kind != FlatKind::kString) return false;
      b.append_string(m.value);
      return true;
    case DataType::kTimestamp:
      if (m.kind == FlatKind::kString) {
        if (!try_parse_timestamp(m.value, v)) return false;
        b.append_int64(v);
        return true;
      }
      if (m.kind != FlatKind::kInteger || !flat_integer(m.value, v) || v > INT64_MAX / 1000 ||
          v < INT64_MIN / 1000) {
        return false;
      }
      b.append_int64(v * 1000);
      return true;
    default:
      return false;
  }
}

size_t FlatValueReader::scan_then_append(const char* p, const char* end, ColumnBuilder& b,
                                         bool& non_ascii) {
  FlatMember m{};
  size_t length = 0;
  bool high = false;
  if (!scan_flat_value(std::string_view(p, static_cast<size_t>(end - p)), m, length, high)) {
    return 0;
  }
  if (ignored_ ? !flat_ignorable(m) : !append_flat_value(b, nullable_, m)) return 0;
  non_ascii |= high;
  return length;
}

// Each usual case reads what scan_flat_value and append_flat_value would: the number grammar's
// same bytes (usual_number declines an exponent, and what the scan would end early), the same
// digit limits (flat_integer's 18, short_decimal's 15: the same value, by the same arithmetic),
// a string by the scan's own string reading (scan_flat_string) and a canonical timestamp as
// try_parse_timestamp reads it (such a text has no spaces to trim, and CanonicalTimestampReader
// gives read_canonical_timestamp's value). Everything else goes to scan_then_append.
size_t FlatValueReader::read(const char* p, const char* end, ColumnBuilder& b, bool& non_ascii) {
  if (ignored_ || p == end) return scan_then_append(p, end, b, non_ascii);
  bool negative = false;
  uint64_t w = 0;
  int digits = 0, fraction = -1;
  switch (type_) {
    case DataType::kInt64:
    case DataType::kInt32: {
      const size_t n = usual_number(p, end, negative, w, digits, fraction);
      if (n == 0 || fraction >= 0 || digits > 18) break;
      const int64_t v = negative ? -static_cast<int64_t>(w) : static_cast<int64_t>(w);
      if (type_ == DataType::kInt64) {
        b.append_int64(v);
      } else {
        if (v < INT32_MIN || v > INT32_MAX) break;
        b.append_int32(static_cast<int32_t>(v));
      }
      return n;
    }
    case DataType::kDouble: {
      const size_t n = usual_number(p, end, negative, w, digits, fraction);
      if (n == 0) break;
      if (fraction < 0) {
        if (digits > 18) break;
        // as an INT64 first, as the DOM holds it (-0 is +0.0)
        const int64_t v = negative ? -static_cast<int64_t>(w) : static_cast<int64_t>(w);
        b.append_double(static_cast<double>(v));
        return n;
      }
      if (digits > 15) break;
      const double v = static_cast<double>(w) / kPowersOfTen[fraction];
      b.append_double(negative ? -v : v);
      return n;
    }
    case DataType::kVarchar:
    case DataType::kTimestamp: {
      if (*p != '"') break;
      std::string_view text;
      unsigned char high = 0;
      const size_t n = scan_flat_string(p, end, text, high);
      if (n == 0) return 0;
      if (type_ == DataType::kVarchar) {
        b.append_string(text);
      } else {
        int64_t v = 0;
        if (!timestamps_.read(text, v) && !try_parse_timestamp(text, v)) return 0;
        b.append_int64(v);
      }
      non_ascii |= high >= 0x80;
      return n;
    }
    default:
      break;
  }
  return scan_then_append(p, end, b, non_ascii);
}

}  // namespace sluice
