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

}  // namespace sluice
