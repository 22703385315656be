#include "sql/aggregate_changes.h"

#include "sql/expr_binder.h"
#include "sql/join_change_column.h"
#include "sql/names.h"

namespace sluice::sql {
namespace {

// The first reference to the change column `_op` in `e` (null when none). Recursion is bounded
// by the parser's nesting limit (ast.h, kMaxExpressionDepth).
const Expr* change_column_use(const Expr& e) {
  if (e.kind == ExprKind::kColumn && to_lower(e.name) == kChangeOpColumn) return &e;
  for (const ExprPtr& a : e.args) {
    if (const Expr* found = change_column_use(*a)) return found;
  }
  if (e.filter) return change_column_use(*e.filter);
  return nullptr;
}

// Where the query reads `_op` itself (a `SELECT DISTINCT *` too), if anywhere.
const Expr* reads_change_column(const SelectStmt& select) {
  for (const SelectItem& item : select.items) {
    if (item.expr->kind == ExprKind::kStar && select.distinct) return item.expr.get();
    if (const Expr* found = change_column_use(*item.expr)) return found;
  }
  for (const ExprPtr& g : select.group_by) {
    if (const Expr* found = change_column_use(*g)) return found;
  }
  if (select.where) return change_column_use(*select.where);
  return nullptr;
}

// Where GROUP BY names its window (TUMBLE, HOP, SESSION), else the statement.
SourcePos window_pos(const SelectStmt& select) {
  for (const ExprPtr& g : select.group_by) {
    if (g->kind == ExprKind::kFunction && kWindows.count(g->name)) return g->pos;
  }
  return select.pos;
}

}  // namespace

Status bind_aggregate_over_changes(const SelectStmt& select, BoundQuery& q) {
  const int op = join_change_column(*q.input_schema);
  if (op < 0) {
    return error_at(ErrorCode::kSqlInvalidQuery, select.from->pos,
                    "cannot aggregate '" + q.input +
                        "': it emits updates without saying which rows they replace (an "
                        "aggregate's EMIT ON UPDATE passes its new rows only), and aggregating "
                        "those would count rows twice; write EMIT CHANGES in '" +
                        q.input +
                        "' so its deletes can be taken back, or aggregate an "
                        "append-only stream");
  }
  if (q.window) {
    return error_at(ErrorCode::kSqlInvalidQuery, window_pos(select),
                    "a windowed aggregate of '" + q.input +
                        "' is not supported: it emits changes, and a delete may arrive after "
                        "its window has closed and its row was emitted final (a session cannot "
                        "split either); aggregate it without a window, or window an "
                        "append-only stream");
  }
  for (const AggregateCall& call : q.aggregates) {
    if (call.kind == AggKind::kFirstValue || call.kind == AggKind::kLastValue) {
      return error_at(ErrorCode::kSqlInvalidQuery, call.pos,
                      call.sql + " cannot take back a deleted row of '" + q.input +
                          "' (it emits changes): the first or last row by arrival would need "
                          "every row's order kept; use MIN or MAX");
    }
  }
  if (const Expr* use = reads_change_column(select)) {
    return error_at(ErrorCode::kSqlInvalidQuery, use->pos,
                    std::string("an aggregate of '") + q.input + "' consumes its " +
                        kChangeOpColumn +
                        " column (each 'delete' row is taken back from its group), so the "
                        "query cannot read it; list the other columns");
  }
  if (q.emit == EmitMode::kOnUpdate) {
    return error_at(ErrorCode::kSqlInvalidQuery, select.emit_pos,
                    "an aggregate of '" + q.input +
                        "' (it emits changes) emits changes too: a group whose rows are all "
                        "deleted is deleted, which EMIT ON UPDATE cannot say; write EMIT "
                        "CHANGES or no EMIT");
  }
  q.emit = EmitMode::kChanges;
  q.input_change_column = op;
  return Status::Ok();
}

}  // namespace sluice::sql
