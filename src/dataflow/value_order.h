#pragma once
// The order of values in ORDER BY within an operator (top-N, OVER frames): NULLs last ascending
// unless NULLS FIRST; NaN above every other double (as ORDER BY sorts them, adhoc_result.cc).
//
// Thread: pure functions.

#include "sluice/value.h"

namespace sluice::dataflow {

// -1, 0, 1 comparing two non-null values of one type.
int compare_values(const Value& a, const Value& b);

// As compare_values, with NULLs: a NULL is larger than every value unless `nulls_first`; the
// result inverted when `descending`.
int compare_nullable(const Value& a, const Value& b, bool descending, bool nulls_first);

}  // namespace sluice::dataflow
