#include "sluice/schema.h"

#include <strings.h>

namespace sluice {

int Schema::find(std::string_view name) const {
  for (size_t i = 0; i < fields_.size(); ++i) {
    const std::string& f = fields_[i].name;
    if (f.size() == name.size() && strncasecmp(f.data(), name.data(), name.size()) == 0) {
      return static_cast<int>(i);
    }
  }
  return -1;
}

std::string Schema::to_string() const {
  std::string out;
  for (size_t i = 0; i < fields_.size(); ++i) {
    if (i != 0) out += ", ";
    out += fields_[i].name;
    out += ' ';
    out += type_name(fields_[i].type);
    if (!fields_[i].nullable) out += " NOT NULL";
  }
  return out;
}

}  // namespace sluice
