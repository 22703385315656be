#pragma once
// ValueMultiset: one group's values of one aggregate over an input that emits changes (MIN,
// MAX, COUNT(DISTINCT)), each distinct value once with how many rows hold it, in value order:
// a delete of the current extremum finds the next at the other end of the order, and a value
// leaves the set (COUNT(DISTINCT) drops) when its last row is deleted.
//
// Values are kept as order-preserving bytes (`encode`): comparing two encodings as unsigned
// bytes orders the values as SQL does — integers, timestamps, dates, intervals and DECIMALs
// (one scale per set) by value, text byte by byte (as ValueSlots compares), FALSE before TRUE;
// DOUBLE with -0.0 equal to 0.0 and every NaN one value, above every number (PostgreSQL's order).
// NULLs are never added (MIN, MAX and COUNT(DISTINCT) skip them).
//
// Thread: one thread per set; a group store shares sets with checkpoint images by CowPtr and
// copies a shared set before changing it (as DistinctSet).

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "dataflow/state_codec.h"
#include "sluice/column.h"
#include "sluice/column_builder.h"
#include "sluice/status.h"

namespace sluice::dataflow {

class ValueMultiset {
 public:
  // Appends the order-preserving encoding of non-null row `row` of `column` to `out`.
  static void encode(std::string& out, const Column& column, int64_t row);
  // Appends the value `encoded` stands for (an encoding of a value of `type`) to `out`.
  static void decode_into(ColumnBuilder& out, DataType type, std::string_view encoded);

  // One more row holds `encoded`.
  void add(std::string_view encoded);
  // One row less holds `encoded`; false (and nothing changes) when no row did.
  bool remove(std::string_view encoded);

  bool empty() const { return values_.empty(); }
  size_t distinct() const { return values_.size(); }
  // The least and the greatest value's encoding (not empty()).
  std::string_view least() const { return values_.begin()->first; }
  std::string_view greatest() const { return values_.rbegin()->first; }
  size_t bytes() const;

  // Its values in order, each with its count: a set written and read back is equal.
  void write(StateWriter& w) const;
  Status read(StateReader& r);

 private:
  std::map<std::string, int64_t, std::less<>> values_;  // encoding -> rows holding it (> 0)
};

}  // namespace sluice::dataflow
