#pragma once
// The JSON decoder's fast path: one line scanned as a flat JSON object (every member a scalar)
// without building a document, its members' texts handed back in order. It accepts only what it
// can hand back exactly as simdjson's DOM would read it: keys and strings without escapes or
// control characters, numbers that follow JSON's grammar, nothing after the object but
// whitespace; anything else (nested values, escapes, a malformed line) is declined, and the
// decoder parses that line with simdjson, which also words every error. Bytes of 0x80 and above
// are reported (`non_ascii`), not checked: the caller validates the line's UTF-8 then.
//
// Thread: a pure function; the caller owns `members`.

#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

namespace sluice {

enum class FlatKind : uint8_t { kString, kInteger, kNumber, kTrue, kFalse, kNull };

struct FlatMember {
  std::string_view key;    // between its quotes (free of escapes)
  std::string_view value;  // a string's text between its quotes; a number's or literal's text
  FlatKind kind;           // kInteger: a number without fraction or exponent
  bool expected;           // the key is expected_keys[its position] (see scan_flat_object)
};

struct FlatObject {
  std::vector<FlatMember> members;  // in the line's order
  bool non_ascii = false;           // some byte of the line is 0x80 or above
};

// True when `line` is one JSON object of scalar members as described above; `out` then holds
// them. False (declined): `out` is unspecified. `expected_keys`: the key each position most
// likely has (empty: no guess), each plain ASCII without quotes, backslashes or control
// characters; a key found as expected is compared once, not scanned.
bool scan_flat_object(std::string_view line, const std::vector<std::string_view>& expected_keys,
                      FlatObject& out);

// One value at the start of `text` as scan_flat_object reads a member's (a string with its
// quotes, a number, true, false or null; what follows it is not looked at): true with m.value
// and m.kind set, `length` the bytes it took and `non_ascii` whether a string byte is 0x80 or
// above. False: declined, as scan_flat_object would decline the member.
bool scan_flat_value(std::string_view text, FlatMember& m, size_t& length, bool& non_ascii);

namespace flat_detail {
constexpr uint64_t kOnes = 0x0101010101010101ULL;
constexpr uint64_t kHighs = 0x8080808080808080ULL;
// The top bit of each of 8 bytes (little-endian) that is a quote, a backslash or a control
// character (below 0x20): a string runs on, 8 bytes at a time, while none is. A borrow can set
// bits above a flagged byte, never below one, so the lowest bit set marks the first such byte.
inline uint64_t string_specials(uint64_t w) {
  const auto zero_byte = [](uint64_t x) { return (x - kOnes) & ~x & kHighs; };
  return zero_byte(w ^ (kOnes * '"')) | zero_byte(w ^ (kOnes * '\\')) |
         ((w - kOnes * 0x20) & ~w & kHighs);
}
}  // namespace flat_detail

// The string whose opening quote is at `p` (the text ends at `end`), as scan_flat_object reads a
// member's: its text between the quotes into `text`, and the bytes it took, quotes included; 0
// when declined (an escape, which simdjson would unescape; a control character, invalid JSON; no
// closing quote). `high` is or-ed with its bytes (its top bit: some byte is 0x80 or above).
// Inline: the shape path reads its strings with it (json_flat_value.h), once per value.
inline size_t scan_flat_string(const char* p, const char* end, std::string_view& text,
                               unsigned char& high) {
  using namespace flat_detail;
  const char* const start = p + 1;
  const char* q = start;
  while (end - q >= 8) {
    uint64_t w;
    std::memcpy(&w, q, 8);
    if (const uint64_t special = string_specials(w); special != 0) {
      const int first = __builtin_ctzll(special) / 8;
      const uint64_t before = (uint64_t{1} << (8 * first)) - 1;  // the bytes ahead of it
      if (w & kHighs & before) high |= 0x80;
      q += first;
      if (*q != '"') return 0;  // a backslash or a control character
      text = std::string_view(start, static_cast<size_t>(q - start));
      return static_cast<size_t>(q + 1 - p);
    }
    if (w & kHighs) high |= 0x80;
    q += 8;
  }
  for (; q < end; ++q) {
    const auto c = static_cast<unsigned char>(*q);
    if (c == '"') {
      text = std::string_view(start, static_cast<size_t>(q - start));
      return static_cast<size_t>(q + 1 - p);
    }
    if (c == '\\' || c < 0x20) return 0;
    high |= c;
  }
  return 0;
}

}  // namespace sluice
