#include "sql/expr_text.h"

namespace sluice::sql {

ExprText::ExprText(const Expr& root) {
  auto text = std::make_shared<std::string>();
  root.append_sql(*text, &spans_);
  text_ = std::move(text);
}

SqlText ExprText::of(const Expr& e) const {
  const auto it = spans_.find(&e);
  if (it == spans_.end()) return SqlText(e.to_sql());
  return SqlText(text_, it->second.first, it->second.second);
}

std::string_view ExprText::view(const Expr& e) const {
  const auto it = spans_.find(&e);
  if (it == spans_.end()) return {};
  return std::string_view(*text_).substr(it->second.first, it->second.second - it->second.first);
}

std::pair<size_t, size_t> ExprText::prefix_span(const Expr& chain, size_t k) const {
  const auto whole = spans_.find(&chain);
  const auto last = spans_.find(chain.args[k].get());
  if (whole == spans_.end() || last == spans_.end()) return {0, 0};
  if (k == 0) return last->second;
  // The chain's text opens with one '(' per operator; the first k operands need the last k of
  // them, and end with the ')' after operand k.
  return {whole->second.first + (chain.args.size() - 1 - k), last->second.second + 1};
}

SqlText ExprText::prefix(const Expr& chain, size_t k) const {
  const auto [begin, end] = prefix_span(chain, k);
  if (begin == end) return SqlText(chain.to_sql());
  return SqlText(text_, begin, end);
}

std::string_view ExprText::prefix_view(const Expr& chain, size_t k) const {
  const auto [begin, end] = prefix_span(chain, k);
  if (begin == end) return {};
  return std::string_view(*text_).substr(begin, end - begin);
}

}  // namespace sluice::sql
