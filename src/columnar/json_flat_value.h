#pragma once
// The JSON decoder's fast path, its values: a member's text (json_flat_object.h) into its column,
// exactly as the DOM path reads the same member, or declined (nothing appended) where the DOM must
// read or refuse it. Two ways, one result:
//   append_flat_value   a member already scanned (the flat path: the line scanned whole first);
//   FlatValueReader     a value scanned and appended in one pass (the shape path,
//                       json_line_shape.h): for the usual values of each column type (an integer
//                       of up to 18 digits, a decimal of up to 15 without exponent, a string
//                       without escapes, a canonical timestamp) it reads the bytes once; any other
//                       value it leaves to scan_flat_value and append_flat_value, so it takes the
//                       same bytes and appends the same value as they do (held to them by
//                       JsonFlatValue.ReaderAgreesWithScanThenAppend).
//
// Thread: FlatValueReader belongs to its decoder's thread; the functions are pure.

#include <cstddef>

#include "columnar/json_flat_object.h"
#include "columnar/timestamp.h"
#include "sluice/column_builder.h"
#include "sluice/data_type.h"

namespace sluice {

// The column types the fast path reads; a schema with others is read by the DOM alone.
bool flat_type(const DataType& type);

// Appends what the DOM path would for the same member, or returns false having appended nothing
// when the DOM must read it (an error to word, a reading it does not do).
bool append_flat_value(ColumnBuilder& b, bool nullable, const FlatMember& m);

// A member of a key outside the schema: ignored, but the DOM still parses its value and refuses
// a line with a number it cannot hold (1e400, 20 digits): false when its value is such a number.
bool flat_ignorable(const FlatMember& m);

// One value of a line of a known shape, for one column (or for a key outside the schema).
class FlatValueReader {
 public:
  // `column_type` and `nullable` of the value's column; `ignored`: a key outside the schema.
  FlatValueReader(DataType column_type, bool nullable, bool ignored)
      : type_(column_type), nullable_(nullable), ignored_(ignored) {}

  // The value at `p` (the line ends at `end`): what scan_flat_value then append_flat_value (or
  // flat_ignorable) do, in one pass where the value is a usual one. Returns the bytes taken with
  // the value appended to `b` (nothing for an ignored key), or 0 when the flat path declines the
  // value (nothing appended); `non_ascii` is set when a string byte is 0x80 or above.
  size_t read(const char* p, const char* end, ColumnBuilder& b, bool& non_ascii);

 private:
  size_t scan_then_append(const char* p, const char* end, ColumnBuilder& b, bool& non_ascii);

  DataType type_;
  bool nullable_;
  bool ignored_;
  CanonicalTimestampReader timestamps_;  // a TIMESTAMP column's canonical texts
};

}  // namespace sluice
