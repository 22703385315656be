#pragma once
// What the expression kernels share: reading an operand's value at a row (scalars broadcast),
// counting UTF-8 code points, building fixed-width and boolean results in place, and the null-free
// fast-path loop. Internal to the sql module (the kernels' files and expr_eval.cc).
//
// Thread: stateless.

#include <cstring>
#include <string_view>

#include "columnar/bitmap.h"
#include "sluice/buffer.h"
#include "sluice/column.h"
#include "sql/bound_expr.h"
#include "sql/expr_eval.h"

namespace sluice::sql::kernel {

// ---- reading operands ------------------------------------------------------------------

template <typename T>
T read(const Datum& d, int64_t row);
template <>
inline int32_t read<int32_t>(const Datum& d, int64_t row) {
  return d.column.int32_value(d.index(row));
}
template <>
inline int64_t read<int64_t>(const Datum& d, int64_t row) {
  return d.column.int64_value(d.index(row));
}
template <>
inline __int128 read<__int128>(const Datum& d, int64_t row) {
  return d.column.decimal_value(d.index(row));
}
template <>
inline double read<double>(const Datum& d, int64_t row) {
  return d.column.double_value(d.index(row));
}
template <>
inline bool read<bool>(const Datum& d, int64_t row) {
  return d.column.bool_value(d.index(row));
}
template <>
inline std::string_view read<std::string_view>(const Datum& d, int64_t row) {
  return d.column.string_value(d.index(row));
}

// ---- UTF-8 text: lengths and positions count code points ---------------------------------

inline size_t utf8_length(std::string_view s) {
  size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xc0) != 0x80;
  return n;
}

// Byte offset of code point `cp` (0-based) in s, clamped to s.size().
inline size_t utf8_offset(std::string_view s, int64_t cp) {
  size_t i = 0;
  while (i < s.size() && cp > 0) {
    ++i;
    while (i < s.size() && (static_cast<unsigned char>(s[i]) & 0xc0) == 0x80) ++i;
    --cp;
  }
  return i;
}

// ---- writing results -------------------------------------------------------------------

// Fixed-width output written in place: values plus a validity bitmap (dropped if no nulls).
template <typename T>
class FixedOut {
 public:
  explicit FixedOut(int64_t rows) : rows_(rows) {
    values_.resize(static_cast<size_t>(rows) * sizeof(T));
    validity_.resize(static_cast<size_t>(bitmap::bytes_for(rows)));
    if (validity_.size() != 0) std::memset(validity_.data(), 0xff, validity_.size());
  }
  void set(int64_t i, T v) { reinterpret_cast<T*>(values_.data())[i] = v; }
  void set_null(int64_t i) {
    bitmap::clear(validity_.data(), i);
    reinterpret_cast<T*>(values_.data())[i] = T{};
    ++nulls_;
  }
  Column finish(DataType type) {
    Buffer validity = nulls_ ? validity_.finish() : Buffer();
    return Column(type, rows_, nulls_, std::move(validity), values_.finish());
  }

 private:
  int64_t rows_;
  int64_t nulls_ = 0;
  BufferBuilder values_;
  BufferBuilder validity_;
};

class BoolOut {
 public:
  explicit BoolOut(int64_t rows) : rows_(rows) {
    values_.resize(static_cast<size_t>(bitmap::bytes_for(rows)));
    validity_.resize(static_cast<size_t>(bitmap::bytes_for(rows)));
    if (validity_.size() != 0) std::memset(validity_.data(), 0xff, validity_.size());
  }
  void set(int64_t i, bool v) {
    if (v) bitmap::set(values_.data(), i);
  }
  void set_null(int64_t i) {
    bitmap::clear(validity_.data(), i);
    ++nulls_;
  }
  Column finish() {
    Buffer validity = nulls_ ? validity_.finish() : Buffer();
    return Column(DataType::kBoolean, rows_, nulls_, std::move(validity), values_.finish());
  }

 private:
  int64_t rows_;
  int64_t nulls_ = 0;
  BufferBuilder values_;
  BufferBuilder validity_;
};

inline Status overflow_error(const BoundExpr& e) {
  return Status(ErrorCode::kOutOfRange, "integer overflow in " + e.sql.str());
}

// ---- null-free fast paths -----------------------------------------------------------------

inline bool has_nulls(const Datum& d) {
  return d.column.null_count() > 0;
}

// out[i] = op(a[i], b[i]) over raw values, scalars broadcast: no per-row null or scalar test,
// so the compiler can vectorize it. Only for operands without NULLs.
template <typename T, typename R, typename Op>
void map_values(const Datum& a, const Datum& b, int64_t n, R* out, Op op) {
  const T* x = a.column.values<T>();
  const T* y = b.column.values<T>();
  if (a.scalar && b.scalar) {
    for (int64_t i = 0; i < n; ++i) out[i] = op(x[0], y[0]);
  } else if (a.scalar) {
    const T xs = x[0];
    for (int64_t i = 0; i < n; ++i) out[i] = op(xs, y[i]);
  } else if (b.scalar) {
    const T ys = y[0];
    for (int64_t i = 0; i < n; ++i) out[i] = op(x[i], ys);
  } else {
    for (int64_t i = 0; i < n; ++i) out[i] = op(x[i], y[i]);
  }
}

}  // namespace sluice::sql::kernel
