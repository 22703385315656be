#include "error_marker.h"

#include <algorithm>
#include <charconv>
#include <cstdio>

namespace sluice::cli {

std::string mark_error(std::string_view sql, const Status& error, const Redactor& redact,
                       int first_line) {
  const std::string_view where = error.location();
  const size_t colon = where.find(':');
  if (colon == std::string_view::npos) return {};
  int line = 0, column = 0;
  auto [p1, e1] = std::from_chars(where.data(), where.data() + colon, line);
  auto [p2, e2] = std::from_chars(where.data() + colon + 1, where.data() + where.size(), column);
  if (e1 != std::errc() || e2 != std::errc() || p2 != where.data() + where.size() || line < 1 ||
      column < 1) {
    return {};
  }
  size_t start = 0;
  for (int l = 1; l < line; ++l) {
    start = sql.find('\n', start);
    if (start == std::string_view::npos) return {};
    ++start;
  }
  const size_t at = std::min(sql.size(), start + static_cast<size_t>(column) - 1);
  // The error's place in the shown text: masking may shorten what comes before it (a token
  // boundary, so the text before it redacts the same alone as within the whole).
  const std::string shown = redact(sql);
  const std::string shown_before = redact(sql.substr(0, at));
  const size_t line_start =
      shown_before.rfind('\n') == std::string::npos ? 0 : shown_before.rfind('\n') + 1;
  const size_t line_end = shown.find('\n', line_start);
  const std::string_view text = std::string_view(shown).substr(
      line_start, line_end == std::string::npos ? std::string::npos : line_end - line_start);
  const std::string prefix = std::to_string(line + first_line - 1) + " | ";
  std::string out = prefix + std::string(text) + "\n";
  out.append(prefix.size() + (shown_before.size() - line_start), ' ');
  out += "^\n";
  return out;
}

void report_file_error(const std::string& file, std::string_view sql, const Status& error,
                       Database& db) {
  const std::string marked =
      mark_error(sql, error, [&](std::string_view text) { return db.redact(text); });
  std::fprintf(stderr, "%s:\n%s%s\n", file.c_str(), marked.c_str(), error.to_string().c_str());
}

}  // namespace sluice::cli
