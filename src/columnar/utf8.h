#pragma once
// UTF-8 validation for text entering VARCHAR columns (CSV; simdjson checks JSON itself) and for
// SQL text (the lexer, which names the bad byte's position).

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace sluice {

// True when `text` is well-formed UTF-8 (no overlongs, no surrogates, at most U+10FFFF).
bool is_valid_utf8(std::string_view text);

// The length of the longest well-formed prefix of `text`: the offset of the first byte that does
// not begin a well-formed sequence, or text.size() when all of it is well-formed.
size_t valid_utf8_prefix(std::string_view text);

}  // namespace sluice
