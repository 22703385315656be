#pragma once
// JsonLineShape: the JSON decoder's fastest path. The lines of one stream are nearly always
// written by one program: the same keys in the same order with the same punctuation, only the
// values differ. A line's shape is the text between its values (the literals: braces, keys,
// colons, commas and whitespace, exactly as written) and the column each value goes to. A later
// line made of exactly those literals is split into its values by comparing the literals, a word
// at a time, and scanning each value with the flat path's own value scan (scan_flat_value,
// json_flat_object.h): no key is looked up, no whitespace skipped, no column searched.
//
// Why that is exact: a line with the shape's literals has, for the flat scan, the same keys at
// the same places and the same value texts and kinds (each value ends where the same scan ends
// it, and the literal after it is the valid punctuation of the line the shape was learned from),
// so the decoder appends each value with the flat path's conversion and the row is the one the
// flat path reads. A line that differs anywhere is declined and read by the flat path.
//
// Thread: belongs to its decoder's thread.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "columnar/json_flat_object.h"

namespace sluice {

class JsonLineShape {
 public:
  struct Value {
    int column;  // -1: a key outside the schema (its value is scanned, not kept)
    FlatMember member;
  };

  // Learns the shape of `line` from its flat scan: `members` in order, `columns[i]` the column of
  // member i (or -1). Kept only when the literals are ASCII (a non-ASCII byte can then only be in
  // a string value) and the line has a value; else no shape is known.
  void learn(std::string_view line, const std::vector<FlatMember>& members,
             const std::vector<int>& columns);
  bool known() const { return !columns_.empty(); }

  // True when `line` has the shape: `values` then holds its values in order and `non_ascii`
  // says whether some byte of a string value is 0x80 or above. False: declined.
  bool split(std::string_view line, std::vector<Value>& values, bool& non_ascii) const;

 private:
  // A literal with its first and last 8 bytes (or 4, or fewer: `small`) for the comparison.
  struct Literal {
    std::string text;
    uint64_t head = 0;
    uint64_t tail = 0;
  };
  static bool at(const char* p, const Literal& literal);

  std::vector<Literal> literals_;  // before each value, then the one after the last
  std::vector<int> columns_;       // each value's column
};

}  // namespace sluice
