#include "sql/expr_eval.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <string>

#include "columnar/bitmap.h"
#include "columnar/timestamp.h"
#include "columnar/value_parse.h"
#include "sluice/column_builder.h"

namespace sluice::sql {
namespace {

// ---- reading operands ------------------------------------------------------------------

template <typename T>
T read(const Datum& d, int64_t row);
template <>
int32_t read<int32_t>(const Datum& d, int64_t row) {
  return d.column.int32_value(d.index(row));
}
template <>
int64_t read<int64_t>(const Datum& d, int64_t row) {
  return d.column.int64_value(d.index(row));
}
template <>
double read<double>(const Datum& d, int64_t row) {
  return d.column.double_value(d.index(row));
}
template <>
bool read<bool>(const Datum& d, int64_t row) {
  return d.column.bool_value(d.index(row));
}
template <>
std::string_view read<std::string_view>(const Datum& d, int64_t row) {
  return d.column.string_value(d.index(row));
}

// ---- writing results -------------------------------------------------------------------

// Fixed-width output written in place: values plus a validity bitmap (dropped if no nulls).
template <typename T>
class FixedOut {
 public:
  explicit FixedOut(int64_t rows) : rows_(rows) {
    values_.resize(static_cast<size_t>(rows) * sizeof(T));
    validity_.resize(static_cast<size_t>(bitmap::bytes_for(rows)));
    if (validity_.size() != 0) std::memset(validity_.data(), 0xff, validity_.size());
  }
  void set(int64_t i, T v) { reinterpret_cast<T*>(values_.data())[i] = v; }
  void set_null(int64_t i) {
    bitmap::clear(validity_.data(), i);
    reinterpret_cast<T*>(values_.data())[i] = T{};
    ++nulls_;
  }
  Column finish(DataType type) {
    Buffer validity = nulls_ ? validity_.finish() : Buffer();
    return Column(type, rows_, nulls_, std::move(validity), values_.finish());
  }

 private:
  int64_t rows_;
  int64_t nulls_ = 0;
  BufferBuilder values_;
  BufferBuilder validity_;
};

class BoolOut {
 public:
  explicit BoolOut(int64_t rows) : rows_(rows) {
    values_.resize(static_cast<size_t>(bitmap::bytes_for(rows)));
    validity_.resize(static_cast<size_t>(bitmap::bytes_for(rows)));
    if (validity_.size() != 0) std::memset(validity_.data(), 0xff, validity_.size());
  }
  void set(int64_t i, bool v) {
    if (v) bitmap::set(values_.data(), i);
  }
  void set_null(int64_t i) {
    bitmap::clear(validity_.data(), i);
    ++nulls_;
  }
  Column finish() {
    Buffer validity = nulls_ ? validity_.finish() : Buffer();
    return Column(DataType::kBoolean, rows_, nulls_, std::move(validity), values_.finish());
  }

 private:
  int64_t rows_;
  int64_t nulls_ = 0;
  BufferBuilder values_;
  BufferBuilder validity_;
};

Status overflow_error(const BoundExpr& e) {
  return Status(ErrorCode::kOutOfRange, "integer overflow in " + e.sql);
}

// ---- null-free fast paths -----------------------------------------------------------------

bool has_nulls(const Datum& d) {
  return d.column.null_count() > 0;
}

// out[i] = op(a[i], b[i]) over raw values, scalars broadcast: no per-row null or scalar test,
// so the compiler can vectorize it. Only for operands without NULLs.
template <typename T, typename R, typename Op>
void map_values(const Datum& a, const Datum& b, int64_t n, R* out, Op op) {
  const T* x = a.column.values<T>();
  const T* y = b.column.values<T>();
  if (a.scalar && b.scalar) {
    for (int64_t i = 0; i < n; ++i) out[i] = op(x[0], y[0]);
  } else if (a.scalar) {
    const T xs = x[0];
    for (int64_t i = 0; i < n; ++i) out[i] = op(xs, y[i]);
  } else if (b.scalar) {
    const T ys = y[0];
    for (int64_t i = 0; i < n; ++i) out[i] = op(x[i], ys);
  } else {
    for (int64_t i = 0; i < n; ++i) out[i] = op(x[i], y[i]);
  }
}

// ---- arithmetic --------------------------------------------------------------------------

template <typename T>
Result<Column> arithmetic(const BoundExpr& e, const Datum& a, const Datum& b, int64_t n) {
  // Fast path: + - * without NULLs. Integer overflow is collected, not branched on.
  if (!has_nulls(a) && !has_nulls(b) &&
      (e.fn == Fn::kAdd || e.fn == Fn::kSub || e.fn == Fn::kMul)) {
    BufferBuilder values;
    values.resize(static_cast<size_t>(n) * sizeof(T));
    T* out = reinterpret_cast<T*>(values.data());
    if constexpr (std::is_integral_v<T>) {
      bool overflow = false;
      auto checked = [&](auto f) {
        return [&, f](T x, T y) {
          T r;
          overflow |= f(x, y, &r);
          return r;
        };
      };
      if (e.fn == Fn::kAdd) {
        map_values<T>(a, b, n, out,
                      checked([](T x, T y, T* r) { return __builtin_add_overflow(x, y, r); }));
      } else if (e.fn == Fn::kSub) {
        map_values<T>(a, b, n, out,
                      checked([](T x, T y, T* r) { return __builtin_sub_overflow(x, y, r); }));
      } else {
        map_values<T>(a, b, n, out,
                      checked([](T x, T y, T* r) { return __builtin_mul_overflow(x, y, r); }));
      }
      if (overflow) return overflow_error(e);
    } else if (e.fn == Fn::kAdd) {
      map_values<T>(a, b, n, out, [](T x, T y) { return x + y; });
    } else if (e.fn == Fn::kSub) {
      map_values<T>(a, b, n, out, [](T x, T y) { return x - y; });
    } else {
      map_values<T>(a, b, n, out, [](T x, T y) { return x * y; });
    }
    return Column(e.type, n, 0, Buffer(), values.finish());
  }
  FixedOut<T> out(n);
  bool overflowed = false;
  for (int64_t i = 0; i < n; ++i) {
    if (a.is_null(i) || b.is_null(i)) {
      out.set_null(i);
      continue;
    }
    const T x = read<T>(a, i), y = read<T>(b, i);
    T r{};
    switch (e.fn) {
      case Fn::kAdd:
        if constexpr (std::is_integral_v<T>) {
          overflowed |= __builtin_add_overflow(x, y, &r);
        } else {
          r = x + y;
        }
        break;
      case Fn::kSub:
        if constexpr (std::is_integral_v<T>) {
          overflowed |= __builtin_sub_overflow(x, y, &r);
        } else {
          r = x - y;
        }
        break;
      case Fn::kMul:
        if constexpr (std::is_integral_v<T>) {
          overflowed |= __builtin_mul_overflow(x, y, &r);
        } else {
          r = x * y;
        }
        break;
      case Fn::kDiv:
        if (y == 0) {
          out.set_null(i);
          continue;
        }
        if constexpr (std::is_integral_v<T>) {
          if (x == std::numeric_limits<T>::min() && y == -1) {
            overflowed = true;
            break;
          }
        }
        r = x / y;
        break;
      case Fn::kMod:
        if (y == 0) {
          out.set_null(i);
          continue;
        }
        if constexpr (std::is_integral_v<T>) {
          r = (y == -1) ? 0 : x % y;
        } else {
          r = std::fmod(x, y);
        }
        break;
      default:
        return Status(ErrorCode::kInternal, "not an arithmetic function");
    }
    out.set(i, r);
  }
  if (overflowed) return overflow_error(e);
  return out.finish(e.type);
}

// TIMESTAMP ± INTERVAL, TIMESTAMP - TIMESTAMP, INTERVAL ± INTERVAL: all int64 µs.
// INTERVAL * / number: scaled.
Result<Column> temporal_arithmetic(const BoundExpr& e, const Datum& a, const Datum& b, int64_t n) {
  const DataType bt = b.column.type();
  const DataType at = a.column.type();
  FixedOut<int64_t> out(n);
  bool overflowed = false;
  for (int64_t i = 0; i < n; ++i) {
    if (a.is_null(i) || b.is_null(i)) {
      out.set_null(i);
      continue;
    }
    int64_t r = 0;
    if (e.fn == Fn::kMul || e.fn == Fn::kDiv) {
      // One side is an INTERVAL, the other a number.
      const bool interval_left = at == DataType::kInterval;
      const Datum& iv = interval_left ? a : b;
      const Datum& num = interval_left ? b : a;
      const DataType nt = num.column.type();
      const double factor = nt == DataType::kDouble  ? read<double>(num, i)
                            : nt == DataType::kInt32 ? read<int32_t>(num, i)
                                                     : static_cast<double>(read<int64_t>(num, i));
      const double micros = static_cast<double>(read<int64_t>(iv, i));
      double v;
      if (e.fn == Fn::kMul) {
        v = micros * factor;
      } else {
        if (factor == 0) {
          out.set_null(i);
          continue;
        }
        v = micros / factor;
      }
      if (!(std::fabs(v) < 9.2e18)) {
        overflowed = true;
        continue;
      }
      r = static_cast<int64_t>(std::llround(v));
    } else {
      const int64_t x = read<int64_t>(a, i), y = read<int64_t>(b, i);
      overflowed |=
          e.fn == Fn::kAdd ? __builtin_add_overflow(x, y, &r) : __builtin_sub_overflow(x, y, &r);
    }
    out.set(i, r);
  }
  (void)bt;
  if (overflowed) return overflow_error(e);
  return out.finish(e.type);
}

Result<Column> negate(const BoundExpr& e, const Datum& a, int64_t n) {
  switch (a.column.type()) {
    case DataType::kDouble: {
      FixedOut<double> out(n);
      for (int64_t i = 0; i < n; ++i) {
        a.is_null(i) ? out.set_null(i) : out.set(i, -read<double>(a, i));
      }
      return out.finish(e.type);
    }
    case DataType::kInt32: {
      FixedOut<int32_t> out(n);
      for (int64_t i = 0; i < n; ++i) {
        if (a.is_null(i)) {
          out.set_null(i);
        } else if (read<int32_t>(a, i) == INT32_MIN) {
          return overflow_error(e);
        } else {
          out.set(i, -read<int32_t>(a, i));
        }
      }
      return out.finish(e.type);
    }
    default: {
      FixedOut<int64_t> out(n);
      for (int64_t i = 0; i < n; ++i) {
        if (a.is_null(i)) {
          out.set_null(i);
        } else if (read<int64_t>(a, i) == INT64_MIN) {
          return overflow_error(e);
        } else {
          out.set(i, -read<int64_t>(a, i));
        }
      }
      return out.finish(e.type);
    }
  }
}

// ---- comparisons -------------------------------------------------------------------------

template <typename T>
Column compare(Fn fn, const Datum& a, const Datum& b, int64_t n) {
  if constexpr (!std::is_same_v<T, std::string_view> && !std::is_same_v<T, bool>) {
    if (!has_nulls(a) && !has_nulls(b)) {
      // One byte per row in a tight loop, then packed into bits.
      std::vector<uint8_t> bytes(static_cast<size_t>(n));
      switch (fn) {
        case Fn::kEq:
          map_values<T>(a, b, n, bytes.data(), [](T x, T y) -> uint8_t { return x == y; });
          break;
        case Fn::kNe:
          map_values<T>(a, b, n, bytes.data(), [](T x, T y) -> uint8_t { return x != y; });
          break;
        case Fn::kLt:
          map_values<T>(a, b, n, bytes.data(), [](T x, T y) -> uint8_t { return x < y; });
          break;
        case Fn::kLe:
          map_values<T>(a, b, n, bytes.data(), [](T x, T y) -> uint8_t { return x <= y; });
          break;
        case Fn::kGt:
          map_values<T>(a, b, n, bytes.data(), [](T x, T y) -> uint8_t { return x > y; });
          break;
        default:
          map_values<T>(a, b, n, bytes.data(), [](T x, T y) -> uint8_t { return x >= y; });
          break;
      }
      BufferBuilder bits;
      bits.resize(static_cast<size_t>(bitmap::bytes_for(n)));
      uint8_t* out = bits.data();
      for (int64_t i = 0; i < n; ++i)
        out[i >> 3] |= static_cast<uint8_t>(bytes[static_cast<size_t>(i)] << (i & 7));
      return Column(DataType::kBoolean, n, 0, Buffer(), bits.finish());
    }
  }
  BoolOut out(n);
  for (int64_t i = 0; i < n; ++i) {
    if (a.is_null(i) || b.is_null(i)) {
      out.set_null(i);
      continue;
    }
    const T x = read<T>(a, i), y = read<T>(b, i);
    bool r = false;
    switch (fn) {
      case Fn::kEq:
        r = x == y;
        break;
      case Fn::kNe:
        r = x != y;
        break;
      case Fn::kLt:
        r = x < y;
        break;
      case Fn::kLe:
        r = x <= y;
        break;
      case Fn::kGt:
        r = x > y;
        break;
      case Fn::kGe:
        r = x >= y;
        break;
      default:
        break;
    }
    out.set(i, r);
  }
  return out.finish();
}

Column compare_any(Fn fn, const Datum& a, const Datum& b, int64_t n) {
  switch (a.column.type()) {
    case DataType::kBoolean:
      return compare<bool>(fn, a, b, n);
    case DataType::kInt32:
      return compare<int32_t>(fn, a, b, n);
    case DataType::kDouble:
      return compare<double>(fn, a, b, n);
    case DataType::kVarchar:
      return compare<std::string_view>(fn, a, b, n);
    default:
      return compare<int64_t>(fn, a, b, n);
  }
}

// ---- logic (three-valued) ----------------------------------------------------------------

Column logic(Fn fn, const Datum& a, const Datum& b, int64_t n) {
  BoolOut out(n);
  for (int64_t i = 0; i < n; ++i) {
    const bool an = a.is_null(i), bn = b.is_null(i);
    const bool av = !an && read<bool>(a, i), bv = !bn && read<bool>(b, i);
    if (fn == Fn::kAnd) {
      if ((!an && !av) || (!bn && !bv)) {
        out.set(i, false);
      } else if (an || bn) {
        out.set_null(i);
      } else {
        out.set(i, true);
      }
    } else {
      if (av || bv) {
        out.set(i, true);
      } else if (an || bn) {
        out.set_null(i);
      } else {
        out.set(i, false);
      }
    }
  }
  return out.finish();
}

// ---- strings -----------------------------------------------------------------------------

size_t utf8_length(std::string_view s) {
  size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xc0) != 0x80;
  return n;
}

// Byte offset of code point `cp` (0-based) in s, clamped to s.size().
size_t utf8_offset(std::string_view s, int64_t cp) {
  size_t i = 0;
  while (i < s.size() && cp > 0) {
    ++i;
    while (i < s.size() && (static_cast<unsigned char>(s[i]) & 0xc0) == 0x80) ++i;
    --cp;
  }
  return i;
}

// SQL LIKE: % any run, _ one character (code point).
bool like(std::string_view s, std::string_view p) {
  size_t si = 0, pi = 0, star_p = std::string_view::npos, star_s = 0;
  auto next_cp = [](std::string_view t, size_t i) {
    ++i;
    while (i < t.size() && (static_cast<unsigned char>(t[i]) & 0xc0) == 0x80) ++i;
    return i;
  };
  while (si < s.size()) {
    if (pi < p.size() && p[pi] == '%') {
      star_p = ++pi;
      star_s = si;
    } else if (pi < p.size() && p[pi] == '_') {
      si = next_cp(s, si);
      ++pi;
    } else if (pi < p.size() && p[pi] == s[si]) {
      ++si;
      ++pi;
    } else if (star_p != std::string_view::npos) {
      pi = star_p;
      si = star_s = next_cp(s, star_s);
    } else {
      return false;
    }
  }
  while (pi < p.size() && p[pi] == '%') ++pi;
  return pi == p.size();
}

void append_as_text(const Datum& d, int64_t i, std::string& out) {
  const Column& c = d.column;
  const int64_t r = d.index(i);
  if (c.type() == DataType::kVarchar) {
    out.append(c.string_value(r));
  } else {
    out += Value::from_column(c, r).to_string();
  }
}

Result<Column> string_function(const BoundExpr& e, const std::vector<Datum>& args, int64_t n) {
  if (e.fn == Fn::kLength) {
    FixedOut<int64_t> out(n);
    for (int64_t i = 0; i < n; ++i) {
      args[0].is_null(i)
          ? out.set_null(i)
          : out.set(i, static_cast<int64_t>(utf8_length(read<std::string_view>(args[0], i))));
    }
    return out.finish(DataType::kInt64);
  }
  if (e.fn == Fn::kLike) {
    BoolOut out(n);
    for (int64_t i = 0; i < n; ++i) {
      if (args[0].is_null(i) || args[1].is_null(i)) {
        out.set_null(i);
      } else {
        out.set(i, like(read<std::string_view>(args[0], i), read<std::string_view>(args[1], i)));
      }
    }
    return out.finish();
  }
  ColumnBuilder out(DataType::kVarchar);
  out.reserve(n);
  std::string scratch;
  for (int64_t i = 0; i < n; ++i) {
    switch (e.fn) {
      case Fn::kConcat: {
        // concat() skips NULLs; the || operator (has_else=false marker) is NULL if any is.
        const bool strict = e.unit == "||";
        bool any_null = false;
        scratch.clear();
        for (const Datum& d : args) {
          if (d.is_null(i)) {
            any_null = true;
            continue;
          }
          append_as_text(d, i, scratch);
        }
        if (strict && any_null) {
          out.append_null();
        } else {
          out.append_string(scratch);
        }
        continue;
      }
      default:
        break;
    }
    bool null = false;
    for (const Datum& d : args) null |= d.is_null(i);
    if (null) {
      out.append_null();
      continue;
    }
    const std::string_view s = read<std::string_view>(args[0], i);
    switch (e.fn) {
      case Fn::kLower:
      case Fn::kUpper:
        scratch.assign(s);
        for (char& c : scratch) {
          c = static_cast<char>(e.fn == Fn::kLower ? std::tolower(static_cast<unsigned char>(c))
                                                   : std::toupper(static_cast<unsigned char>(c)));
        }
        out.append_string(scratch);
        break;
      case Fn::kTrim: {
        size_t b = 0, en = s.size();
        while (b < en && s[b] == ' ') ++b;
        while (en > b && s[en - 1] == ' ') --en;
        out.append_string(s.substr(b, en - b));
        break;
      }
      case Fn::kSubstr: {
        // SQL: 1-based start; a start before 1 shortens the length accordingly.
        int64_t start = read<int64_t>(args[1], i);
        int64_t length = args.size() > 2 ? read<int64_t>(args[2], i) : INT64_MAX / 2;
        if (length < 0) {
          return Status(ErrorCode::kOutOfRange, "negative substring length in " + e.sql);
        }
        int64_t end = start + length;
        if (start < 1) start = 1;
        if (end <= start) {
          out.append_string("");
          break;
        }
        const size_t from = utf8_offset(s, start - 1);
        const size_t to = utf8_offset(s, end - 1);
        out.append_string(s.substr(from, to - from));
        break;
      }
      default:
        return Status(ErrorCode::kInternal, "not a string function: " + e.sql);
    }
  }
  return out.finish();
}

// ---- math --------------------------------------------------------------------------------

Result<Column> math_function(const BoundExpr& e, const std::vector<Datum>& args, int64_t n) {
  const DataType t = e.type;
  if (t == DataType::kDouble) {
    FixedOut<double> out(n);
    for (int64_t i = 0; i < n; ++i) {
      if (args[0].is_null(i) || (args.size() > 1 && args[1].is_null(i))) {
        out.set_null(i);
        continue;
      }
      const double x = read<double>(args[0], i);
      double r = x;
      switch (e.fn) {
        case Fn::kAbs:
          r = std::fabs(x);
          break;
        case Fn::kFloor:
          r = std::floor(x);
          break;
        case Fn::kCeil:
          r = std::ceil(x);
          break;
        case Fn::kRound: {
          const int64_t digits = args.size() > 1 ? read<int64_t>(args[1], i) : 0;
          const double scale = std::pow(10.0, static_cast<double>(digits));
          r = std::round(x * scale) / scale;
          break;
        }
        default:
          break;
      }
      out.set(i, r);
    }
    return out.finish(t);
  }
  // Integers: floor/ceil/round are the identity (round with negative digits excepted).
  FixedOut<int64_t> out(n);
  for (int64_t i = 0; i < n; ++i) {
    if (args[0].is_null(i) || (args.size() > 1 && args[1].is_null(i))) {
      out.set_null(i);
      continue;
    }
    int64_t x = args[0].column.type() == DataType::kInt32 ? read<int32_t>(args[0], i)
                                                          : read<int64_t>(args[0], i);
    if (e.fn == Fn::kAbs) {
      if (x == INT64_MIN) return overflow_error(e);
      x = x < 0 ? -x : x;
    } else if (e.fn == Fn::kRound && args.size() > 1) {
      const int64_t digits = read<int64_t>(args[1], i);
      if (digits < 0 && digits > -19) {
        int64_t scale = 1;
        for (int64_t d = 0; d < -digits; ++d) scale *= 10;
        const int64_t q = x / scale, rem = x % scale;
        x = q * scale + (2 * (rem < 0 ? -rem : rem) >= scale ? (x < 0 ? -scale : scale) : 0);
      }
    }
    out.set(i, x);
  }
  Column c = out.finish(DataType::kInt64);
  if (t == DataType::kInt32) {
    FixedOut<int32_t> narrow(n);
    for (int64_t i = 0; i < n; ++i) {
      c.is_null(i) ? narrow.set_null(i) : narrow.set(i, static_cast<int32_t>(c.int64_value(i)));
    }
    return narrow.finish(t);
  }
  return c;
}

// ---- time --------------------------------------------------------------------------------

Result<int64_t> truncate_time(int64_t micros, std::string_view unit) {
  auto floor_to = [&](int64_t step) {
    int64_t q = micros / step;
    if (micros % step < 0) --q;
    return q * step;
  };
  if (unit == "MICROSECOND") return micros;
  if (unit == "MILLISECOND") return floor_to(1000);
  if (unit == "SECOND") return floor_to(kMicrosPerSecond);
  if (unit == "MINUTE") return floor_to(60 * kMicrosPerSecond);
  if (unit == "HOUR") return floor_to(3600 * kMicrosPerSecond);
  if (unit == "DAY") return floor_to(kMicrosPerDay);
  const int64_t day_start = floor_to(kMicrosPerDay);
  const int64_t days = day_start / kMicrosPerDay;
  if (unit == "WEEK") {  // ISO weeks start on Monday; 1970-01-01 was a Thursday
    const int64_t dow = ((days % 7) + 7 + 3) % 7;  // 0 = Monday
    return (days - dow) * kMicrosPerDay;
  }
  int64_t y;
  unsigned m, d;
  civil_from_days(days, y, m, d);
  if (unit == "MONTH") return days_from_civil(y, m, 1) * kMicrosPerDay;
  if (unit == "QUARTER") return days_from_civil(y, (m - 1) / 3 * 3 + 1, 1) * kMicrosPerDay;
  if (unit == "YEAR") return days_from_civil(y, 1, 1) * kMicrosPerDay;
  return Status(ErrorCode::kInvalidArgument, "unknown date_trunc unit '" + std::string(unit) + "'");
}

int64_t extract_field(int64_t micros, std::string_view field) {
  int64_t days, rem;
  split_days(micros, days, rem);
  int64_t y;
  unsigned m, d;
  civil_from_days(days, y, m, d);
  if (field == "YEAR") return y;
  if (field == "QUARTER") return (m - 1) / 3 + 1;
  if (field == "MONTH") return m;
  if (field == "DAY") return d;
  if (field == "HOUR") return rem / (3600 * kMicrosPerSecond);
  if (field == "MINUTE") return rem / (60 * kMicrosPerSecond) % 60;
  if (field == "SECOND") return rem / kMicrosPerSecond % 60;
  if (field == "MILLISECOND") return rem / 1000 % 60000;
  if (field == "MICROSECOND") return rem % (60 * kMicrosPerSecond);
  if (field == "DOW") return ((days % 7) + 7 + 4) % 7;  // 0 = Sunday
  if (field == "DOY") return days - days_from_civil(y, 1, 1) + 1;
  if (field == "EPOCH") {
    int64_t s = micros / kMicrosPerSecond;
    if (micros % kMicrosPerSecond < 0) --s;
    return s;
  }
  return 0;  // the binder accepts only the fields above
}

// ---- casts -------------------------------------------------------------------------------

Status cast_error(const Value& v, DataType to, std::string_view why = {}) {
  std::string msg = "cannot cast " + std::string(type_name(v.type)) + " '" + v.to_string() +
                    "' to " + std::string(type_name(to));
  if (!why.empty()) msg += ": " + std::string(why);
  return Status(ErrorCode::kValueConversion, std::move(msg));
}

}  // namespace

Result<Value> cast_value(const Value& v, DataType to) {
  if (v.null) return Value::Null(to);
  if (v.type == to) return v;
  switch (to) {
    case DataType::kVarchar:
      return Value::Varchar(v.to_string());
    case DataType::kBoolean:
      if (v.type == DataType::kVarchar) {
        bool b;
        if (Status s = parse_bool(v.s, b); !s.ok()) return cast_error(v, to);
        return Value::Bool(b);
      }
      if (v.type == DataType::kInt32 || v.type == DataType::kInt64) return Value::Bool(v.i != 0);
      return cast_error(v, to);
    case DataType::kInt32:
    case DataType::kInt64: {
      int64_t x;
      switch (v.type) {
        case DataType::kBoolean:
          x = v.b;
          break;
        case DataType::kInt32:
        case DataType::kInt64:
          x = v.i;
          break;
        case DataType::kDouble:
          if (!(std::fabs(v.d) < 9.2e18)) return cast_error(v, to, "out of range");
          x = std::llround(v.d);
          break;
        case DataType::kVarchar:
          if (Status s = parse_int64(v.s, x); !s.ok()) return cast_error(v, to);
          break;
        case DataType::kTimestamp: {  // epoch milliseconds
          x = v.i / 1000;
          if (v.i % 1000 < 0) --x;
          break;
        }
        default:
          return cast_error(v, to);
      }
      if (to == DataType::kInt32) {
        if (x < INT32_MIN || x > INT32_MAX) return cast_error(v, to, "out of range for INT");
        return Value::Int32(static_cast<int32_t>(x));
      }
      return Value::Int64(x);
    }
    case DataType::kDouble:
      switch (v.type) {
        case DataType::kBoolean:
          return Value::Double(v.b);
        case DataType::kInt32:
        case DataType::kInt64:
          return Value::Double(static_cast<double>(v.i));
        case DataType::kVarchar: {
          double d;
          if (Status s = parse_double(v.s, d); !s.ok()) return cast_error(v, to);
          return Value::Double(d);
        }
        default:
          return cast_error(v, to);
      }
    case DataType::kTimestamp:
      if (v.type == DataType::kVarchar) {
        auto t = parse_timestamp(v.s);
        if (!t.ok()) return cast_error(v, to, t.status().message());
        return Value::Timestamp(*t);
      }
      if (v.type == DataType::kInt32 || v.type == DataType::kInt64) {  // epoch milliseconds
        if (v.i > INT64_MAX / 1000 || v.i < INT64_MIN / 1000)
          return cast_error(v, to, "out of range");
        return Value::Timestamp(v.i * 1000);
      }
      return cast_error(v, to);
    case DataType::kInterval:
      return cast_error(v, to, "write an INTERVAL literal such as INTERVAL '5' SECOND");
  }
  return cast_error(v, to);
}

namespace {

Result<Column> cast_column(const BoundExpr& e, const Datum& a, int64_t n) {
  const DataType from = a.column.type();
  // Fast paths for the casts the binder inserts implicitly.
  if (e.type == DataType::kDouble && (from == DataType::kInt32 || from == DataType::kInt64)) {
    FixedOut<double> out(n);
    for (int64_t i = 0; i < n; ++i) {
      if (a.is_null(i)) {
        out.set_null(i);
      } else {
        out.set(i, from == DataType::kInt32 ? read<int32_t>(a, i)
                                            : static_cast<double>(read<int64_t>(a, i)));
      }
    }
    return out.finish(e.type);
  }
  if (e.type == DataType::kInt64 && from == DataType::kInt32) {
    FixedOut<int64_t> out(n);
    for (int64_t i = 0; i < n; ++i)
      a.is_null(i) ? out.set_null(i) : out.set(i, read<int32_t>(a, i));
    return out.finish(e.type);
  }
  ColumnBuilder out(e.type);
  out.reserve(n);
  for (int64_t i = 0; i < n; ++i) {
    SLC_ASSIGN_OR_RETURN(Value v, cast_value(Value::from_column(a.column, a.index(i)), e.type));
    append_value(out, v);
  }
  return out.finish();
}

// Picks, per row, the first argument that is not NULL (COALESCE) or the THEN of the first
// WHEN that is TRUE (CASE).
Result<Column> choose(const BoundExpr& e, const std::vector<Datum>& args, int64_t n) {
  ColumnBuilder out(e.type);
  out.reserve(n);
  for (int64_t i = 0; i < n; ++i) {
    const Datum* pick = nullptr;
    if (e.fn == Fn::kCoalesce) {
      for (const Datum& d : args) {
        if (!d.is_null(i)) {
          pick = &d;
          break;
        }
      }
    } else {
      const size_t pairs = (args.size() - (e.has_else ? 1 : 0)) / 2;
      for (size_t p = 0; p < pairs; ++p) {
        const Datum& when = args[2 * p];
        if (!when.is_null(i) && read<bool>(when, i)) {
          pick = &args[2 * p + 1];
          break;
        }
      }
      if (pick == nullptr && e.has_else) pick = &args.back();
    }
    if (pick == nullptr) {
      out.append_null();
    } else {
      out.append_from(pick->column, pick->index(i));
    }
  }
  return out.finish();
}

Result<Column> call(const BoundExpr& e, const std::vector<Datum>& args, int64_t n) {
  switch (e.fn) {
    case Fn::kAdd:
    case Fn::kSub:
    case Fn::kMul:
    case Fn::kDiv:
    case Fn::kMod: {
      const DataType at = args[0].column.type(), bt = args[1].column.type();
      if (at == DataType::kTimestamp || at == DataType::kInterval || bt == DataType::kTimestamp ||
          bt == DataType::kInterval) {
        return temporal_arithmetic(e, args[0], args[1], n);
      }
      switch (e.type) {
        case DataType::kInt32:
          return arithmetic<int32_t>(e, args[0], args[1], n);
        case DataType::kDouble:
          return arithmetic<double>(e, args[0], args[1], n);
        default:
          return arithmetic<int64_t>(e, args[0], args[1], n);
      }
    }
    case Fn::kNeg:
      return negate(e, args[0], n);
    case Fn::kEq:
    case Fn::kNe:
    case Fn::kLt:
    case Fn::kLe:
    case Fn::kGt:
    case Fn::kGe:
      return compare_any(e.fn, args[0], args[1], n);
    case Fn::kAnd:
    case Fn::kOr:
      return logic(e.fn, args[0], args[1], n);
    case Fn::kNot: {
      BoolOut out(n);
      for (int64_t i = 0; i < n; ++i) {
        args[0].is_null(i) ? out.set_null(i) : out.set(i, !read<bool>(args[0], i));
      }
      return out.finish();
    }
    case Fn::kIsNull:
    case Fn::kIsNotNull: {
      BoolOut out(n);
      for (int64_t i = 0; i < n; ++i) out.set(i, args[0].is_null(i) == (e.fn == Fn::kIsNull));
      return out.finish();
    }
    case Fn::kConcat:
    case Fn::kLike:
    case Fn::kLower:
    case Fn::kUpper:
    case Fn::kLength:
    case Fn::kSubstr:
    case Fn::kTrim:
      return string_function(e, args, n);
    case Fn::kAbs:
    case Fn::kRound:
    case Fn::kFloor:
    case Fn::kCeil:
      return math_function(e, args, n);
    case Fn::kCoalesce:
    case Fn::kCase:
      return choose(e, args, n);
    case Fn::kDateTrunc: {
      FixedOut<int64_t> out(n);
      for (int64_t i = 0; i < n; ++i) {
        if (args[0].is_null(i)) {
          out.set_null(i);
          continue;
        }
        SLC_ASSIGN_OR_RETURN(int64_t t, truncate_time(read<int64_t>(args[0], i), e.unit));
        out.set(i, t);
      }
      return out.finish(DataType::kTimestamp);
    }
    case Fn::kExtract: {
      FixedOut<int64_t> out(n);
      for (int64_t i = 0; i < n; ++i) {
        args[0].is_null(i) ? out.set_null(i)
                           : out.set(i, extract_field(read<int64_t>(args[0], i), e.unit));
      }
      return out.finish(DataType::kInt64);
    }
    case Fn::kCast:
      return cast_column(e, args[0], n);
  }
  return Status(ErrorCode::kInternal, "unknown function in " + e.sql);
}

Column broadcast(const Datum& d, int64_t rows) {
  if (!d.scalar) return d.column;
  ColumnBuilder b(d.column.type());
  b.reserve(rows);
  for (int64_t i = 0; i < rows; ++i) b.append_from(d.column, 0);
  return b.finish();
}

}  // namespace

Result<Datum> evaluate(const BoundExpr& e, const RecordBatch& batch) {
  switch (e.kind) {
    case BoundExpr::Kind::kColumn:
      return Datum{batch.column(e.column), false};
    case BoundExpr::Kind::kLiteral:
      return Datum{e.literal_column, true};
    case BoundExpr::Kind::kCall:
      break;
  }
  std::vector<Datum> args;
  args.reserve(e.args.size());
  bool all_scalar = true;
  for (const BoundExprPtr& a : e.args) {
    SLC_ASSIGN_OR_RETURN(Datum d, evaluate(*a, batch));
    all_scalar &= d.scalar;
    args.push_back(std::move(d));
  }
  // A call on constants only is computed once, for one row.
  const int64_t n = all_scalar ? 1 : batch.num_rows();
  SLC_ASSIGN_OR_RETURN(Column c, call(e, args, n));
  return Datum{std::move(c), all_scalar};
}

Result<Column> evaluate_column(const BoundExpr& e, const RecordBatch& batch) {
  SLC_ASSIGN_OR_RETURN(Datum d, evaluate(e, batch));
  return broadcast(d, batch.num_rows());
}

Status select_true(const BoundExpr& predicate, const RecordBatch& batch,
                   std::vector<uint32_t>& selection) {
  selection.clear();
  SLC_ASSIGN_OR_RETURN(Datum d, evaluate(predicate, batch));
  const int64_t n = batch.num_rows();
  if (d.scalar) {
    if (!d.is_null(0) && d.column.bool_value(0)) {
      for (int64_t i = 0; i < n; ++i) selection.push_back(static_cast<uint32_t>(i));
    }
    return Status::Ok();
  }
  for (int64_t i = 0; i < n; ++i) {
    if (!d.column.is_null(i) && d.column.bool_value(i))
      selection.push_back(static_cast<uint32_t>(i));
  }
  return Status::Ok();
}

}  // namespace sluice::sql
