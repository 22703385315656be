#include "dataflow/value_order.h"

#include <cmath>

namespace sluice::dataflow {

int compare_values(const Value& a, const Value& b) {
  switch (a.type.id()) {
    case DataType::kBoolean:
      return static_cast<int>(a.b) - static_cast<int>(b.b);
    case DataType::kDecimal:
      return (a.dec > b.dec) - (a.dec < b.dec);
    case DataType::kDouble:
      if (std::isnan(a.d) || std::isnan(b.d)) return std::isnan(a.d) - std::isnan(b.d);
      return (a.d > b.d) - (a.d < b.d);
    case DataType::kVarchar: {
      const int r = a.s.compare(b.s);
      return (r > 0) - (r < 0);
    }
    default:  // INT, BIGINT, DATE, TIMESTAMP, INTERVAL
      return (a.i > b.i) - (a.i < b.i);
  }
}

int compare_nullable(const Value& a, const Value& b, bool descending, bool nulls_first) {
  if (a.null || b.null) {
    if (a.null == b.null) return 0;
    return a.null == nulls_first ? -1 : 1;
  }
  const int c = compare_values(a, b);
  return descending ? -c : c;
}

}  // namespace sluice::dataflow
