#include "dataflow/key_bytes.h"

#include <cmath>
#include <limits>

namespace sluice::dataflow {

void append_key(std::string& out, const Column& column, int64_t row) {
  if (column.is_null(row)) {
    out.push_back('\0');
    return;
  }
  out.push_back('\1');
  switch (column.type()) {
    case DataType::kBoolean:
      out.push_back(column.bool_value(row) ? '\1' : '\0');
      break;
    case DataType::kInt32:
    case DataType::kDate: {
      const int32_t v = column.int32_value(row);
      out.append(reinterpret_cast<const char*>(&v), 4);
      break;
    }
    case DataType::kDecimal: {  // one type per column: equal values have equal units
      const __int128 v = column.decimal_value(row);
      out.append(reinterpret_cast<const char*>(&v), 16);
      break;
    }
    case DataType::kDouble: {
      double v = column.double_value(row);
      if (v == 0) v = 0;  // -0.0 and 0.0 are one group
      if (std::isnan(v)) v = std::numeric_limits<double>::quiet_NaN();  // one NaN
      out.append(reinterpret_cast<const char*>(&v), 8);
      break;
    }
    case DataType::kVarchar: {
      const std::string_view s = column.string_value(row);
      const auto n = static_cast<uint32_t>(s.size());
      out.append(reinterpret_cast<const char*>(&n), 4);
      out.append(s);
      break;
    }
    case DataType::kInt64:
    case DataType::kTimestamp:
    case DataType::kInterval: {
      const int64_t v = column.int64_value(row);
      out.append(reinterpret_cast<const char*>(&v), 8);
    }
  }
}

}  // namespace sluice::dataflow
