#pragma once
// UTF-8 validation for text entering VARCHAR columns (CSV; simdjson checks JSON itself).

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace sluice {

// True when `text` is well-formed UTF-8 (no overlongs, no surrogates, at most U+10FFFF).
bool is_valid_utf8(std::string_view text);

}  // namespace sluice
