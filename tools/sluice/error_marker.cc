#include "error_marker.h"

#include <charconv>

namespace sluice::cli {

std::string mark_error(std::string_view sql, const Status& error, int first_line) {
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
  const size_t end = sql.find('\n', start);
  const std::string_view text =
      sql.substr(start, end == std::string_view::npos ? sql.size() - start : end - start);
  const std::string prefix = std::to_string(line + first_line - 1) + " | ";
  std::string out = prefix + std::string(text) + "\n";
  out.append(prefix.size() + static_cast<size_t>(column) - 1, ' ');
  out += "^\n";
  return out;
}

}  // namespace sluice::cli
