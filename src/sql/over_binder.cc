#include "sql/over_binder.h"

#include <algorithm>

#include "sql/bound_query.h"
#include "sql/decimal_rules.h"
#include "sql/event_time.h"
#include "sql/join_change_column.h"
#include "sql/names.h"
#include "sql/top_n_binder.h"

namespace sluice::sql {
namespace {

// The PARTITION BY and ORDER BY of an OVER, as text compared between calls.
std::string window_text(const OverClause& over) {
  std::string out;
  for (const ExprPtr& key : over.partition_by) out += to_lower(key->to_sql()) + ",";
  out += "|";
  for (const OrderItem& item : over.order_by) {
    out += to_lower(item.expr->to_sql()) + (item.descending ? " desc" : " asc");
    out += item.nulls_first ? (*item.nulls_first ? " nf," : " nl,") : ",";
  }
  return out;
}

}  // namespace

Result<OverCall> bind_over_call(const Expr& e, int column, ExprBinder& binder, Scope& input_scope) {
  OverCall call;
  call.column = column;
  call.sql = e.to_sql();
  call.preceding = e.over->rows_preceding;
  const std::string& n = e.name;
  if (n == "COUNT" && e.args.size() == 1 && e.args[0]->kind == ExprKind::kStar) {
    call.kind = AggKind::kCountStar;
    return call;
  }
  if (e.args.size() != 1) return error_at(ErrorCode::kSqlSyntax, e.pos, n + " takes one argument");
  SLC_ASSIGN_OR_RETURN(Bound arg, binder.bind(*e.args[0], input_scope));
  const DataType t = arg.untyped_null ? DataType(DataType::kInt64) : arg.type();
  call.arg = arg.untyped_null ? make_literal(Value::Null(t)) : arg.expr;
  // The result types are the GROUP BY aggregates' (aggregate_binder.cc).
  if (n == "COUNT") {
    call.kind = AggKind::kCount;
  } else if (n == "SUM" || n == "AVG") {
    call.kind = n == "SUM" ? AggKind::kSum : AggKind::kAvg;
    if (numeric_rank(t) == 0) {
      return error_at(ErrorCode::kSqlTypeMismatch, e.args[0]->pos,
                      n + " expects a number, got " + tname(t));
    }
    if (t == DataType::kDecimal) {
      call.result_type = n == "SUM" ? decimal_sum_type(t) : decimal_avg_type(t);
    } else {
      call.result_type = n == "SUM" && t != DataType::kDouble ? DataType(DataType::kInt64)
                                                              : DataType(DataType::kDouble);
    }
  } else {
    call.kind = n == "MIN" ? AggKind::kMin : AggKind::kMax;
    call.result_type = t;
  }
  return call;
}

Result<BoundOver> bind_over(std::vector<OverCall> calls, const std::vector<const Expr*>& exprs,
                            ExprBinder& binder, Scope& input_scope, const Catalog& catalog,
                            std::string_view input, const std::vector<PlanStep>* steps) {
  const OverClause& over = *exprs[0]->over;
  const std::string window = window_text(over);
  for (const Expr* e : exprs) {
    if (window_text(*e->over) != window) {
      return error_at(ErrorCode::kUnsupported, e->over->pos,
                      "the OVER clauses of a query must have the same PARTITION BY and ORDER BY "
                      "(frames may differ); compute the other window in a stream of its own");
    }
  }
  if (over.order_by.empty()) {
    return error_at(
        ErrorCode::kSqlInvalidQuery, over.pos,
        exprs[0]->name + "(...) OVER (...) needs ORDER BY: it says which rows precede each row");
  }
  BoundOver b;
  b.calls = std::move(calls);
  for (const OverCall& c : b.calls) b.max_preceding = std::max(b.max_preceding, c.preceding);
  for (const ExprPtr& key : over.partition_by) {
    SLC_ASSIGN_OR_RETURN(Bound k, binder.bind(*key, input_scope));
    if (k.untyped_null) {
      return error_at(ErrorCode::kSqlInvalidQuery, key->pos, "cannot partition by NULL");
    }
    b.partition_keys.push_back(k.expr);
  }
  SLC_ASSIGN_OR_RETURN(b.sort_keys, bind_sort_keys(over.order_by, binder, input_scope));
  // The window's text, for EXPLAIN: the first call's OVER without its frame.
  const std::string first = exprs[0]->to_sql();
  b.sql = first.substr(first.rfind(" OVER (") + 1);
  const size_t frame = b.sql.rfind(" ROWS BETWEEN");
  if (frame != std::string::npos) b.sql = b.sql.substr(0, frame) + ")";

  if (catalog.updating(input, steps)) {
    b.change_column = join_change_column(*input_scope.input);
    if (b.change_column < 0) {
      return error_at(ErrorCode::kSqlInvalidQuery, over.pos,
                      "cannot compute OVER over '" + std::string(input) +
                          "': it updates without a change column (an aggregate's EMIT ON "
                          "UPDATE), so its deletes cannot be seen; use EMIT CHANGES upstream");
    }
    return b;
  }
  const TopNSortKey& first_key = b.sort_keys[0];
  if (!first_key.descending && first_key.expr->kind == BoundExpr::Kind::kColumn &&
      first_key.expr->type == DataType::kTimestamp) {
    const JoinTimeColumn time = join_time_column(catalog, input, first_key.expr->column, steps);
    b.on_watermark = time.kind == JoinTimeColumn::Kind::kWatermark && time.why.empty();
  }
  return b;
}

}  // namespace sluice::sql
