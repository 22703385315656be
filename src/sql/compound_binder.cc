// ExprBinder's expressions that test one operand several times: IN lists (constant items in a
// hash set), BETWEEN and CASE. An operand that costs something to compute is computed once
// (a let around the tests). The rest of ExprBinder is in expr_binder.cc.

#include "sql/expr_binder.h"
#include "sql/value_set.h"

namespace sluice::sql {

namespace {

bool free_to_read(const BoundExpr& x) {
  return x.kind == BoundExpr::Kind::kColumn || x.kind == BoundExpr::Kind::kLiteral;
}

}  // namespace

BoundExprPtr reused(const BoundExprPtr& x) {
  return free_to_read(*x) ? x : make_use(x->type, x->sql);
}
BoundExprPtr let(const BoundExprPtr& x, BoundExprPtr tests, SqlText sql) {
  return free_to_read(*x) ? tests : make_let(x, std::move(tests), std::move(sql));
}

// x IN (items): the constant items go in a hash set built once, here; any other item is
// compared on its own (x = item), and the parts are ORed: TRUE if one matches, else NULL if x or
// an item is NULL, else FALSE.
Result<Bound> ExprBinder::in_list(const Expr& e, const std::vector<Bound>& items) {
  SLC_ASSIGN_OR_RETURN(DataType t, common_type(items, e.pos, "IN"));
  SLC_ASSIGN_OR_RETURN(BoundExprPtr x, coerce(items[0], t, e.args[0]->pos, "IN"));
  const BoundExprPtr x_again = reused(x);
  const SqlText sql = text_.of(e);
  std::shared_ptr<ValueSet> constants;
  std::vector<BoundExprPtr> any;
  for (size_t i = 1; i < items.size(); ++i) {
    SLC_ASSIGN_OR_RETURN(BoundExprPtr item, coerce(items[i], t, e.args[i]->pos, "IN"));
    if (item->kind == BoundExpr::Kind::kLiteral) {
      if (!constants) {
        constants = std::make_shared<ValueSet>(t);
        constants->reserve(items.size() - i);
      }
      constants->insert(item->literal);
    } else {
      any.push_back(make_call(Fn::kEq, DataType::kBoolean, {x_again, std::move(item)}, sql));
    }
  }
  if (constants) {
    auto in = std::const_pointer_cast<BoundExpr>(
        make_call(Fn::kInSet, DataType::kBoolean, {x_again}, sql));
    in->set = std::move(constants);
    any.insert(any.begin(), std::move(in));
  }
  BoundExprPtr result =
      any.size() == 1 ? any[0] : make_call(Fn::kOr, DataType::kBoolean, std::move(any), sql);
  result = let(x, std::move(result), sql);
  if (e.negated) result = make_call(Fn::kNot, DataType::kBoolean, {result}, sql);
  return Bound{result};
}

Result<Bound> ExprBinder::between(const Expr& e, const std::vector<Bound>& items) {
  SLC_ASSIGN_OR_RETURN(DataType t, common_type(items, e.pos, "BETWEEN"));
  SLC_ASSIGN_OR_RETURN(BoundExprPtr x, coerce(items[0], t, e.args[0]->pos, "BETWEEN"));
  SLC_ASSIGN_OR_RETURN(BoundExprPtr lo, coerce(items[1], t, e.args[1]->pos, "BETWEEN"));
  SLC_ASSIGN_OR_RETURN(BoundExprPtr hi, coerce(items[2], t, e.args[2]->pos, "BETWEEN"));
  const SqlText sql = text_.of(e);
  const BoundExprPtr x_again = reused(x);
  BoundExprPtr r = make_call(Fn::kAnd, DataType::kBoolean,
                             {make_call(Fn::kGe, DataType::kBoolean, {x_again, lo}, sql),
                              make_call(Fn::kLe, DataType::kBoolean, {x_again, hi}, sql)},
                             sql);
  r = let(x, std::move(r), sql);
  if (e.negated) r = make_call(Fn::kNot, DataType::kBoolean, {r}, sql);
  return Bound{r};
}

Result<Bound> ExprBinder::case_expr(const Expr& e, const std::vector<Bound>& parts) {
  size_t i = 0;
  std::optional<Bound> operand;  // CASE x WHEN …: compared with each WHEN, computed once
  BoundExprPtr operand_value;
  if (e.has_case_operand) {
    const Bound& o = parts[0];
    operand = Bound{reused(o.expr), o.untyped_null, o.string_literal};
    operand_value = o.expr;
    i = 1;
  }
  const size_t pairs_end = e.args.size() - (e.has_else ? 1 : 0);
  std::vector<BoundExprPtr> conditions;
  std::vector<Bound> results;
  for (; i < pairs_end; i += 2) {
    const Bound& when = parts[i];
    if (operand) {
      SLC_ASSIGN_OR_RETURN(DataType t, common_type({*operand, when}, e.args[i]->pos, "CASE"));
      SLC_ASSIGN_OR_RETURN(BoundExprPtr l, coerce(*operand, t, e.pos, "CASE"));
      SLC_ASSIGN_OR_RETURN(BoundExprPtr r, coerce(when, t, e.args[i]->pos, "CASE"));
      conditions.push_back(make_call(Fn::kEq, DataType::kBoolean, {l, r}, text_.of(e)));
    } else {
      SLC_ASSIGN_OR_RETURN(BoundExprPtr c,
                           coerce(when, DataType::kBoolean, e.args[i]->pos, "WHEN"));
      conditions.push_back(c);
    }
    results.push_back(parts[i + 1]);
  }
  if (e.has_else) results.push_back(parts.back());
  SLC_ASSIGN_OR_RETURN(DataType t, common_type(results, e.pos, "CASE results"));
  std::vector<BoundExprPtr> args;
  for (size_t k = 0; k < conditions.size(); ++k) {
    args.push_back(conditions[k]);
    SLC_ASSIGN_OR_RETURN(BoundExprPtr r, coerce(results[k], t, e.pos, "CASE"));
    args.push_back(r);
  }
  if (e.has_else) {
    SLC_ASSIGN_OR_RETURN(BoundExprPtr r, coerce(results.back(), t, e.args.back()->pos, "ELSE"));
    args.push_back(r);
  }
  auto call =
      std::const_pointer_cast<BoundExpr>(make_call(Fn::kCase, t, std::move(args), text_.of(e)));
  call->has_else = e.has_else;
  if (operand_value) return Bound{let(operand_value, std::move(call), text_.of(e))};
  return Bound{call};
}

}  // namespace sluice::sql
