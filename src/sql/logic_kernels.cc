// Kernels of comparisons (= <> < <= > >=, IS [NOT] DISTINCT FROM), AND / OR / NOT
// (three-valued), IS [NOT] NULL and IN over a set of constants.

#include "sql/kernels.h"

#include <algorithm>
#include "sql/kernel_support.h"

namespace sluice::sql::kernel {
namespace {

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
    case DataType::kDate:
      return compare<int32_t>(fn, a, b, n);
    case DataType::kDecimal:  // operands of one DECIMAL type (the binder cast them)
      return compare<__int128>(fn, a, b, n);
    case DataType::kDouble:
      return compare<double>(fn, a, b, n);
    case DataType::kVarchar:
      return compare<std::string_view>(fn, a, b, n);
    default:
      return compare<int64_t>(fn, a, b, n);
  }
}

// a IS [NOT] DISTINCT FROM b: = where both are values; two NULLs are not distinct, a NULL and
// a value are. Never NULL.
Column distinct_from(Fn fn, const Datum& a, const Datum& b, int64_t n) {
  const Column equal = compare_any(Fn::kEq, a, b, n);
  const bool want_distinct = fn == Fn::kIsDistinct;
  BoolOut out(n);
  for (int64_t i = 0; i < n; ++i) {
    const bool a_null = a.is_null(i), b_null = b.is_null(i);
    const bool distinct = a_null || b_null ? a_null != b_null : !equal.bool_value(i);
    out.set(i, distinct == want_distinct);
  }
  return out.finish();
}

// AND / OR of any number of operands, an operand at a time: a row is decided by one FALSE
// (AND) or TRUE (OR); otherwise it is NULL if an operand was NULL there.
Column and_or(Fn fn, const std::vector<Datum>& args, int64_t n) {
  const bool decisive = fn == Fn::kOr;
  std::vector<uint8_t> decided(static_cast<size_t>(n), 0), null(static_cast<size_t>(n), 0);
  for (const Datum& d : args) {
    for (int64_t i = 0; i < n; ++i) {
      if (d.is_null(i)) {
        null[static_cast<size_t>(i)] = 1;
      } else if (read<bool>(d, i) == decisive) {
        decided[static_cast<size_t>(i)] = 1;
      }
    }
  }
  BoolOut out(n);
  for (int64_t i = 0; i < n; ++i) {
    if (decided[static_cast<size_t>(i)]) {
      out.set(i, decisive);
    } else if (null[static_cast<size_t>(i)]) {
      out.set_null(i);
    } else {
      out.set(i, !decisive);
    }
  }
  return out.finish();
}

// x IN (constants): TRUE when found; else NULL when x is NULL or the list has a NULL.
Column in_set(const ValueSet& set, const Datum& x, int64_t n) {
  BoolOut out(n);
  for (int64_t i = 0; i < n; ++i) {
    if (x.is_null(i)) {
      out.set_null(i);
    } else if (set.contains(x.column, x.index(i))) {
      out.set(i, true);
    } else if (set.has_null()) {
      out.set_null(i);
    }
  }
  return out.finish();
}

}  // namespace

Column logic(const BoundExpr& e, const std::vector<Datum>& args, int64_t n) {
  switch (e.fn) {
    case Fn::kAnd:
    case Fn::kOr:
      return and_or(e.fn, args, n);
    case Fn::kInSet:
      return in_set(*e.set, args[0], n);
    case Fn::kIsDistinct:
    case Fn::kIsNotDistinct:
      return distinct_from(e.fn, args[0], args[1], n);
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
    default:
      return compare_any(e.fn, args[0], args[1], n);
  }
}

}  // namespace sluice::sql::kernel
