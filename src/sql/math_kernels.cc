// Kernels of ABS, ROUND, FLOOR, CEIL.

#include "sql/kernels.h"

#include <cmath>

#include "sql/kernel_support.h"

namespace sluice::sql::kernel {

Result<Column> math(const BoundExpr& e, const std::vector<Datum>& args, int64_t n) {
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

}  // namespace sluice::sql::kernel
