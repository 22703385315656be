#pragma once
// Helpers for SQL names: case folding, and the edit distance behind "did you mean" hints.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::sql {

std::string to_lower(std::string_view s);
std::string to_upper(std::string_view s);
// Case-insensitive ordering for maps keyed by SQL names; transparent, so lookups by
// string_view allocate nothing.
struct NameLess {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const;
};

// Levenshtein distance, ignoring case.
// "a, b, c": names listed in a message.
std::string join_names(const std::vector<std::string>& names);

size_t edit_distance(std::string_view a, std::string_view b);
// `word` is within two edits of `keyword` without being it (a likely misspelling).
bool looks_like(std::string_view word, std::string_view keyword);

}  // namespace sluice::sql
