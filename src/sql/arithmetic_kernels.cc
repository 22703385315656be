// Kernels of + - * / % and unary minus, over numbers, decimals, dates, timestamps and intervals.

#include "sql/kernels.h"

#include <algorithm>
#include <cmath>

#include "columnar/decimal.h"
#include "columnar/timestamp.h"
#include "sql/kernel_support.h"

namespace sluice::sql::kernel {
namespace {

template <typename T>
Result<Column> typed_arithmetic(const BoundExpr& e, const Datum& a, const Datum& b, int64_t n) {
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

// DECIMAL + - * / %: exact on the __int128 units. The operands keep their own scales (the
// binder chose the result's type, decimal_rules.h); + - % align them to the result's scale, * adds
// the scales, / gives the quotient at the result's scale rounded half away from zero
// (decimal::divide, exact even where the shifted dividend would pass 38 digits). A result with more
// digits than its type is SLC-0006; / and % by zero are NULL, as for integers.
Result<Column> decimal_arithmetic(const BoundExpr& e, const Datum& a, const Datum& b, int64_t n) {
  using decimal::int128;
  const int sa = a.column.type().scale(), sb = b.column.type().scale();
  const int pa = a.column.type().precision(), pb = b.column.type().precision();
  const DataType rt = e.type;
  const int rs = rt.scale();
  // Where the result's type was not capped at 38 digits it holds every result of + - *: without
  // NULLs, a tight loop with no overflow checks.
  const bool uncapped = (e.fn == Fn::kMul && pa + pb <= rt.precision()) ||
                        ((e.fn == Fn::kAdd || e.fn == Fn::kSub) &&
                         std::max(pa - sa, pb - sb) + rs + 1 <= rt.precision());
  if (uncapped && !has_nulls(a) && !has_nulls(b)) {
    BufferBuilder values;
    values.resize(static_cast<size_t>(n) * sizeof(int128));
    auto* r = reinterpret_cast<int128*>(values.data());
    const int128 fa = decimal::pow10(rs - sa), fb = decimal::pow10(rs - sb);
    if (e.fn == Fn::kMul) {
      map_values<int128>(a, b, n, r, [](int128 x, int128 y) { return x * y; });
    } else if (e.fn == Fn::kAdd) {
      map_values<int128>(a, b, n, r, [fa, fb](int128 x, int128 y) { return x * fa + y * fb; });
    } else {
      map_values<int128>(a, b, n, r, [fa, fb](int128 x, int128 y) { return x * fa - y * fb; });
    }
    return Column(rt, n, 0, Buffer(), values.finish());
  }
  FixedOut<int128> out(n);
  for (int64_t i = 0; i < n; ++i) {
    if (a.is_null(i) || b.is_null(i)) {
      out.set_null(i);
      continue;
    }
    int128 x = read<int128>(a, i), y = read<int128>(b, i), r = 0;
    bool ok = true;
    switch (e.fn) {
      case Fn::kAdd:
      case Fn::kSub:
        ok = decimal::rescale(x, sa, rs, x) && decimal::rescale(y, sb, rs, y) &&
             !(e.fn == Fn::kAdd ? __builtin_add_overflow(x, y, &r)
                                : __builtin_sub_overflow(x, y, &r));
        break;
      case Fn::kMul:
        ok = !__builtin_mul_overflow(x, y, &r);
        break;
      case Fn::kDiv:
        if (y == 0) {
          out.set_null(i);
          continue;
        }
        ok = decimal::divide(x, sa, y, sb, rs, r);
        break;
      case Fn::kMod:
        if (y == 0) {
          out.set_null(i);
          continue;
        }
        ok = decimal::rescale(x, sa, rs, x) && decimal::rescale(y, sb, rs, y);
        if (ok) r = x % y;
        break;
      default:
        return Status(ErrorCode::kInternal, "not an arithmetic function");
    }
    if (!ok || !decimal::fits(r, rt.precision())) return decimal::overflow(e.sql.str(), rt);
    out.set(i, r);
  }
  return out.finish(rt);
}

// DATE ± BIGINT days → DATE; DATE - DATE → INT days.
Result<Column> date_arithmetic(const BoundExpr& e, const Datum& a, const Datum& b, int64_t n) {
  const bool difference = b.column.type() == DataType::kDate;
  FixedOut<int32_t> out(n);
  for (int64_t i = 0; i < n; ++i) {
    if (a.is_null(i) || b.is_null(i)) {
      out.set_null(i);
      continue;
    }
    const int64_t x = read<int32_t>(a, i);
    const int64_t y = difference ? read<int32_t>(b, i) : read<int64_t>(b, i);
    int64_t r;
    const bool overflowed =
        e.fn == Fn::kAdd ? __builtin_add_overflow(x, y, &r) : __builtin_sub_overflow(x, y, &r);
    if (overflowed || r < INT32_MIN || r > INT32_MAX) return overflow_error(e);
    out.set(i, static_cast<int32_t>(r));
  }
  return out.finish(e.type);
}

Result<Column> negate(const BoundExpr& e, const Datum& a, int64_t n) {
  switch (a.column.type()) {
    case DataType::kDecimal: {  // |v| < 10^p: its negation always fits
      FixedOut<decimal::int128> out(n);
      for (int64_t i = 0; i < n; ++i) {
        a.is_null(i) ? out.set_null(i) : out.set(i, -read<decimal::int128>(a, i));
      }
      return out.finish(e.type);
    }
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

}  // namespace

Result<Column> arithmetic(const BoundExpr& e, const std::vector<Datum>& args, int64_t n) {
  if (e.fn == Fn::kNeg) return negate(e, args[0], n);
  const DataType at = args[0].column.type(), bt = args[1].column.type();
  if (at == DataType::kDate) return date_arithmetic(e, args[0], args[1], n);
  if (e.type == DataType::kDecimal) return decimal_arithmetic(e, args[0], args[1], n);
  if (at == DataType::kTimestamp || at == DataType::kInterval || bt == DataType::kTimestamp ||
      bt == DataType::kInterval) {
    return temporal_arithmetic(e, args[0], args[1], n);
  }
  switch (e.type) {
    case DataType::kInt32:
      return typed_arithmetic<int32_t>(e, args[0], args[1], n);
    case DataType::kDouble:
      return typed_arithmetic<double>(e, args[0], args[1], n);
    default:
      return typed_arithmetic<int64_t>(e, args[0], args[1], n);
  }
}

}  // namespace sluice::sql::kernel
