#pragma once
// Field and Schema: names and types of a batch's columns. Schemas are immutable and shared
// (SchemaPtr); many batches point at one.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/data_type.h"

namespace sluice {

struct Field {
  std::string name;
  DataType type = DataType::kInt64;
  bool nullable = true;

  bool operator==(const Field&) const = default;
};

class Schema {
 public:
  Schema() = default;
  explicit Schema(std::vector<Field> fields) : fields_(std::move(fields)) {}

  const std::vector<Field>& fields() const { return fields_; }
  const Field& field(int i) const { return fields_[static_cast<size_t>(i)]; }
  int num_fields() const { return static_cast<int>(fields_.size()); }
  // Index of the field with this name (case-insensitive, as SQL identifiers), or -1.
  int find(std::string_view name) const;
  // "symbol VARCHAR NOT NULL, price DOUBLE"
  std::string to_string() const;

  bool operator==(const Schema&) const = default;

 private:
  std::vector<Field> fields_;
};

using SchemaPtr = std::shared_ptr<const Schema>;

inline SchemaPtr make_schema(std::vector<Field> fields) {
  return std::make_shared<const Schema>(std::move(fields));
}

}  // namespace sluice
