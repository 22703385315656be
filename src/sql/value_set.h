#pragma once
// ValueSet: the constant items of an IN list, hashed once when the expression is bound, so that
// `x IN (…)` costs one probe per row however long the list. Keyed by the list's common type:
// BOOLEAN, INT, BIGINT, TIMESTAMP and INTERVAL as 64-bit integers, DOUBLE as doubles (0.0 and
// -0.0 equal, NaN equal to nothing, as with =), VARCHAR and DECIMAL (its 16 bytes) as bytes. A NULL
// item is remembered, not stored: it makes a miss NULL instead of FALSE.
//
// Thread: filled by the binder, then immutable; probe from any thread.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_set>

#include "sluice/column.h"
#include "sluice/data_type.h"
#include "sluice/value.h"

namespace sluice::sql {

class ValueSet {
 public:
  explicit ValueSet(DataType type) : type_(type) {}

  DataType type() const { return type_; }
  void reserve(size_t n);
  // `v` has the set's type (or is NULL).
  void insert(const Value& v);
  bool has_null() const { return has_null_; }
  size_t size() const { return ints_.size() + doubles_.size() + strings_.size(); }

  // Whether the value at `row` of `column` (of the set's type, not NULL there) is in the set.
  bool contains(const Column& column, int64_t row) const {
    switch (type_) {
      case DataType::kDouble:
        return doubles_.count(column.double_value(row)) != 0;
      case DataType::kVarchar:
        return strings_.find(column.string_value(row)) != strings_.end();
      case DataType::kDecimal: {
        const __int128 v = column.decimal_value(row);
        return strings_.find(std::string_view(reinterpret_cast<const char*>(&v), sizeof v)) !=
               strings_.end();
      }
      case DataType::kBoolean:
        return ints_.count(column.bool_value(row) ? 1 : 0) != 0;
      case DataType::kInt32:
      case DataType::kDate:
        return ints_.count(column.int32_value(row)) != 0;
      default:
        return ints_.count(column.int64_value(row)) != 0;
    }
  }

 private:
  // Lookups by string_view, without making a std::string per probe.
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  DataType type_;
  bool has_null_ = false;
  std::unordered_set<int64_t> ints_;
  std::unordered_set<double> doubles_;
  std::unordered_set<std::string, StringHash, std::equal_to<>> strings_;
};

}  // namespace sluice::sql
