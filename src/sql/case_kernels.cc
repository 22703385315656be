// Kernels of LOWER and UPPER over all of Unicode, with utf8proc (the only file that includes
// it): each code point mapped by its simple case mapping, one code point to one, as
// PostgreSQL (in a UTF-8 database) and DuckDB do: upper('straße') is 'STRAßE', not 'STRASSE';
// a final sigma lowers to 'σ'. ASCII takes a table-free fast path; a byte that does not start a
// valid UTF-8 sequence is copied as it is.

#include <utf8proc.h>

#include <string>

#include "sluice/column_builder.h"
#include "sql/kernel_support.h"
#include "sql/kernels.h"

namespace sluice::sql::kernel {
namespace {

// `s` with every code point mapped, into `out` (cleared; its capacity kept across rows).
void map_case(std::string_view s, bool to_upper, std::string& out) {
  out.clear();
  const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(s.data());
  const auto* const end = p + s.size();
  utf8proc_uint8_t encoded[4];
  while (p < end) {
    const unsigned char c = *p;
    if (c < 0x80) {
      const bool lower = c >= 'a' && c <= 'z', upper = c >= 'A' && c <= 'Z';
      out.push_back(static_cast<char>(to_upper && lower    ? c - 32
                                      : !to_upper && upper ? c + 32
                                                           : c));
      ++p;
      continue;
    }
    utf8proc_int32_t cp = 0;
    const utf8proc_ssize_t len = utf8proc_iterate(p, end - p, &cp);
    if (len <= 0) {
      out.push_back(static_cast<char>(c));
      ++p;
      continue;
    }
    // utf8proc uppers 'ß' to 'ẞ' (U+1E9E), which Unicode's simple mapping (UnicodeData.txt)
    // and PostgreSQL do not: 'ß' stays.
    const utf8proc_int32_t mapped = !to_upper    ? utf8proc_tolower(cp)
                                    : cp == 0xdf ? cp
                                                 : utf8proc_toupper(cp);
    const utf8proc_ssize_t written = utf8proc_encode_char(mapped, encoded);
    out.append(reinterpret_cast<const char*>(encoded), static_cast<size_t>(written));
    p += len;
  }
}

}  // namespace

Result<Column> letter_case(const BoundExpr& e, const std::vector<Datum>& args, int64_t n) {
  const bool to_upper = e.fn == Fn::kUpper;
  ColumnBuilder out(DataType::kVarchar);
  out.reserve(n);
  std::string scratch;
  for (int64_t i = 0; i < n; ++i) {
    if (args[0].is_null(i)) {
      out.append_null();
      continue;
    }
    map_case(read<std::string_view>(args[0], i), to_upper, scratch);
    out.append_string(scratch);
  }
  return out.finish();
}

}  // namespace sluice::sql::kernel
