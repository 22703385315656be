#include "dataflow/agg_columns.h"

// AggColumns::remove, a deleted row of an input that emits changes taken back out of its group
// (a file of its own: folding rows in is agg_columns.cc). Each case inverts add()'s:
//   COUNT                 one less;
//   SUM, AVG              one less, and the value subtracted: exact for BIGINT/INT/INTERVAL
//                         (BIGINT overflow checked as add() checks it) and DECIMAL (38 digits);
//                         DOUBLE sums (and AVG of integers, summed as doubles) subtract in
//                         floating point, so after deletes they can differ from the sum of the
//                         rows that remain by rounding (exact while the values and sums are
//                         integers below 2^53); a group that empties starts again from zero;
//   VAR*, STDDEV*         Welford's update reversed (floating point, as above);
//   MIN, MAX, COUNT(DISTINCT)  the value's count in the group's ValueMultiset, one less.

namespace sluice::dataflow {

using sql::AggKind;

Result<bool> AggColumns::remove(uint32_t g, const sql::Datum& arg, int64_t row,
                                std::string& scratch) {
  const AggKind kind = call_->kind;
  if (kind == AggKind::kCountStar) {
    if (count_[g] == 0) return false;
    --count_.mut(g);
    return true;
  }
  const Column& column = arg.column;
  const int64_t r = arg.index(row);
  if (column.is_null(r)) return true;  // NULLs are not counted: nothing to take back
  if (shape_ == Shape::kMultiset) {
    if (!multisets_[g]) return false;
    CowPtr<ValueMultiset>& set = multisets_.mut(g);
    own(set);
    scratch.clear();
    ValueMultiset::encode(scratch, column, r);
    const bool held = set->remove(scratch);
    if (set->empty()) set = nullptr;
    return held;
  }
  if (shape_ == Shape::kValue || shape_ == Shape::kDistinct) {
    // The binder makes MIN/MAX/COUNT(DISTINCT) multisets over changes and refuses FIRST/LAST.
    return Status(ErrorCode::kInternal, call_->sql + " cannot take a row back");
  }
  if (count_[g] == 0) return false;  // no row to take back
  const int64_t n = --count_.mut(g);
  switch (shape_) {
    case Shape::kCount:
      return true;
    case Shape::kSumInt: {
      const int64_t v = integer_at(column, r);
      int64_t& sum = i_.mut(g);
      if (n == 0) {
        sum = 0;
      } else if (__builtin_sub_overflow(sum, v, &sum)) {
        return Status(ErrorCode::kOutOfRange, call_->sql + " overflowed BIGINT");
      }
      return true;
    }
    case Shape::kSumDouble: {
      double& sum = d_.mut(g);
      sum = n == 0 ? 0 : sum - double_at(column, r);
      return true;
    }
    case Shape::kSumDecimal:
      if (n == 0) {
        dec_.mut(g) = 0;
        return true;
      }
      SLC_RETURN_IF_ERROR(add_decimal(g, -column.decimal_value(r)));
      return true;
    case Shape::kMoments: {
      // Welford's update reversed: the mean and m2 of the other n rows.
      double& mean = d_.mut(g);
      double& m2 = m2_.mut(g);
      if (n == 0) {
        mean = 0;
        m2 = 0;
        return true;
      }
      const double x = double_at(column, r);
      const double before = mean;
      mean = before - (x - before) / static_cast<double>(n);
      m2 -= (x - mean) * (x - before);
      if (m2 < 0) m2 = 0;  // rounding: a variance is never negative
      return true;
    }
    case Shape::kDistinct:
    case Shape::kValue:
    case Shape::kMultiset:
      break;
  }
  return true;
}

}  // namespace sluice::dataflow
