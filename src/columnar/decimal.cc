#include "columnar/decimal.h"

#include <charconv>
#include <cmath>
#include <cstdlib>

namespace sluice::decimal {
namespace {

constexpr int kMax = DataType::kMaxDecimalPrecision;

struct Pow10Table {
  int128 v[kMax + 1];
  constexpr Pow10Table() : v() {
    v[0] = 1;
    for (int i = 1; i <= kMax; ++i) v[i] = v[i - 1] * 10;
  }
};
constexpr Pow10Table kPow10;

Status not_a_number(std::string_view text, DataType type) {
  std::string msg = "'";
  msg.append(text.substr(0, 64));
  msg += "' is not a " + type_name(type) + " number";
  return Status(ErrorCode::kValueConversion, std::move(msg));
}

// The parts of a decimal number's text: its significant digits (no leading zeros), where the
// point falls (the value is digits × 10^exponent) and its sign.
struct Parsed {
  std::string_view digits;
  std::string_view int_digits, frac_digits;
  int64_t exponent = 0;
  bool negative = false;
  bool ok = false;
};

Parsed split(std::string_view text) {
  Parsed p;
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  size_t i = 0;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) p.negative = text[i++] == '-';
  const size_t int_begin = i;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
  p.int_digits = text.substr(int_begin, i - int_begin);
  if (i < text.size() && text[i] == '.') {
    const size_t frac_begin = ++i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
    p.frac_digits = text.substr(frac_begin, i - frac_begin);
  }
  if (p.int_digits.empty() && p.frac_digits.empty()) return p;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    bool exp_negative = false;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) exp_negative = text[i++] == '-';
    const size_t exp_begin = i;
    int64_t e = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      if (e < 100000) e = e * 10 + (text[i] - '0');
      ++i;
    }
    if (i == exp_begin) return p;
    p.exponent = exp_negative ? -e : e;
  }
  if (i != text.size()) return p;
  p.ok = true;
  return p;
}

}  // namespace

int128 pow10(int n) {
  return kPow10.v[n];
}

bool fits(int128 v, int precision) {
  const int128 limit = kPow10.v[precision];
  return v < limit && v > -limit;
}

Result<int128> parse(std::string_view text, DataType type) {
  const Parsed p = split(text);
  if (!p.ok) return not_a_number(text, type);
  // value = int_digits.frac_digits × 10^exponent; at the type's scale it is the digit string
  // shifted by `shift` places (left when positive).
  const int64_t shift = p.exponent + type.scale() - static_cast<int64_t>(p.frac_digits.size());
  const size_t total = p.int_digits.size() + p.frac_digits.size();
  auto digit = [&](size_t k) {
    return k < p.int_digits.size() ? p.int_digits[k] - '0'
                                   : p.frac_digits[k - p.int_digits.size()] - '0';
  };
  const size_t kept = shift >= 0 ? total
                      : static_cast<uint64_t>(-shift) >= total
                          ? 0
                          : total - static_cast<size_t>(-shift);
  int128 v = 0;
  for (size_t k = 0; k < kept; ++k) {
    if (v == 0 && digit(k) == 0) continue;
    if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, digit(k), &v) ||
        !fits(v, kMax)) {
      return overflow("'" + std::string(text.substr(0, 64)) + "'", type);
    }
  }
  if (kept < total && static_cast<uint64_t>(-shift) == total - kept && digit(kept) >= 5) ++v;
  if (shift > 0 && v != 0) {
    if (shift > kMax || __builtin_mul_overflow(v, kPow10.v[shift], &v)) {
      return overflow("'" + std::string(text.substr(0, 64)) + "'", type);
    }
  }
  if (!fits(v, type.precision())) {
    return overflow("'" + std::string(text.substr(0, 64)) + "'", type);
  }
  return p.negative ? -v : v;
}

std::optional<DataType> type_of_text(std::string_view text) {
  const Parsed p = split(text);
  if (!p.ok || p.exponent != 0) return std::nullopt;
  size_t lead = 0;
  while (lead < p.int_digits.size() && p.int_digits[lead] == '0') ++lead;
  const int int_digits = static_cast<int>(p.int_digits.size() - lead);
  const int scale = static_cast<int>(p.frac_digits.size());
  const int precision = std::max(1, int_digits + scale);
  if (precision > kMax) return std::nullopt;
  return DataType::Decimal(precision, scale);
}

void append(int128 v, int scale, std::string& out) {
  char buf[48];
  int n = 0;
  const bool negative = v < 0;
  unsigned __int128 m = negative ? -static_cast<unsigned __int128>(v) : v;
  // Digits from the right; at least scale + 1 of them, so there is always a leading 0.
  while (m != 0 || n <= scale) {
    buf[n++] = static_cast<char>('0' + static_cast<int>(m % 10));
    m /= 10;
  }
  if (negative) out.push_back('-');
  for (int i = n - 1; i >= 0; --i) {
    out.push_back(buf[i]);
    if (i == scale && scale > 0) out.push_back('.');
  }
}

std::string to_string(int128 v, int scale) {
  std::string out;
  append(v, scale, out);
  return out;
}

int128 divide_rounded(int128 num, int128 den) {
  int128 q = num / den;
  const int128 r = num % den;
  // |r| ≥ |den| - |r| (that is, 2|r| ≥ |den|, without doubling past 2^127) rounds away from zero.
  const int128 ar = r < 0 ? -r : r, ad = den < 0 ? -den : den;
  if (ar >= ad - ar) q += ((num < 0) != (den < 0)) ? -1 : 1;
  return q;
}

bool divide(int128 x, int sx, int128 y, int sy, int scale, int128& out) {
  const int shift = scale + sy - sx;  // digits the dividend moves left
  int128 shifted;
  if (rescale(x, 0, shift, shifted)) {  // the common case: one division
    out = divide_rounded(shifted, y);
    return fits(out, kMax);
  }
  // Long division: the integer quotient, then one digit per place of the shift. The remainder
  // stays below |y| < 10^38, and ten times it is summed modulo |y| so nothing passes 2^128.
  using u128 = unsigned __int128;
  const bool negative = (x < 0) != (y < 0);
  const u128 ux = x < 0 ? -static_cast<u128>(x) : static_cast<u128>(x);
  const u128 uy = y < 0 ? -static_cast<u128>(y) : static_cast<u128>(y);
  const u128 limit = static_cast<u128>(kPow10.v[kMax]);
  u128 q = ux / uy, r = ux % uy;
  auto next_digit = [&] {  // floor(10 r / |y|), r becomes 10 r mod |y|
    u128 acc = 0;
    int d = 0;
    for (int i = 0; i < 10; ++i) {
      acc += r;
      if (acc >= uy) {
        acc -= uy;
        ++d;
      }
    }
    r = acc;
    return d;
  };
  for (int i = 0; i < shift; ++i) {
    if (q >= limit / 10) return false;  // the next digit would pass 38 digits
    q = q * 10 + static_cast<u128>(next_digit());
  }
  if (next_digit() >= 5) ++q;
  if (q >= limit) return false;
  out = negative ? -static_cast<int128>(q) : static_cast<int128>(q);
  return true;
}

bool rescale(int128 v, int from, int to, int128& out) {
  if (to - from > kMax) {  // only zero has room for more than 38 more digits
    out = 0;
    return v == 0;
  }
  if (to >= from) {
    return !__builtin_mul_overflow(v, kPow10.v[to - from], &out) && fits(out, kMax);
  }
  out = divide_rounded(v, kPow10.v[from - to]);
  return true;
}

double to_double(int128 v, int scale) {
  std::string text;
  append(v, scale, text);
  return std::strtod(text.c_str(), nullptr);
}

bool from_double(double d, DataType type, int128& out) {
  if (!std::isfinite(d) || std::fabs(d) >= 1e38) return false;
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, d);
  if (r.ec != std::errc()) return false;
  auto v = parse(std::string_view(buf, static_cast<size_t>(r.ptr - buf)), type);
  if (!v.ok()) return false;
  out = *v;
  return true;
}

bool from_integer(int64_t v, DataType type, int128& out) {
  return rescale(v, 0, type.scale(), out) && fits(out, type.precision());
}

bool to_integer(int128 v, int scale, int64_t& out) {
  const int128 r = divide_rounded(v, kPow10.v[scale]);
  if (r > INT64_MAX || r < INT64_MIN) return false;
  out = static_cast<int64_t>(r);
  return true;
}

Status overflow(std::string_view what, DataType type) {
  return Status(ErrorCode::kOutOfRange,
                "decimal overflow: " + std::string(what) + " does not fit " + type_name(type));
}

}  // namespace sluice::decimal
