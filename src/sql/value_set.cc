#include "sql/value_set.h"

namespace sluice::sql {

void ValueSet::reserve(size_t n) {
  switch (type_) {
    case DataType::kDouble:
      doubles_.reserve(n);
      break;
    case DataType::kVarchar:
    case DataType::kDecimal:
      strings_.reserve(n);
      break;
    default:
      ints_.reserve(n);
      break;
  }
}

void ValueSet::insert(const Value& v) {
  if (v.null) {
    has_null_ = true;
    return;
  }
  switch (type_) {
    case DataType::kDouble:
      // -0.0 == 0.0 hashes alike (std::hash<double> maps both to 0); NaN never matches.
      doubles_.insert(v.d);
      break;
    case DataType::kVarchar:
      strings_.insert(v.s);
      break;
    case DataType::kDecimal:
      strings_.insert(std::string(reinterpret_cast<const char*>(&v.dec), sizeof v.dec));
      break;
    case DataType::kBoolean:
      ints_.insert(v.b ? 1 : 0);
      break;
    default:
      ints_.insert(v.i);
      break;
  }
}

}  // namespace sluice::sql
