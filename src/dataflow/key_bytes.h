#pragma once
// A value's key bytes: the self-delimiting, comparable encoding that groups, COUNT(DISTINCT)
// sets, ad-hoc DISTINCT and join keys compare (a NULL marker, then the value: -0.0 and 0.0 one
// key, every NaN one key, text length-prefixed). Pure functions, any thread.

#include <cstdint>
#include <string>

#include "sluice/column.h"

namespace sluice::dataflow {

// Appends a self-delimiting, comparable encoding of row `row` of `column` to `out`
// (COUNT DISTINCT sets, ad-hoc DISTINCT, join keys).
void append_key(std::string& out, const Column& column, int64_t row);

}  // namespace sluice::dataflow
