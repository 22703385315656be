#include "sql/bound_expr.h"

#include "sluice/column_builder.h"

namespace sluice::sql {

bool BoundExpr::is_constant() const {
  if (kind == Kind::kColumn) return false;
  for (const auto& a : args) {
    if (!a->is_constant()) return false;
  }
  return true;
}

BoundExprPtr make_column(int index, DataType type, std::string name) {
  auto e = std::make_shared<BoundExpr>();
  e->kind = BoundExpr::Kind::kColumn;
  e->type = type;
  e->column = index;
  e->sql = std::move(name);
  return e;
}

BoundExprPtr make_literal(Value v) {
  auto e = std::make_shared<BoundExpr>();
  e->kind = BoundExpr::Kind::kLiteral;
  e->type = v.type;
  e->sql = v.null ? "NULL" : v.to_string();
  ColumnBuilder builder(v.type);
  append_value(builder, v);
  e->literal_column = builder.finish();
  e->literal = std::move(v);
  return e;
}

BoundExprPtr make_call(Fn fn, DataType type, std::vector<BoundExprPtr> args, std::string sql) {
  auto e = std::make_shared<BoundExpr>();
  e->kind = BoundExpr::Kind::kCall;
  e->fn = fn;
  e->type = type;
  e->args = std::move(args);
  e->sql = std::move(sql);
  return e;
}

}  // namespace sluice::sql
