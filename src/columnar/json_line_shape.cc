#include "columnar/json_line_shape.h"

#include <algorithm>
#include <cstring>

namespace sluice {
namespace {

uint64_t load(const char* p, size_t bytes) {
  uint64_t w = 0;
  std::memcpy(&w, p, bytes);
  return w;
}

}  // namespace

void JsonLineShape::learn(std::string_view line, const std::vector<FlatMember>& members,
                          const std::vector<int>& columns, const Schema& schema) {
  columns_.clear();
  values_.clear();
  literals_.resize(members.size() + 1);
  size_t from = 0;  // the end of the previous value
  for (size_t i = 0; i <= members.size(); ++i) {
    size_t to = line.size();
    if (i < members.size()) {
      // A string's value is between its quotes; the quotes are the value's, not the literal's.
      const FlatMember& m = members[i];
      to = static_cast<size_t>(m.value.data() - line.data()) - (m.kind == FlatKind::kString);
    }
    Literal& literal = literals_[i];
    literal.text.assign(line.substr(from, to - from));
    for (char c : literal.text) {
      if (static_cast<unsigned char>(c) >= 0x80) {
        literals_.clear();
        return;
      }
    }
    const size_t n = literal.text.size();
    const size_t word = n >= 8 ? 8 : (n >= 4 ? 4 : n);
    literal.head = load(literal.text.data(), word);
    literal.tail = load(literal.text.data() + n - word, word);
    if (i < members.size()) {
      const FlatMember& m = members[i];
      from = static_cast<size_t>(m.value.data() - line.data()) + m.value.size() +
             (m.kind == FlatKind::kString);
    }
  }
  if (members.empty()) {
    literals_.clear();
    return;
  }
  columns_ = columns;
  values_.reserve(columns.size());
  for (const int column : columns) {
    if (column < 0) {
      values_.emplace_back(DataType::kVarchar, true, true);
    } else {
      const Field& field = schema.field(column);
      values_.emplace_back(field.type, field.nullable, false);
    }
  }
}

// Two loads of 8 (or 4) bytes, overlapping when the literal is shorter than twice that, cover
// literals of up to 16 bytes; longer ones compare their middle too.
inline bool JsonLineShape::at(const char* p, const Literal& literal) {
  const size_t n = literal.text.size();
  if (n >= 8) {
    if (load(p, 8) != literal.head || load(p + n - 8, 8) != literal.tail) return false;
    return n <= 16 || std::memcmp(p + 8, literal.text.data() + 8, n - 16) == 0;
  }
  if (n >= 4) return load(p, 4) == literal.head && load(p + n - 4, 4) == literal.tail;
  return load(p, n) == literal.head;
}

bool JsonLineShape::append(std::string_view line, BatchBuilder& builder, bool& non_ascii) {
  non_ascii = false;
  const int64_t row = builder.num_rows();
  const char* p = line.data();
  const char* const end = p + line.size();
  for (size_t i = 0; i < columns_.size(); ++i) {
    const Literal& literal = literals_[i];
    size_t length = 0;
    if (static_cast<size_t>(end - p) >= literal.text.size() && at(p, literal)) {
      p += literal.text.size();
      // An ignored key's reader appends nothing: any column serves as its target.
      length = values_[i].read(p, end, builder.column(std::max(columns_[i], 0)), non_ascii);
    }
    if (length == 0) {
      builder.truncate(row);
      return false;
    }
    p += length;
  }
  const Literal& last = literals_.back();
  if (static_cast<size_t>(end - p) == last.text.size() && at(p, last)) return true;
  builder.truncate(row);
  return false;
}

}  // namespace sluice
