#pragma once
// JsonLineShape: the JSON decoder's fastest path. The lines of one stream are nearly always
// written by one program: the same keys in the same order with the same punctuation, only the
// values differ. A line's shape is the text between its values (the literals: braces, keys,
// colons, commas and whitespace, exactly as written) and the column each value goes to. A later
// line made of exactly those literals is read by comparing the literals, a word at a time, and
// reading each value straight into its column with the flat path's own value reading
// (FlatValueReader, json_flat_value.h: scanned and converted in one pass): no key is looked up,
// no whitespace skipped, no column searched.
//
// Why that is exact: a line with the shape's literals has, for the flat scan, the same keys at
// the same places and the same value texts and kinds (each value ends where the same scan ends
// it, and the literal after it is the valid punctuation of the line the shape was learned from),
// so each value is appended with the flat path's conversion and the row is the one the flat path
// reads. A line that differs anywhere is declined (nothing appended) and read by the flat path.
//
// Thread: belongs to its decoder's thread.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "columnar/json_flat_object.h"
#include "columnar/json_flat_value.h"
#include "sluice/batch_builder.h"

namespace sluice {

class JsonLineShape {
 public:
  // Learns the shape of `line` from its flat scan: `members` in order, `columns[i]` the column of
  // member i in `schema` (or -1: a key outside it, whose value is scanned, not kept). Kept only
  // when the literals are ASCII (a non-ASCII byte can then only be in a string value) and the
  // line has a value; else no shape is known.
  void learn(std::string_view line, const std::vector<FlatMember>& members,
             const std::vector<int>& columns, const Schema& schema);
  bool known() const { return !columns_.empty(); }

  // True when `line` has the shape and the flat path reads each of its values: the row is then
  // appended to `builder` and `non_ascii` says whether some byte of a string value is 0x80 or
  // above (the caller validates the line's UTF-8). False: declined, nothing appended.
  bool append(std::string_view line, BatchBuilder& builder, bool& non_ascii);

 private:
  // A literal with its first and last 8 bytes (or 4, or fewer) for the comparison.
  struct Literal {
    std::string text;
    uint64_t head = 0;
    uint64_t tail = 0;
  };
  static bool at(const char* p, const Literal& literal);

  std::vector<Literal> literals_;        // before each value, then the one after the last
  std::vector<int> columns_;             // each value's column (-1: a key outside the schema)
  std::vector<FlatValueReader> values_;  // each value's reading
};

}  // namespace sluice
