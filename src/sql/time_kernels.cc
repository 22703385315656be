// Kernels of DATE_TRUNC, EXTRACT, to_timestamp(seconds) and epoch_ms.

#include "sql/kernels.h"

#include <cmath>

#include "columnar/timestamp.h"
#include "sql/kernel_support.h"

namespace sluice::sql::kernel {
namespace {

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
  return 0;  // the binder accepts only the fields above
}

// to_timestamp(seconds): rounded to the microsecond, as PostgreSQL does; a value no TIMESTAMP
// holds (NaN, infinite, past ±292,000 years) is an error rather than a wrong time.
Result<int64_t> timestamp_from_seconds(double seconds, const BoundExpr& e) {
  const double micros = std::nearbyint(seconds * static_cast<double>(kMicrosPerSecond));
  // 2^63 as a double: every double below it converts exactly into an int64_t.
  constexpr double kLimit = 9223372036854775808.0;
  if (!(micros > -kLimit && micros < kLimit)) {
    return Status(ErrorCode::kOutOfRange,
                  "timestamp out of range in " + e.sql.str() + ": " + std::to_string(seconds));
  }
  return static_cast<int64_t>(micros);
}

Result<Column> epoch_ms(const BoundExpr& e, const Datum& arg, int64_t n) {
  FixedOut<int64_t> out(n);
  for (int64_t i = 0; i < n; ++i) {
    if (arg.is_null(i)) {
      out.set_null(i);
      continue;
    }
    const int64_t v = read<int64_t>(arg, i);
    if (e.type == DataType::kInt64) {
      // TIMESTAMP → milliseconds, rounded down (toward the past, as DATE_TRUNC does).
      out.set(i, v / 1000 - (v % 1000 < 0 ? 1 : 0));
    } else {
      int64_t micros = 0;
      if (__builtin_mul_overflow(v, int64_t{1000}, &micros)) {
        return Status(ErrorCode::kOutOfRange,
                      "timestamp out of range in " + e.sql.str() + ": " + std::to_string(v));
      }
      out.set(i, micros);
    }
  }
  return out.finish(e.type);
}

}  // namespace

Result<Column> time(const BoundExpr& e, const std::vector<Datum>& args, int64_t n) {
  if (e.fn == Fn::kEpochMs) return epoch_ms(e, args[0], n);
  if (e.fn == Fn::kToTimestamp) {
    FixedOut<int64_t> out(n);
    for (int64_t i = 0; i < n; ++i) {
      if (args[0].is_null(i)) {
        out.set_null(i);
      } else {
        SLC_ASSIGN_OR_RETURN(int64_t t, timestamp_from_seconds(read<double>(args[0], i), e));
        out.set(i, t);
      }
    }
    return out.finish(DataType::kTimestamp);
  }
  if (e.fn == Fn::kExtract && e.unit == "EPOCH") {
    // Seconds with their fraction, as PostgreSQL and DuckDB give them (exact to the
    // microsecond for any timestamp within ±142 years of 1970: 2^53 µs).
    FixedOut<double> out(n);
    for (int64_t i = 0; i < n; ++i) {
      if (args[0].is_null(i)) {
        out.set_null(i);
      } else {
        out.set(i, static_cast<double>(read<int64_t>(args[0], i)) / kMicrosPerSecond);
      }
    }
    return out.finish(DataType::kDouble);
  }
  FixedOut<int64_t> out(n);
  for (int64_t i = 0; i < n; ++i) {
    if (args[0].is_null(i)) {
      out.set_null(i);
    } else if (e.fn == Fn::kDateTrunc) {
      SLC_ASSIGN_OR_RETURN(int64_t t, truncate_time(read<int64_t>(args[0], i), e.unit));
      out.set(i, t);
    } else {
      out.set(i, extract_field(read<int64_t>(args[0], i), e.unit));
    }
  }
  return out.finish(e.fn == Fn::kDateTrunc ? DataType::kTimestamp : DataType::kInt64);
}

}  // namespace sluice::sql::kernel
