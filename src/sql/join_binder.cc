// Binder::bind_join: a join's two sides, then the join itself. ON is split into its AND-ed
// conjuncts: equalities of one side's expression with the other's are the keys (cast to a common
// type); comparisons of the two sides' TIMESTAMP columns (± INTERVAL literals, or BETWEEN) bound
// the right row's time around the left row's; an equality of both sides' window_start (or
// window_end) of the same window makes a window join; the rest is the residual. The kind follows
// (docs/sql.md, "Joins"): ASOF as written; FOR SYSTEM_TIME AS OF a view, lookup; a window
// equality, window; a time bound on both sides, interval; anything else, regular.

#include <algorithm>
#include <limits>
#include <optional>
#include <tuple>

#include "sql/binder.h"
#include "sql/column_usage.h"
#include "sql/event_time.h"
#include "sql/expr_binder.h"
#include "sql/join_change_column.h"
#include "sql/processing_time.h"
#include "sql/versioned_view.h"

namespace sluice::sql {

namespace {

constexpr int64_t kNoBound = std::numeric_limits<int64_t>::max();

std::vector<const Expr*> conjuncts(const Expr& on) {
  bool all_and = on.kind == ExprKind::kBinary;
  for (const Operator& op : on.ops) all_and = all_and && to_upper(op.text) == "AND";
  std::vector<const Expr*> out;
  if (!all_and) {
    out.push_back(&on);
    return out;
  }
  for (const ExprPtr& a : on.args) out.push_back(a.get());
  return out;
}

// The join's columns: the left side's, then the right side's.
struct JoinColumns {
  const std::vector<Relation>* relations;
  int left_width;
};

// Which sides the columns of `e` are on: 1 left, 2 right, 4 a name of neither (bound later, where
// its error says what it is).
int sides_of(const Expr& e, const JoinColumns& c) {
  if (e.kind == ExprKind::kColumn) {
    Result<int> i = resolve_column(e, *c.relations);
    if (!i.ok()) return 4;
    return *i < c.left_width ? 1 : 2;
  }
  int mask = e.kind == ExprKind::kStar ? 4 : 0;
  for (const ExprPtr& a : e.args) mask |= sides_of(*a, c);
  if (e.filter) mask |= 4;
  return mask;
}

// A TIMESTAMP column of one side plus INTERVAL literals: `l.ts`, `l.ts - INTERVAL '5' SECOND`.
struct TimeTerm {
  int column = -1;  // of the join's output
  int64_t offset = 0;
};

std::optional<TimeTerm> time_term(const Expr& e, const JoinColumns& c, const Schema& out) {
  const Expr* col = &e;
  TimeTerm t;
  if (e.kind == ExprKind::kBinary) {
    col = e.args[0].get();
    for (size_t i = 1; i < e.args.size(); ++i) {
      const Expr& x = *e.args[i];
      const std::string& op = e.ops[i - 1].text;
      if ((op != "+" && op != "-") || x.kind != ExprKind::kLiteral ||
          x.literal_kind != LiteralKind::kInterval) {
        return std::nullopt;
      }
      t.offset += op == "+" ? x.interval_micros : -x.interval_micros;
    }
  }
  if (col->kind != ExprKind::kColumn) return std::nullopt;
  Result<int> i = resolve_column(*col, *c.relations);
  if (!i.ok() || out.field(*i).type != DataType::kTimestamp) return std::nullopt;
  t.column = *i;
  return t;
}

// What a conjunct says of right time - left time (d): d >= lo and d <= hi.
struct TimeBound {
  int left_column = -1;  // of the left side
  int right_column = -1;
  int64_t lo = -kNoBound;
  int64_t hi = kNoBound;
};

// a OP b over the two sides' time terms; false when it is no such comparison.
bool add_comparison(const TimeTerm& a, std::string op, const TimeTerm& b, int left_width,
                    TimeBound& bound) {
  const bool a_left = a.column < left_width;
  if (a_left == (b.column < left_width)) return false;
  // a_left: l + oa OP r + ob  ⇔  d OP' oa - ob, OP' the mirror of OP.
  const int64_t c = a_left ? a.offset - b.offset : b.offset - a.offset;
  if (a_left) {
    if (op == ">=")
      op = "<=";
    else if (op == "<=")
      op = ">=";
    else if (op == ">")
      op = "<";
    else if (op == "<")
      op = ">";
  }
  const TimeTerm& l = a_left ? a : b;
  const TimeTerm& r = a_left ? b : a;
  if (bound.left_column >= 0 &&
      (bound.left_column != l.column || bound.right_column != r.column - left_width)) {
    return false;  // another pair of columns: part of the residual
  }
  if (op == ">=")
    bound.lo = std::max(bound.lo, c);
  else if (op == ">")
    bound.lo = std::max(bound.lo, c + 1);
  else if (op == "<=")
    bound.hi = std::min(bound.hi, c);
  else if (op == "<")
    bound.hi = std::min(bound.hi, c - 1);
  else
    return false;
  bound.left_column = l.column;
  bound.right_column = r.column - left_width;
  return true;
}

bool is_interval(const Expr& e) {
  return e.kind == ExprKind::kLiteral && e.literal_kind == LiteralKind::kInterval;
}

// `x - y OP INTERVAL c` (a tolerance, as ASOF writes it) as `x OP y + c`; either side first.
bool difference(const Expr& e, const JoinColumns& c, const Schema& out, std::optional<TimeTerm>& a,
                std::optional<TimeTerm>& b) {
  const bool diff_first = is_interval(*e.args[1]);
  const Expr& d = *e.args[diff_first ? 0 : 1];
  const Expr& interval = *e.args[diff_first ? 1 : 0];
  if (!is_interval(interval) || d.kind != ExprKind::kBinary || d.args.size() != 2 ||
      d.ops[0].text != "-") {
    return false;
  }
  std::optional<TimeTerm> x = time_term(*d.args[0], c, out);
  std::optional<TimeTerm> y = time_term(*d.args[1], c, out);
  if (!x || !y) return false;
  y->offset += interval.interval_micros;
  a = diff_first ? x : y;
  b = diff_first ? y : x;
  return true;
}

// A conjunct that bounds the time of one side's rows by the other's; false when it is not one.
bool time_conjunct(const Expr& e, const JoinColumns& c, const Schema& out, TimeBound& bound) {
  TimeBound tried = bound;
  if (e.kind == ExprKind::kBinary && e.args.size() == 2) {
    std::optional<TimeTerm> a = time_term(*e.args[0], c, out);
    std::optional<TimeTerm> b = time_term(*e.args[1], c, out);
    if ((!a || !b) && !difference(e, c, out, a, b)) return false;
    if (!add_comparison(*a, e.ops[0].text, *b, c.left_width, tried)) return false;
  } else if (e.kind == ExprKind::kBetween && !e.negated) {
    const std::optional<TimeTerm> x = time_term(*e.args[0], c, out);
    const std::optional<TimeTerm> lo = time_term(*e.args[1], c, out);
    const std::optional<TimeTerm> hi = time_term(*e.args[2], c, out);
    if (!x || !lo || !hi || !add_comparison(*x, ">=", *lo, c.left_width, tried) ||
        !add_comparison(*x, "<=", *hi, c.left_width, tried)) {
      return false;
    }
  } else {
    return false;
  }
  bound = tried;
  return true;
}

Scope side_scope(const BoundFrom& side) {
  Scope s;
  s.input = side.schema.get();
  s.relation = side.relation;
  s.alias = side.alias;
  if (side.several()) s.relations = &side.relations;
  return s;
}

// `relations` without the input column `column` (-1: as they are): an updating input's `_op`, which
// the join consumes (join_change_column.h). It is the input's last column, so it is the last of
// the relation that has it, and no other column moves.
std::vector<Relation> without_column(std::vector<Relation> relations, int column) {
  if (column < 0) return relations;
  for (Relation& r : relations) {
    if (r.schema != nullptr && r.first + r.schema->num_fields() - 1 == column) {
      std::vector<Field> fields = r.schema->fields();
      fields.pop_back();
      r.schema = make_schema(std::move(fields));
    }
  }
  return relations;
}

// The join's output columns (not `_op`) and, in `join`, the input columns they are: all of
// `whole` (the left side's `left_whole` columns, then the right side's), or those `narrowed`
// keeps, named as the first binding named them.
Result<std::vector<Field>> kept_columns(const ColumnUsage::Kept* narrowed, int left_whole,
                                        const std::vector<Field>& whole, BoundJoin& join,
                                        const std::string& step) {
  join.left_columns.emplace();
  join.right_columns.emplace();
  if (narrowed == nullptr) {
    for (int i = 0; i < static_cast<int>(whole.size()); ++i) {
      (i < left_whole ? *join.left_columns : *join.right_columns)
          .push_back(i < left_whole ? i : i - left_whole);
    }
    return whole;
  }
  const int right_whole = static_cast<int>(whole.size()) - left_whole;
  std::vector<Field> out;
  for (const auto& [side, width, first] : {std::tuple{&narrowed->left, left_whole, 0},
                                           std::tuple{&narrowed->right, right_whole, left_whole}}) {
    for (int c : *side) {
      if (c < 0 || c >= width || out.size() >= narrowed->names.size()) {
        return Status(ErrorCode::kInternal,
                      "projection pushdown: " + step + " keeps a column its input does not have");
      }
      Field f = whole[static_cast<size_t>(first + c)];
      f.name = narrowed->names[out.size()];
      out.push_back(std::move(f));
    }
  }
  if (out.size() != narrowed->names.size()) {
    return Status(ErrorCode::kInternal,
                  "projection pushdown: " + step + " keeps another number of columns than it did");
  }
  *join.left_columns = narrowed->left;
  *join.right_columns = narrowed->right;
  return out;
}

bool same_window(const WindowSpec& a, const WindowSpec& b) {
  return a.kind == b.kind && a.size == b.size && a.slide == b.slide && a.gap == b.gap;
}

}  // namespace

Result<BoundFrom> Binder::bind_join(const FromItem& j, StatementSteps& steps) const {
  SLC_ASSIGN_OR_RETURN(BoundFrom left, bind_from(*j.left, steps));
  SLC_ASSIGN_OR_RETURN(BoundFrom right, bind_from(*j.right, steps, true));
  const std::vector<PlanStep>* plan = &steps.steps;
  const bool asof = j.join == JoinSyntax::kAsof || j.join == JoinSyntax::kAsofLeft;
  const bool lookup = j.right->kind == FromItem::Kind::kTable && j.right->system_time;

  // An input that updates carries its changes in `_op` (join_change_column.h): the join consumes
  // it, so the join's columns are each side's others.
  const bool left_updates = catalog_.updating(left.input, plan);
  const bool right_updates = catalog_.updating(right.input, plan);
  const int left_op = change_column(*left.schema, left_updates);
  const int right_op = change_column(*right.schema, right_updates);

  // The join's relations and columns: the left side's, then the right side's.
  std::vector<Relation> relations = without_column(left.relations, left_op);
  const int left_whole = join_stored_width(*left.schema, left_op >= 0);
  for (Relation r : without_column(right.relations, right_op)) {
    for (const Relation& seen : relations) {
      if (to_lower(seen.name) == to_lower(r.name)) {
        return error_at(ErrorCode::kSqlDuplicateName, j.right->pos,
                        "'" + r.name + "' is named twice in FROM; give one of them an alias");
      }
    }
    r.first += left_whole;
    relations.push_back(std::move(r));
  }
  auto join = std::make_shared<BoundJoin>();
  join->type = j.join == JoinSyntax::kLeft || j.join == JoinSyntax::kAsofLeft ? JoinType::kLeftOuter
                                                                              : JoinType::kInner;
  join->left_schema = left.schema;
  join->right_schema = right.schema;
  std::vector<Field> whole = left.schema->fields();
  if (left_op >= 0) whole.pop_back();
  for (int i = 0; i < right.schema->num_fields(); ++i) {
    if (i == right_op) continue;
    Field f = right.schema->field(i);
    if (left.schema->find(f.name) >= 0) f.name = right.relations[0].name + "." + f.name;
    if (join->type == JoinType::kLeftOuter) f.nullable = true;
    whole.push_back(std::move(f));
  }
  // The columns it keeps (projection pushdown, column_usage.h): on the second binding of a
  // statement, those read above it or by it; else all. Its relations and output are narrowed
  // to them, so names resolve to their places among the kept columns.
  const std::string name = steps.next_name();
  const ColumnUsage::Kept* narrowed =
      steps.usage != nullptr && steps.usage->settled() ? steps.usage->kept(name) : nullptr;
  SLC_ASSIGN_OR_RETURN(std::vector<Field> fields,
                       kept_columns(narrowed, left_whole, whole, *join, name));
  BoundFrom out;
  std::vector<bool> keep(whole.size(), narrowed == nullptr);
  for (int c : *join->left_columns) keep[static_cast<size_t>(c)] = true;
  for (int c : *join->right_columns) keep[static_cast<size_t>(left_whole + c)] = true;
  out.relations = kept_relations(relations, keep);
  const int left_width = static_cast<int>(join->left_columns->size());
  const SchemaPtr columns = make_schema(fields);
  j.append_sql(join->sql);
  // The first binding records what the join reads itself: its ON and time columns.
  ColumnReads own;
  ColumnReads left_reads;
  ColumnReads right_reads;

  // ON, conjunct by conjunct.
  const JoinColumns c{&out.relations, left_width};
  std::vector<std::pair<const Expr*, const Expr*>> keys;  // left, right
  std::vector<const Expr*> time_conjuncts;
  std::vector<const Expr*> rest;
  TimeBound bound;
  for (const Expr* e : conjuncts(*j.on)) {
    if (e->kind == ExprKind::kBinary && e->args.size() == 2 && e->ops[0].text == "=") {
      const int a = sides_of(*e->args[0], c);
      const int b = sides_of(*e->args[1], c);
      if ((a == 1 && b == 2) || (a == 2 && b == 1)) {
        keys.emplace_back(a == 1 ? e->args[0].get() : e->args[1].get(),
                          a == 1 ? e->args[1].get() : e->args[0].get());
        continue;
      }
    }
    if (time_conjunct(*e, c, *columns, bound)) {
      time_conjuncts.push_back(e);
      continue;
    }
    rest.push_back(e);
  }
  if (bound.left_column >= 0) {
    // Places among the kept columns, as the inputs number them.
    bound.left_column = (*join->left_columns)[static_cast<size_t>(bound.left_column)];
    bound.right_column = (*join->right_columns)[static_cast<size_t>(bound.right_column)];
  }

  ExprBinder binder;
  Scope left_scope = side_scope(left);
  Scope right_scope = side_scope(right);
  left_scope.reads = &left_reads;
  right_scope.reads = &right_reads;
  // A processing-time attribute is no key and no time of a join (processing_time.h).
  const std::vector<bool> left_processing_time =
      processing_time_columns(catalog_, left.input, left.schema->num_fields(), plan);
  const std::vector<bool> right_processing_time =
      processing_time_columns(catalog_, right.input, right.schema->num_fields(), plan);
  left_scope.processing_time = &left_processing_time;
  right_scope.processing_time = &right_processing_time;
  bool window_found = false;
  for (const auto& [l, r] : keys) {
    SLC_ASSIGN_OR_RETURN(Bound lb, binder.bind(*l, left_scope));
    SLC_ASSIGN_OR_RETURN(Bound rb, binder.bind(*r, right_scope));
    // Both sides' window_start (or window_end) of the same window: a window join's time.
    if (!window_found && !lookup && !asof && lb.expr->kind == BoundExpr::Kind::kColumn &&
        rb.expr->kind == BoundExpr::Kind::kColumn && lb.type() == DataType::kTimestamp &&
        rb.type() == DataType::kTimestamp) {
      const JoinTimeColumn lt = join_time_column(catalog_, left.input, lb.expr->column, plan);
      const JoinTimeColumn rt = join_time_column(catalog_, right.input, rb.expr->column, plan);
      if (lt.kind == JoinTimeColumn::Kind::kWindowBound &&
          rt.kind == JoinTimeColumn::Kind::kWindowBound) {
        if (!same_window(*lt.window, *rt.window) || lt.window_end != rt.window_end) {
          return error_at(ErrorCode::kSqlInvalidQuery, l->pos,
                          "a window join joins rows of the same window: both sides must be "
                          "grouped by the same window (" +
                              lt.window->sql + " and " + rt.window->sql +
                              " differ) and compare the same bound (window_start with "
                              "window_start, or window_end with window_end)");
        }
        window_found = true;
        join->kind = JoinKind::kWindow;
        join->left_time = lb.expr->column;
        join->right_time = rb.expr->column;
        join->left_end_offset = lt.window_end ? 0 : lt.window->size;
        join->right_end_offset = rt.window_end ? 0 : rt.window->size;
        if (lt.window->kind == WindowKind::kSession) {
          return error_at(ErrorCode::kSqlInvalidQuery, l->pos,
                          "a window join needs TUMBLE or HOP windows: SESSION windows of the two "
                          "sides do not line up");
        }
        continue;
      }
    }
    SLC_ASSIGN_OR_RETURN(DataType t, binder.common_type({lb, rb}, l->pos, "JOIN key"));
    SLC_ASSIGN_OR_RETURN(BoundExprPtr lk, binder.coerce(lb, t, l->pos, "JOIN key"));
    SLC_ASSIGN_OR_RETURN(BoundExprPtr rk, binder.coerce(rb, t, r->pos, "JOIN key"));
    join->left_keys.push_back(std::move(lk));
    join->right_keys.push_back(std::move(rk));
  }

  // Of the join's columns, which are processing-time attributes: not a time bound, nor read by
  // the rest of ON, either (refused where named, as in a key). The time conjuncts are bound here
  // only for that check: an interval join compares its time columns without an expression.
  std::vector<bool> processing_time;
  for (int c : *join->left_columns)
    processing_time.push_back(left_processing_time[static_cast<size_t>(c)]);
  for (int c : *join->right_columns)
    processing_time.push_back(right_processing_time[static_cast<size_t>(c)]);
  Scope checked;
  checked.input = columns.get();
  checked.relations = &out.relations;
  checked.processing_time = &processing_time;
  for (const Expr* e : time_conjuncts) SLC_RETURN_IF_ERROR(binder.bind(*e, checked).status());

  // The kind.
  const bool bounded_both = bound.left_column >= 0 && bound.lo != -kNoBound && bound.hi != kNoBound;
  if (asof) {
    if (bound.left_column < 0 || bound.hi != 0) {
      return error_at(ErrorCode::kSqlInvalidQuery, j.pos,
                      "an ASOF JOIN needs ON … AND l.ts >= r.ts: each left row meets the latest "
                      "right row at or before its time (a tolerance may follow: AND l.ts - r.ts "
                      "<= INTERVAL …)");
    }
    join->kind = JoinKind::kAsof;
    join->tolerance = bound.lo == -kNoBound ? -1 : -bound.lo;
  } else if (lookup) {
    if (!right.view) {
      return error_at(ErrorCode::kSqlInvalidQuery, j.right->system_time_pos,
                      "FOR SYSTEM_TIME AS OF needs a materialized view; '" + j.right->name +
                          "' is not one (join a stream with JOIN … ON, or make it a view)");
    }
    join->processing_time = is_proctime(*j.right->system_time);
    if (!join->processing_time) {
      SLC_ASSIGN_OR_RETURN(Bound at, binder.bind(*j.right->system_time, left_scope));
      if (at.expr->kind != BoundExpr::Kind::kColumn || at.type() != DataType::kTimestamp) {
        return error_at(ErrorCode::kSqlInvalidQuery, j.right->system_time->pos,
                        "FOR SYSTEM_TIME AS OF takes a TIMESTAMP column of the join's left side "
                        "(the view's version at its time), or PROCTIME() (the view's rows as "
                        "each left row arrives)");
      }
      join->left_time = at.expr->column;
    }
    if (join->left_keys.empty()) {
      return error_at(ErrorCode::kSqlInvalidQuery, j.on->pos,
                      "a lookup join needs an equality of the left side's key with the view's "
                      "(ON l.k = v.k): the view is looked up by key");
    }
    join->kind = JoinKind::kLookup;
    rest.insert(rest.end(), time_conjuncts.begin(), time_conjuncts.end());
  } else if (window_found) {
    rest.insert(rest.end(), time_conjuncts.begin(), time_conjuncts.end());
  } else if (bounded_both && !steps.adhoc) {
    // (An ad-hoc SELECT's join over the views' current rows has no watermark to prune by: the
    // bound is a condition of a regular join, as in PostgreSQL.)
    if (bound.lo > bound.hi) {
      return error_at(ErrorCode::kSqlInvalidQuery, time_conjuncts[0]->pos,
                      "the join's time bounds leave no interval: no row could ever match");
    }
    join->kind = JoinKind::kInterval;
    join->lower = -bound.lo;
    join->upper = bound.hi;
  } else {
    join->kind = JoinKind::kRegular;
    rest.insert(rest.end(), time_conjuncts.begin(), time_conjuncts.end());
  }
  // Updating inputs: only a regular join retracts what a delete undoes, and a lookup join
  // follows the view (its right side) it looks rows up in.
  join->left_updating = left_op >= 0;
  join->right_updating = right_op >= 0;
  if (join->kind == JoinKind::kLookup && left_updates) {
    return error_at(ErrorCode::kSqlInvalidQuery, j.left->pos,
                    "a lookup join's left side must be append-only: '" + left.relations[0].name +
                        "' emits updates (EMIT CHANGES, or an aggregate's EMIT ON UPDATE), and a "
                        "row the view already answered cannot be retracted; use a regular join "
                        "(ON the keys, without FOR SYSTEM_TIME AS OF)");
  }
  if (join->kind == JoinKind::kRegular && (left_updates || right_updates) &&
      (left_updates != (left_op >= 0) || right_updates != (right_op >= 0))) {
    const BoundFrom& side = left_updates && left_op < 0 ? left : right;
    return error_at(ErrorCode::kSqlInvalidQuery, (&side == &left ? j.left : j.right)->pos,
                    "a regular join retracts what an input's deletes undo, but '" +
                        side.relations[0].name +
                        "' updates without passing its deletes (an aggregate's EMIT ON UPDATE "
                        "passes its new rows only, without `_op`): declare it EMIT CHANGES");
  }
  if ((left_updates || right_updates) && join->kind != JoinKind::kRegular &&
      join->kind != JoinKind::kLookup) {
    const BoundFrom& side = left_updates ? left : right;
    return error_at(ErrorCode::kSqlInvalidQuery, j.pos,
                    std::string("an ") + join_kind_name(join->kind) +
                        " join needs append-only inputs: '" + side.relations[0].name +
                        "' emits updates (EMIT CHANGES, or an aggregate's EMIT ON UPDATE); use a "
                        "regular join (ON the keys alone), or make it append-only (EMIT ON "
                        "WINDOW CLOSE)");
  }

  // The time columns decide which rows are late: the left and right ones of an interval or ASOF
  // join, a lookup join's AS OF column (its left rows behind the left watermark are late).
  struct TimeColumn {
    const BoundFrom* side;
    int column;
    SourcePos pos;
  };
  std::vector<TimeColumn> time_columns;
  if (asof || join->kind == JoinKind::kInterval) {
    join->left_time = bound.left_column;
    join->right_time = bound.right_column;
    time_columns = {{&left, bound.left_column, time_conjuncts[0]->pos},
                    {&right, bound.right_column, time_conjuncts[0]->pos}};
  } else if (join->kind == JoinKind::kLookup && !join->processing_time) {
    time_columns = {{&left, join->left_time, j.right->system_time->pos}};
  }
  for (const auto& [side, column, pos] : time_columns) {
    const JoinTimeColumn t = join_time_column(catalog_, side->input, column, plan);
    // An upstream window's window_end (without lateness) never trails its watermark: the
    // window is emitted as the watermark passes its end, before the watermark moves (Nexmark
    // q7 joins bids with the windows' maxima so).
    if (t.is_event_time()) continue;
    const std::string name =
        "'" + side->schema->field(column).name + "' of " + side->relations[0].name;
    return error_at(
        ErrorCode::kSqlInvalidQuery, pos,
        (join->kind == JoinKind::kLookup
             ? std::string("a lookup join's AS OF column must be an event-time column")
             : std::string("an ") + join_kind_name(join->kind) +
                   " join's time columns must be event-time columns") +
            " (a source's watermark column, passed through), or which rows are late would "
            "depend on timing: " +
            name +
            (t.kind == JoinTimeColumn::Kind::kWindowBound
                 ? " is a window_start, or a window_end with ALLOW LATENESS, of an upstream "
                   "aggregate: its rows come after the watermark passed them (join two "
                   "windowed aggregates on equal window_start: a window join; or use "
                   "window_end)"
                 : ": " + t.why));
  }

  // A lookup join by event time: the view's version time (versioned_view.h), refused at the
  // view's name without one.
  if (join->kind == JoinKind::kLookup && !join->processing_time) {
    Result<int> version = view_version_time(catalog_, right.input, *right.schema, right_op, plan);
    if (!version.ok()) {
      return error_at(version.status().code(), j.right->pos,
                      std::string(version.status().message()));
    }
    join->right_time = *version;
  }

  // RETENTION: how long a regular join keeps rows, by each side's event time.
  if (j.retention) {
    if (join->kind != JoinKind::kRegular) {
      return error_at(ErrorCode::kSqlInvalidQuery, j.retention->pos,
                      std::string("RETENTION applies to regular joins; this is an ") +
                          join_kind_name(join->kind) +
                          " join, whose state the watermarks prune by themselves");
    }
    if (j.retention->interval_micros <= 0) {
      return error_at(ErrorCode::kSqlInvalidQuery, j.retention->pos,
                      "RETENTION must be a positive interval");
    }
    join->retention = j.retention->interval_micros;
    for (const auto& [side, time] :
         {std::pair{&left, &join->left_time}, std::pair{&right, &join->right_time}}) {
      for (int i = 0; i < side->schema->num_fields() && *time < 0; ++i) {
        if (side->schema->field(i).type == DataType::kTimestamp &&
            join_time_column(catalog_, side->input, i, plan).kind ==
                JoinTimeColumn::Kind::kWatermark) {
          *time = i;
        }
      }
      if (*time < 0) {
        return error_at(ErrorCode::kSqlInvalidQuery, j.retention->pos,
                        "RETENTION drops rows older than the watermark by their event time: '" +
                            side->relations[0].name +
                            "' has no column that is a source's watermark column, passed through");
      }
    }
  }

  // The rest of ON: over the join's columns.
  if (!rest.empty()) {
    Scope all;
    all.input = columns.get();
    all.relations = &out.relations;
    all.reads = &own;
    all.processing_time = &processing_time;
    std::vector<BoundExprPtr> parts;
    for (const Expr* e : rest) {
      SLC_ASSIGN_OR_RETURN(Bound b, binder.bind(*e, all));
      SLC_ASSIGN_OR_RETURN(BoundExprPtr p, binder.coerce(b, DataType::kBoolean, e->pos, "ON"));
      parts.push_back(std::move(p));
    }
    join->residual = parts.size() == 1 ? parts[0]
                                       : make_call(Fn::kAnd, DataType::kBoolean, std::move(parts),
                                                   SqlText(j.on->to_sql()));
  }

  // A regular join emits changes when a side updates or when it is a left join (an unmatched
  // row's NULLs are retracted once a match arrives).
  if (join->kind == JoinKind::kRegular &&
      (join->type == JoinType::kLeftOuter || join->left_updating || join->right_updating)) {
    fields.push_back(Field{kChangeOpColumn, DataType::kVarchar, false});
  }
  join->output_schema = make_schema(std::move(fields));

  if (ColumnReads* needs = steps.usage != nullptr ? steps.usage->own(name) : nullptr) {
    // Over the whole output (the first binding narrows nothing): the keys', time columns'
    // and the residual's columns.
    for (int i = 0; i < static_cast<int>(whole.size()); ++i) {
      const bool is_left = i < left_whole;
      const int side_column = is_left ? i : i - left_whole;
      if (own.read(i) || (is_left ? left_reads : right_reads).read(side_column) ||
          side_column == (is_left ? join->left_time : join->right_time)) {
        needs->mark(i);
      }
    }
  }
  PlanStep step;
  step.kind = PlanStep::Kind::kJoin;
  step.inputs = {left.input, right.input};
  step.schema = join->output_schema;
  step.join = std::move(join);
  out.schema = step.schema;
  out.input = steps.add(std::move(step));
  out.relation = out.input;
  return out;
}

}  // namespace sluice::sql
