#pragma once
// ExprText: one expression's SQL text (Expr::to_sql) rendered once, with where each node's text
// lies in it, so that the binder labels every bound node, and every step of a chain, with its
// text in time linear in the expression's size. Internal to the sql module (the binder).
//
// Thread: a value used by one thread at a time; the SqlText it hands out may go anywhere.

#include <memory>
#include <string>
#include <string_view>

#include "sql/ast.h"
#include "sql/sql_text.h"

namespace sluice::sql {

class ExprText {
 public:
  ExprText() = default;
  explicit ExprText(const Expr& root);

  // The text of `e`, a node of the root's tree (or, for any other node, its own rendering).
  SqlText of(const Expr& e) const;
  // The same, to read in place while this ExprText lives.
  std::string_view view(const Expr& e) const;
  // The text of a chain's first k + 1 operands as the operation they stand for: for a + b - c,
  // prefix(chain, 1) is "(a + b)" and prefix(chain, 2) the whole "((a + b) - c)".
  SqlText prefix(const Expr& chain, size_t k) const;
  std::string_view prefix_view(const Expr& chain, size_t k) const;

 private:
  // [begin, end) of prefix(chain, k); (0, 0) when chain is not of the root's tree.
  std::pair<size_t, size_t> prefix_span(const Expr& chain, size_t k) const;

  std::shared_ptr<const std::string> text_;
  Expr::Spans spans_;
};

}  // namespace sluice::sql
