// Kernels of GREATEST and LEAST (PostgreSQL: NULL arguments are ignored; the result is NULL only
// when every argument is). The binder gave all the arguments one type; each row's winner is
// copied from its column, so no value is materialized.

#include "sluice/column_builder.h"
#include "sql/kernel_support.h"
#include "sql/kernels.h"

namespace sluice::sql::kernel {
namespace {

template <typename T>
Column pick(bool greatest, const std::vector<Datum>& args, DataType type, int64_t n) {
  ColumnBuilder out(type);
  out.reserve(n);
  for (int64_t i = 0; i < n; ++i) {
    const Datum* best = nullptr;
    T best_value{};
    for (const Datum& d : args) {
      if (d.is_null(i)) continue;
      const T v = read<T>(d, i);
      if (best == nullptr || (greatest ? best_value < v : v < best_value)) {
        best = &d;
        best_value = v;
      }
    }
    if (best == nullptr) {
      out.append_null();
    } else {
      out.append_from(best->column, best->index(i));
    }
  }
  return out.finish();
}

}  // namespace

Column extremum(const BoundExpr& e, const std::vector<Datum>& args, int64_t n) {
  const bool greatest = e.fn == Fn::kGreatest;
  switch (e.type) {
    case DataType::kBoolean:
      return pick<bool>(greatest, args, e.type, n);
    case DataType::kInt32:
    case DataType::kDate:  // days since 1970
      return pick<int32_t>(greatest, args, e.type, n);
    case DataType::kDecimal:  // one scale for all arguments: the binder cast them to one type
      return pick<__int128>(greatest, args, e.type, n);
    case DataType::kDouble:
      return pick<double>(greatest, args, e.type, n);
    case DataType::kVarchar:
      return pick<std::string_view>(greatest, args, e.type, n);
    case DataType::kInt64:
    case DataType::kTimestamp:
    case DataType::kInterval:
      return pick<int64_t>(greatest, args, e.type, n);
  }
  return pick<int64_t>(greatest, args, e.type, n);  // not reached: every type is a case above
}

}  // namespace sluice::sql::kernel
