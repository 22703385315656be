#include "sql/top_n_idiom.h"

#include "sql/names.h"

namespace sluice::sql {
namespace {

// The alias of the subquery's ROW_NUMBER() OVER item without a QUALIFY; empty when none.
std::string row_number_alias(const SelectStmt& sub) {
  if (sub.qualify) return {};
  for (const SelectItem& item : sub.items) {
    const Expr& e = *item.expr;
    if (e.kind == ExprKind::kFunction && e.over && to_lower(e.name) == "row_number") {
      return item.alias;
    }
  }
  return {};
}

bool is_row_number(const Expr& e, const std::string& alias, const std::string& relation) {
  return e.kind == ExprKind::kColumn && to_lower(e.name) == to_lower(alias) &&
         (e.qualifier.empty() || to_lower(e.qualifier) == to_lower(relation));
}

bool is_integer(const Expr& e) {
  return e.kind == ExprKind::kLiteral && e.literal_kind == LiteralKind::kInteger;
}

// `rn <= N`, `rn < N`, `rn = N` or the same with N first.
bool bounds_row_number(const Expr& e, const std::string& alias, const std::string& relation) {
  if (e.kind != ExprKind::kBinary || e.args.size() != 2 || e.ops.size() != 1) return false;
  const std::string& op = e.ops[0].text;
  if (op != "<=" && op != "<" && op != "=" && op != ">=" && op != ">") return false;
  const bool rn_first = is_row_number(*e.args[0], alias, relation) && is_integer(*e.args[1]);
  const bool rn_second = is_integer(*e.args[0]) && is_row_number(*e.args[1], alias, relation);
  if (rn_first) return op == "<=" || op == "<" || op == "=";
  if (rn_second) return op == ">=" || op == ">" || op == "=";
  return false;
}

}  // namespace

void fuse_top_n_idiom(SelectStmt& select) {
  if (!select.where || !select.from || select.from->kind != FromItem::Kind::kSubquery ||
      !select.from->subquery) {
    return;
  }
  SelectStmt& sub = *select.from->subquery;
  const std::string alias = row_number_alias(sub);
  if (alias.empty()) return;
  const std::string& relation = select.from->alias;

  ExprPtr moved;
  Expr& where = *select.where;
  const bool chain =
      where.kind == ExprKind::kBinary && !where.ops.empty() && to_lower(where.ops[0].text) == "and";
  if (chain) {
    for (size_t i = 0; i < where.args.size(); ++i) {
      if (!bounds_row_number(*where.args[i], alias, relation)) continue;
      moved = std::move(where.args[i]);
      where.args.erase(where.args.begin() + static_cast<std::ptrdiff_t>(i));
      where.ops.erase(where.ops.begin() + static_cast<std::ptrdiff_t>(i == 0 ? 0 : i - 1));
      if (where.args.size() == 1) select.where = std::move(where.args[0]);
      break;
    }
  } else if (bounds_row_number(where, alias, relation)) {
    moved = std::move(select.where);
  }
  if (!moved) return;
  // Inside the subquery the row number is its own select item: no qualifier.
  for (ExprPtr& arg : moved->args) {
    if (arg->kind == ExprKind::kColumn) arg->qualifier.clear();
  }
  sub.qualify_pos = moved->pos;
  sub.qualify = std::move(moved);
}

}  // namespace sluice::sql
