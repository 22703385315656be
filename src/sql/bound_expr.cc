#include "sql/bound_expr.h"

#include "sluice/column_builder.h"

namespace sluice::sql {

BoundExprPtr make_column(int index, DataType type, std::string name) {
  auto e = std::make_shared<BoundExpr>();
  e->kind = BoundExpr::Kind::kColumn;
  e->type = type;
  e->column = index;
  e->sql = SqlText(std::move(name));
  return e;
}

BoundExprPtr make_literal(Value v) {
  auto e = std::make_shared<BoundExpr>();
  e->kind = BoundExpr::Kind::kLiteral;
  e->type = v.type;
  e->sql = SqlText(v.null ? "NULL" : v.to_string());
  ColumnBuilder builder(v.type);
  append_value(builder, v);
  e->literal_column = builder.finish();
  e->literal = std::move(v);
  return e;
}

BoundExprPtr make_call(Fn fn, DataType type, std::vector<BoundExprPtr> args, SqlText sql) {
  auto e = std::make_shared<BoundExpr>();
  e->kind = BoundExpr::Kind::kCall;
  e->fn = fn;
  e->type = type;
  e->args = std::move(args);
  e->sql = std::move(sql);
  return e;
}

BoundExprPtr make_fold(DataType type, std::vector<BoundExprPtr> args, SqlText sql) {
  auto e = std::make_shared<BoundExpr>();
  e->kind = BoundExpr::Kind::kFold;
  e->type = type;
  e->args = std::move(args);
  e->sql = std::move(sql);
  return e;
}

BoundExprPtr make_let(BoundExprPtr value, BoundExprPtr body, SqlText sql) {
  auto e = std::make_shared<BoundExpr>();
  e->kind = BoundExpr::Kind::kLet;
  e->type = body->type;
  e->args = {std::move(value), std::move(body)};
  e->sql = std::move(sql);
  return e;
}

BoundExprPtr make_use(DataType type, SqlText sql) {
  auto e = std::make_shared<BoundExpr>();
  e->kind = BoundExpr::Kind::kUse;
  e->type = type;
  e->sql = std::move(sql);
  return e;
}

}  // namespace sluice::sql
