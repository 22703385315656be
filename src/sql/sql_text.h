#pragma once
// SqlText: the display text of a bound expression node (EXPLAIN, SHOW, error messages). Most
// nodes' text is a span of one rendering shared by their whole expression (ExprText), so that
// labelling every node of a long expression copies nothing and costs time linear in its size;
// a leaf has its own short text; an implicit CAST wraps its operand's text.
//
// Thread: immutable once made; share and read from any thread.

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace sluice::sql {

class SqlText {
 public:
  SqlText() = default;
  // Text of its own (a column's name, a literal).
  explicit SqlText(std::string own) : prefix_(std::move(own)) {}
  // rendering[begin, end).
  SqlText(std::shared_ptr<const std::string> rendering, size_t begin, size_t end)
      : rendering_(std::move(rendering)), begin_(begin), end_(end) {}

  // prefix + this + suffix, sharing this text's rendering.
  SqlText wrapped(std::string_view prefix, std::string_view suffix) const {
    SqlText out = *this;
    out.prefix_.insert(0, prefix);
    out.suffix_.append(suffix);
    return out;
  }

  std::string str() const {
    std::string out = prefix_;
    if (rendering_) out.append(*rendering_, begin_, end_ - begin_);
    out += suffix_;
    return out;
  }

 private:
  std::shared_ptr<const std::string> rendering_;
  size_t begin_ = 0, end_ = 0;
  std::string prefix_, suffix_;
};

}  // namespace sluice::sql
