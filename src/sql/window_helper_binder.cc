// ExprBinder's group-window helpers, Flink's names for the bounds of a GROUP BY window:
// TUMBLE_START/TUMBLE_END(ts, size), HOP_START/HOP_END(ts, slide, size),
// SESSION_START/SESSION_END(ts, gap). Each is the window_start or window_end column the
// windowed query already has, when its arguments are the GROUP BY window's own.

#include "sql/expr_binder.h"
#include "sql/names.h"

namespace sluice::sql {

const std::set<std::string> kWindowHelpers = {"TUMBLE_START", "TUMBLE_END",    "HOP_START",
                                              "HOP_END",      "SESSION_START", "SESSION_END"};

namespace {

const char* window_name(WindowKind k) {
  switch (k) {
    case WindowKind::kTumble:
      return "TUMBLE";
    case WindowKind::kHop:
      return "HOP";
    case WindowKind::kSession:
      return "SESSION";
  }
  return "";
}

}  // namespace

Result<Bound> ExprBinder::window_helper(const Expr& e, Scope& scope) {
  const std::string window = e.name.substr(0, e.name.find('_'));
  const bool end = e.name.ends_with("_END");
  const std::optional<WindowSpec>& w = scope.query->window;
  if (!w || window != window_name(w->kind)) {
    return error_at(ErrorCode::kSqlInvalidQuery, e.pos,
                    e.name + " needs a query grouped by " + window + "(...)" +
                        (w ? "; this one is grouped by " + w->sql : std::string()) +
                        " (or use window_start / window_end)");
  }
  const auto mismatch = [&](const Expr& at) {
    return error_at(ErrorCode::kSqlInvalidQuery, at.pos,
                    "the arguments of " + text_.of(e).str() + " are not those of GROUP BY " +
                        w->sql + "; a window helper names the query's own window");
  };
  const size_t want = w->kind == WindowKind::kHop ? 3 : 2;
  if (e.args.size() != want) {
    return error_at(ErrorCode::kSqlSyntax, e.pos,
                    e.name + (w->kind == WindowKind::kHop      ? " takes (time, slide, size)"
                              : w->kind == WindowKind::kTumble ? " takes (time, size)"
                                                               : " takes (time, gap)"));
  }
  Scope inner = input_scope(scope);
  inner.processing_time = nullptr;  // the window's own time, which may be processing time
  SLC_ASSIGN_OR_RETURN(Bound t, bind_node(*e.args[0], inner));
  if (t.expr->kind != BoundExpr::Kind::kColumn || t.expr->column != w->time_column) {
    return mismatch(*e.args[0]);
  }
  const int64_t expected[] = {w->kind == WindowKind::kSession ? w->gap
                              : w->kind == WindowKind::kHop   ? w->slide
                                                              : w->size,
                              w->size};
  for (size_t i = 1; i < want; ++i) {
    const Expr& a = *e.args[i];
    if (a.kind != ExprKind::kLiteral || a.literal_kind != LiteralKind::kInterval ||
        a.interval_micros != expected[i - 1]) {
      return mismatch(a);
    }
  }
  const int index = scope.query->window_start_index() + (end ? 1 : 0);
  return Bound{make_column(index, DataType::kTimestamp, end ? "window_end" : "window_start")};
}

}  // namespace sluice::sql
