// Kernels of replace, strpos (and POSITION), starts_with, split_part, left, right, lpad, rpad,
// with PostgreSQL's semantics. Positions and lengths count code points, as LENGTH and SUBSTR
// do. Every function is NULL when an argument is. Results that are a part of the input are
// appended straight from it; built ones (replace, the pads) go through one scratch string
// reused across rows.

#include <algorithm>
#include <string>

#include "sluice/column_builder.h"
#include "sql/kernel_support.h"
#include "sql/kernels.h"

namespace sluice::sql::kernel {
namespace {

// lpad/rpad build at most this many code points (PostgreSQL's limit is the 1 GB of a value):
// a length from the data cannot make one row take all memory.
constexpr int64_t kMaxPadLength = 1'000'000;

void replace_all(std::string_view s, std::string_view from, std::string_view to, std::string& out) {
  out.clear();
  size_t at = 0;
  for (size_t hit = s.find(from); hit != std::string_view::npos; hit = s.find(from, at)) {
    out.append(s.substr(at, hit - at));
    out.append(to);
    at = hit + from.size();
  }
  out.append(s.substr(at));
}

// 1-based code-point position of the first `needle` in `s`, 0 when absent (1 for '').
int64_t strpos(std::string_view s, std::string_view needle) {
  const size_t hit = s.find(needle);
  if (hit == std::string_view::npos) return 0;
  return static_cast<int64_t>(utf8_length(s.substr(0, hit))) + 1;
}

// Field `n` of `s` split at `delimiter`: counted from 1, or from the end when negative; ''
// past the last. An empty delimiter leaves one field, the whole string.
Result<std::string_view> split_part(std::string_view s, std::string_view delimiter, int64_t n,
                                    const BoundExpr& e) {
  if (n == 0) {
    return Status(ErrorCode::kOutOfRange,
                  "split_part's field position must not be zero in " + e.sql.str());
  }
  if (delimiter.empty()) return n == 1 || n == -1 ? s : std::string_view();
  if (n < 0) {
    int64_t fields = 1;
    for (size_t hit = s.find(delimiter); hit != std::string_view::npos;
         hit = s.find(delimiter, hit + delimiter.size())) {
      ++fields;
    }
    if (-n > fields) return std::string_view();
    n = fields + n + 1;
  }
  size_t begin = 0;
  for (int64_t field = 1;; ++field) {
    const size_t hit = s.find(delimiter, begin);
    if (field == n) return s.substr(begin, hit == std::string_view::npos ? hit : hit - begin);
    if (hit == std::string_view::npos) return std::string_view();
    begin = hit + delimiter.size();
  }
}

// The first `n` code points; with n negative, all but the last -n.
std::string_view left(std::string_view s, int64_t n) {
  if (n < 0) {
    const int64_t length = static_cast<int64_t>(utf8_length(s));
    n = n <= -length ? 0 : length + n;
  }
  return s.substr(0, utf8_offset(s, n));
}

// The last `n` code points; with n negative, all but the first -n.
std::string_view right(std::string_view s, int64_t n) {
  int64_t skip;
  if (n < 0) {
    skip = n == INT64_MIN ? INT64_MAX : -n;
  } else {
    const int64_t length = static_cast<int64_t>(utf8_length(s));
    skip = n >= length ? 0 : length - n;
  }
  return s.substr(utf8_offset(s, skip));
}

// `s` filled to `length` code points with `fill` repeated, on the left or the right; a longer
// `s` is cut to its first `length` code points, and an empty fill pads nothing (PostgreSQL).
Status pad(std::string_view s, int64_t length, std::string_view fill, bool on_left,
           const BoundExpr& e, std::string& out) {
  out.clear();
  if (length <= 0) return Status::Ok();
  if (length > kMaxPadLength) {
    return Status(ErrorCode::kOutOfRange, "length " + std::to_string(length) + " is too large in " +
                                              e.sql.str() + " (at most " +
                                              std::to_string(kMaxPadLength) + ")");
  }
  const size_t cut = utf8_offset(s, length);
  const std::string_view kept = s.substr(0, cut);
  const int64_t kept_length = static_cast<int64_t>(utf8_length(kept));
  int64_t missing = fill.empty() ? 0 : length - kept_length;
  if (!on_left) out.append(kept);
  if (missing > 0) {
    const int64_t fill_length = static_cast<int64_t>(utf8_length(fill));
    for (int64_t whole = missing / fill_length; whole > 0; --whole) out.append(fill);
    out.append(fill.substr(0, utf8_offset(fill, missing % fill_length)));
  }
  if (on_left) out.append(kept);
  return Status::Ok();
}

}  // namespace

Result<Column> text(const BoundExpr& e, const std::vector<Datum>& args, int64_t n) {
  auto any_null = [&](int64_t i) {
    for (const Datum& d : args) {
      if (d.is_null(i)) return true;
    }
    return false;
  };
  auto str = [&](size_t arg, int64_t i) { return read<std::string_view>(args[arg], i); };
  if (e.fn == Fn::kStrpos) {
    FixedOut<int64_t> out(n);
    for (int64_t i = 0; i < n; ++i) {
      any_null(i) ? out.set_null(i) : out.set(i, strpos(str(0, i), str(1, i)));
    }
    return out.finish(DataType::kInt64);
  }
  if (e.fn == Fn::kStartsWith) {
    BoolOut out(n);
    for (int64_t i = 0; i < n; ++i) {
      any_null(i) ? out.set_null(i)
                  : out.set(i, str(0, i).substr(0, str(1, i).size()) == str(1, i));
    }
    return out.finish();
  }
  ColumnBuilder out(DataType::kVarchar);
  out.reserve(n);
  std::string scratch;
  for (int64_t i = 0; i < n; ++i) {
    if (any_null(i)) {
      out.append_null();
      continue;
    }
    const std::string_view s = str(0, i);
    switch (e.fn) {
      case Fn::kReplace:
        if (str(1, i).empty()) {
          out.append_string(s);  // nothing to find (PostgreSQL)
        } else {
          replace_all(s, str(1, i), str(2, i), scratch);
          out.append_string(scratch);
        }
        break;
      case Fn::kSplitPart: {
        SLC_ASSIGN_OR_RETURN(std::string_view field,
                             split_part(s, str(1, i), read<int64_t>(args[2], i), e));
        out.append_string(field);
        break;
      }
      case Fn::kLeft:
        out.append_string(left(s, read<int64_t>(args[1], i)));
        break;
      case Fn::kRight:
        out.append_string(right(s, read<int64_t>(args[1], i)));
        break;
      case Fn::kLpad:
      case Fn::kRpad: {
        const std::string_view fill = args.size() > 2 ? str(2, i) : std::string_view(" ");
        SLC_RETURN_IF_ERROR(pad(s, read<int64_t>(args[1], i), fill, e.fn == Fn::kLpad, e, scratch));
        out.append_string(scratch);
        break;
      }
      default:
        return Status(ErrorCode::kInternal, "not a text function: " + e.sql.str());
    }
  }
  return out.finish();
}

}  // namespace sluice::sql::kernel
