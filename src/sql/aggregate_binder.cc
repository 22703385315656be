// ExprBinder's aggregate calls (COUNT, SUM, AVG, MIN/MAX, FIRST/LAST_VALUE, the variance
// family): each argument bound over the input, the call recorded once in the query, and a
// column of the group row in its place. The rest of ExprBinder is in expr_binder.cc.

#include "sql/decimal_rules.h"
#include "sql/expr_binder.h"
#include "sql/names.h"

namespace sluice::sql {

const std::set<std::string> kAggregates = {
    "COUNT",  "SUM",        "AVG",         "MIN",      "MAX",     "FIRST_VALUE", "LAST_VALUE",
    "STDDEV", "STDDEV_POP", "STDDEV_SAMP", "VARIANCE", "VAR_POP", "VAR_SAMP"};

Result<Bound> ExprBinder::aggregate(const Expr& e, Scope& scope) {
  BoundQuery& q = *scope.query;
  const std::string sql = text_.of(e).str();
  AggregateCall call;
  call.sql = sql;
  call.distinct = e.distinct;
  call.pos = e.pos;
  const std::string& n = e.name;
  if (e.distinct && n != "COUNT") {
    return error_at(ErrorCode::kSqlInvalidQuery, e.pos, "DISTINCT is supported in COUNT only");
  }
  if (n == "COUNT" && e.args.size() == 1 && e.args[0]->kind == ExprKind::kStar) {
    if (e.distinct) return error_at(ErrorCode::kSqlSyntax, e.pos, "COUNT(DISTINCT *) is not valid");
    call.kind = AggKind::kCountStar;
  } else {
    if (e.args.size() != 1) {
      return error_at(ErrorCode::kSqlSyntax, e.pos, n + " takes one argument");
    }
    Scope inner = input_scope(scope);
    SLC_ASSIGN_OR_RETURN(Bound arg, bind_node(*e.args[0], inner));
    const DataType t = arg.untyped_null ? DataType(DataType::kInt64) : arg.type();
    call.arg = arg.untyped_null ? make_literal(Value::Null(t)) : arg.expr;
    if (n == "COUNT") {
      call.kind = AggKind::kCount;
    } else if (n == "SUM") {
      call.kind = AggKind::kSum;
      if (numeric_rank(t) == 0 && t != DataType::kInterval) {
        return error_at(ErrorCode::kSqlTypeMismatch, e.args[0]->pos,
                        "SUM expects a number, got " + tname(t));
      }
      call.result_type = t == DataType::kDouble     ? DataType(DataType::kDouble)
                         : t == DataType::kInterval ? DataType(DataType::kInterval)
                         : t == DataType::kDecimal  ? decimal_sum_type(t)
                                                    : DataType(DataType::kInt64);
    } else if (n == "AVG") {
      call.kind = AggKind::kAvg;
      if (numeric_rank(t) == 0) {
        return error_at(ErrorCode::kSqlTypeMismatch, e.args[0]->pos,
                        "AVG expects a number, got " + tname(t));
      }
      call.result_type =
          t == DataType::kDecimal ? decimal_avg_type(t) : DataType(DataType::kDouble);
    } else if (n.starts_with("STDDEV") || n.starts_with("VAR")) {
      call.kind = n == "STDDEV_POP"         ? AggKind::kStddevPop
                  : n == "VAR_POP"          ? AggKind::kVarPop
                  : n.starts_with("STDDEV") ? AggKind::kStddevSamp
                                            : AggKind::kVarSamp;
      if (numeric_rank(t) == 0) {
        return error_at(ErrorCode::kSqlTypeMismatch, e.args[0]->pos,
                        n + " expects a number, got " + tname(t));
      }
      call.result_type = DataType::kDouble;
    } else {
      call.kind = n == "MIN"           ? AggKind::kMin
                  : n == "MAX"         ? AggKind::kMax
                  : n == "FIRST_VALUE" ? AggKind::kFirstValue
                                       : AggKind::kLastValue;
      call.result_type = t;
    }
  }
  if (e.filter) {
    // FILTER (WHERE cond): over the input row, as the argument is; the call's text includes
    // it, so two aggregates differing only by FILTER stay two.
    Scope inner = input_scope(scope);
    SLC_ASSIGN_OR_RETURN(Bound f, bind_node(*e.filter, inner));
    SLC_ASSIGN_OR_RETURN(call.filter, coerce(f, DataType::kBoolean, e.filter->pos, "FILTER"));
  }
  // The same aggregate written twice is computed once.
  const auto [known, added] = aggregate_index_.try_emplace(
      to_lower(sql) + (call.distinct ? " DISTINCT" : ""), q.aggregates.size());
  if (!added) {
    const AggregateCall& same = q.aggregates[known->second];
    const int index = q.first_aggregate_index() + static_cast<int>(known->second);
    return Bound{make_column(index, same.result_type, same.sql)};
  }
  q.aggregates.push_back(call);
  const int index = q.first_aggregate_index() + static_cast<int>(q.aggregates.size()) - 1;
  const bool counts = call.kind == AggKind::kCount || call.kind == AggKind::kCountStar;
  scope.group_fields->push_back(
      Field{"agg" + std::to_string(q.aggregates.size()), call.result_type, !counts});
  return Bound{make_column(index, call.result_type, call.sql)};
}

}  // namespace sluice::sql
