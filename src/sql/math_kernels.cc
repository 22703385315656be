// Kernels of ABS, ROUND, FLOOR, CEIL.

#include "sql/kernels.h"

#include <cmath>

#include "columnar/decimal.h"
#include "sql/kernel_support.h"

namespace sluice::sql::kernel {

namespace {

// ABS, FLOOR, CEIL and ROUND(x[, digits]) of a DECIMAL, exactly; the result keeps x's type
// (ROUND(12.345, 1) is 12.300 in DECIMAL(5,3)). ROUND rounds half away from zero, as
// PostgreSQL's numeric.
Result<Column> decimal_math(const BoundExpr& e, const std::vector<Datum>& args, int64_t n) {
  using decimal::int128;
  const int scale = e.type.scale();
  FixedOut<int128> out(n);
  for (int64_t i = 0; i < n; ++i) {
    if (args[0].is_null(i) || (args.size() > 1 && args[1].is_null(i))) {
      out.set_null(i);
      continue;
    }
    const int128 x = read<int128>(args[0], i);
    int128 r = x;
    // Digits to drop below the point: all of them for FLOOR and CEIL.
    int64_t drop = scale;
    if (e.fn == Fn::kRound) drop = scale - (args.size() > 1 ? read<int64_t>(args[1], i) : 0);
    if (e.fn == Fn::kAbs) {
      r = x < 0 ? -x : x;
    } else if (drop > 0) {
      if (drop > DataType::kMaxDecimalPrecision) {
        r = 0;
      } else {
        const int128 unit = decimal::pow10(static_cast<int>(drop));
        int128 q = e.fn == Fn::kRound ? decimal::divide_rounded(x, unit) : x / unit;
        if (e.fn == Fn::kFloor && x < 0 && x % unit != 0) --q;
        if (e.fn == Fn::kCeil && x > 0 && x % unit != 0) ++q;
        if (__builtin_mul_overflow(q, unit, &r) || !decimal::fits(r, e.type.precision())) {
          return decimal::overflow(e.sql.str(), e.type);
        }
      }
    }
    out.set(i, r);
  }
  return out.finish(e.type);
}

}  // namespace

Result<Column> math(const BoundExpr& e, const std::vector<Datum>& args, int64_t n) {
  const DataType t = e.type;
  if (t == DataType::kDecimal) return decimal_math(e, args, n);
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

}  // namespace sluice::sql::kernel
