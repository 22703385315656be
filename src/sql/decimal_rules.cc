#include "sql/decimal_rules.h"

#include <algorithm>

namespace sluice::sql {
namespace {

constexpr int kMax = DataType::kMaxDecimalPrecision;

DataType capped(int precision, int scale) {
  return DataType::Decimal(std::min(precision, kMax), scale);
}

}  // namespace

DataType as_decimal(DataType t) {
  if (t == DataType::kInt32) return DataType::Decimal(10, 0);
  if (t == DataType::kInt64) return DataType::Decimal(19, 0);
  return t;
}

DataType common_numeric(DataType a, DataType b) {
  if (a == DataType::kDouble || b == DataType::kDouble) return DataType::kDouble;
  if (a != DataType::kDecimal && b != DataType::kDecimal) {
    return a == DataType::kInt64 || b == DataType::kInt64 ? DataType::kInt64 : DataType::kInt32;
  }
  const DataType x = as_decimal(a), y = as_decimal(b);
  const int scale = std::max(x.scale(), y.scale());
  const int integer_digits = std::max(x.precision() - x.scale(), y.precision() - y.scale());
  return capped(integer_digits + scale, std::min(scale, kMax));
}

Result<DataType> decimal_arithmetic_type(Fn fn, DataType a, DataType b) {
  const int p1 = a.precision(), s1 = a.scale(), p2 = b.precision(), s2 = b.scale();
  const int integer_digits = std::max(p1 - s1, p2 - s2);
  switch (fn) {
    case Fn::kAdd:
    case Fn::kSub: {
      const int scale = std::max(s1, s2);
      return capped(integer_digits + scale + 1, scale);
    }
    case Fn::kMul:
      if (s1 + s2 > kMax) {
        return Status(ErrorCode::kSqlTypeMismatch,
                      "the product of " + type_name(a) + " and " + type_name(b) + " needs scale " +
                          std::to_string(s1 + s2) +
                          ", more than 38; CAST an operand to a smaller scale");
      }
      return capped(std::max(p1 + p2, s1 + s2), s1 + s2);
    case Fn::kDiv:
      return DataType::Decimal(kMax, std::max({6, s1, s2}));
    default: {  // kMod
      const int scale = std::max(s1, s2);
      return capped(integer_digits + scale, scale);
    }
  }
}

DataType decimal_sum_type(DataType arg) {
  return DataType::Decimal(kMax, arg.scale());
}

DataType decimal_avg_type(DataType arg) {
  return DataType::Decimal(kMax, std::max(6, arg.scale()));
}

}  // namespace sluice::sql
