// Kernels of the string functions: concat (|| and CONCAT), LIKE, LENGTH, SUBSTR, TRIM. LENGTH
// and SUBSTR count code points (as text_kernels.cc does); LOWER and UPPER are in case_kernels.cc.

#include "sql/kernels.h"

#include <algorithm>
#include <string>

#include "sluice/column_builder.h"
#include "sql/kernel_support.h"

namespace sluice::sql::kernel {
namespace {

// SQL LIKE: % any run, _ one character (code point).
bool like(std::string_view s, std::string_view p) {
  size_t si = 0, pi = 0, star_p = std::string_view::npos, star_s = 0;
  auto next_cp = [](std::string_view t, size_t i) {
    ++i;
    while (i < t.size() && (static_cast<unsigned char>(t[i]) & 0xc0) == 0x80) ++i;
    return i;
  };
  while (si < s.size()) {
    if (pi < p.size() && p[pi] == '%') {
      star_p = ++pi;
      star_s = si;
    } else if (pi < p.size() && p[pi] == '_') {
      si = next_cp(s, si);
      ++pi;
    } else if (pi < p.size() && p[pi] == s[si]) {
      ++si;
      ++pi;
    } else if (star_p != std::string_view::npos) {
      pi = star_p;
      si = star_s = next_cp(s, star_s);
    } else {
      return false;
    }
  }
  while (pi < p.size() && p[pi] == '%') ++pi;
  return pi == p.size();
}

void append_as_text(const Datum& d, int64_t i, std::string& out) {
  const Column& c = d.column;
  const int64_t r = d.index(i);
  if (c.type() == DataType::kVarchar) {
    out.append(c.string_value(r));
  } else {
    out += Value::from_column(c, r).to_string();
  }
}

}  // namespace

Result<Column> strings(const BoundExpr& e, const std::vector<Datum>& args, int64_t n) {
  if (e.fn == Fn::kLength) {
    FixedOut<int64_t> out(n);
    for (int64_t i = 0; i < n; ++i) {
      args[0].is_null(i)
          ? out.set_null(i)
          : out.set(i, static_cast<int64_t>(utf8_length(read<std::string_view>(args[0], i))));
    }
    return out.finish(DataType::kInt64);
  }
  if (e.fn == Fn::kLike) {
    BoolOut out(n);
    for (int64_t i = 0; i < n; ++i) {
      if (args[0].is_null(i) || args[1].is_null(i)) {
        out.set_null(i);
      } else {
        out.set(i, like(read<std::string_view>(args[0], i), read<std::string_view>(args[1], i)));
      }
    }
    return out.finish();
  }
  ColumnBuilder out(DataType::kVarchar);
  out.reserve(n);
  std::string scratch;
  for (int64_t i = 0; i < n; ++i) {
    switch (e.fn) {
      case Fn::kConcat: {
        // concat() skips NULLs; the || operator (has_else=false marker) is NULL if any is.
        const bool strict = e.unit == "||";
        bool any_null = false;
        scratch.clear();
        for (const Datum& d : args) {
          if (d.is_null(i)) {
            any_null = true;
            continue;
          }
          append_as_text(d, i, scratch);
        }
        if (strict && any_null) {
          out.append_null();
        } else {
          out.append_string(scratch);
        }
        continue;
      }
      default:
        break;
    }
    bool null = false;
    for (const Datum& d : args) null |= d.is_null(i);
    if (null) {
      out.append_null();
      continue;
    }
    const std::string_view s = read<std::string_view>(args[0], i);
    switch (e.fn) {
      case Fn::kTrim: {
        size_t b = 0, en = s.size();
        while (b < en && s[b] == ' ') ++b;
        while (en > b && s[en - 1] == ' ') --en;
        out.append_string(s.substr(b, en - b));
        break;
      }
      case Fn::kSubstr: {
        // SQL: 1-based start; a start before 1 shortens the length accordingly.
        int64_t start = read<int64_t>(args[1], i);
        int64_t length = args.size() > 2 ? read<int64_t>(args[2], i) : INT64_MAX / 2;
        if (length < 0) {
          return Status(ErrorCode::kOutOfRange, "negative substring length in " + e.sql.str());
        }
        int64_t end = start + length;
        if (start < 1) start = 1;
        if (end <= start) {
          out.append_string("");
          break;
        }
        const size_t from = utf8_offset(s, start - 1);
        const size_t to = utf8_offset(s, end - 1);
        out.append_string(s.substr(from, to - from));
        break;
      }
      default:
        return Status(ErrorCode::kInternal, "not a string function: " + e.sql.str());
    }
  }
  return out.finish();
}

}  // namespace sluice::sql::kernel
