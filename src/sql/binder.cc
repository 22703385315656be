#include "sql/binder.h"

#include <algorithm>
#include <charconv>
#include <set>
#include <unordered_set>

#include "columnar/timestamp.h"
#include "sql/aggregate_changes.h"
#include "sql/event_time.h"
#include "sql/expr_binder.h"
#include "sql/expr_eval.h"
#include "sql/input_order.h"
#include "sql/join_change_column.h"
#include "sql/options.h"
#include "sql/order_by_binder.h"
#include "sql/over_binder.h"
#include "sql/processing_time.h"
#include "sql/top_n_binder.h"
#include "sql/versioned_view.h"

namespace sluice::sql {
namespace {

// Default name of a select item: its alias, its column, its function, else its text.
std::string output_name(const SelectItem& item) {
  if (!item.alias.empty()) return item.alias;
  const Expr& e = *item.expr;
  if (e.kind == ExprKind::kColumn) return e.name;
  if (e.kind == ExprKind::kFunction) return to_lower(e.name);
  if (e.kind == ExprKind::kCast) {
    if (e.args[0]->kind == ExprKind::kColumn) return e.args[0]->name;
  }
  if (e.kind == ExprKind::kExtract) return to_lower(e.name);
  return e.to_sql();
}

bool contains_aggregate(const Expr& e) {
  // An aggregate OVER (…) is a window function over the rows, not a GROUP BY aggregate.
  if (e.kind == ExprKind::kFunction && kAggregates.count(e.name)) return e.over == nullptr;
  for (const ExprPtr& a : e.args) {
    if (contains_aggregate(*a)) return true;
  }
  return false;
}

// What a GROUP BY item stands for. As in PostgreSQL: an integer is a position in the select
// list (1-based); a bare name that is no input column is an output alias; anything else is
// itself. Input columns win over aliases of the same name.
Result<const Expr*> group_item(const Expr& g, const SelectStmt& select, const Schema& input) {
  const Expr* item = nullptr;
  if (g.kind == ExprKind::kLiteral && g.literal_kind == LiteralKind::kInteger) {
    const std::string& digits = g.value_text;
    size_t position = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), position);
    if (ec != std::errc() || end != digits.data() + digits.size() || position < 1 ||
        position > select.items.size()) {
      return error_at(ErrorCode::kSqlInvalidQuery, g.pos,
                      "GROUP BY position " + digits + " is not in the select list (1 to " +
                          std::to_string(select.items.size()) + ")");
    }
    item = select.items[position - 1].expr.get();
    if (item->kind == ExprKind::kStar) {
      return error_at(ErrorCode::kSqlInvalidQuery, g.pos, "cannot GROUP BY *; list the columns");
    }
  } else if (g.kind == ExprKind::kColumn && g.qualifier.empty()) {
    for (const Field& f : input.fields()) {
      if (to_lower(f.name) == to_lower(g.name)) return &g;
    }
    for (const SelectItem& s : select.items) {
      if (!s.alias.empty() && to_lower(s.alias) == to_lower(g.name)) item = s.expr.get();
    }
  }
  if (item == nullptr) return &g;
  if (contains_aggregate(*item)) {
    return error_at(ErrorCode::kSqlInvalidQuery, g.pos,
                    "GROUP BY " + g.to_sql() + " refers to an aggregate (" + item->to_sql() +
                        "); group by input columns or expressions");
  }
  return item;
}

Result<int64_t> interval_argument(const Expr& e, std::string_view fn) {
  if (e.kind != ExprKind::kLiteral || e.literal_kind != LiteralKind::kInterval) {
    return error_at(
        ErrorCode::kSqlInvalidQuery, e.pos,
        std::string(fn) + " needs an INTERVAL literal here, such as INTERVAL '1' MINUTE");
  }
  if (e.interval_micros <= 0) {
    return error_at(ErrorCode::kSqlInvalidQuery, e.pos,
                    std::string(fn) + "'s interval must be positive");
  }
  return e.interval_micros;
}

// `*` or `r.*` over several relations: each relation's columns under their own names, then
// for `*` the input's columns of no relation (a join's `_op`), except `skip` (-1: none); each
// one recorded in `reads` (when given).
void star_over_relations(const Expr& star, const std::vector<Relation>& relations,
                         const Schema& input, int skip, std::vector<BoundExprPtr>& projection,
                         std::vector<Field>& fields, ColumnReads* reads) {
  int covered = 0;
  for (const Relation& r : relations) {
    covered += r.schema->num_fields();
    if (!star.qualifier.empty() && to_lower(star.qualifier) != to_lower(r.name)) continue;
    for (int i = 0; i < r.schema->num_fields(); ++i) {
      const Field& f = input.field(r.first + i);
      if (reads != nullptr) reads->mark(r.first + i);
      projection.push_back(make_column(r.first + i, f.type, r.schema->field(i).name));
      fields.push_back(Field{r.schema->field(i).name, f.type, f.nullable});
    }
  }
  if (!star.qualifier.empty()) return;
  for (int i = covered; i < input.num_fields(); ++i) {
    if (i == skip) continue;
    if (reads != nullptr) reads->mark(i);
    projection.push_back(make_column(i, input.field(i).type, input.field(i).name));
    fields.push_back(input.field(i));
  }
}

// ORDER BY, LIMIT and OFFSET need the end of their input: refused on a stream, at the clause.
// `adhoc`: a subquery or WITH item of an ad-hoc SELECT, whose steps have no sort of their own.
Status check_continuous(const SelectStmt& select, bool adhoc) {
  const char* why =
      adhoc ? " applies to the whole ad-hoc SELECT only, not to a subquery, WITH item or UNION "
              "ALL branch of it: sort and slice the outer SELECT"
            : " cannot apply to a continuous query: its input is unbounded, so the result has no "
              "end to sort or count from. Use it in an ad-hoc SELECT of a materialized view";
  if (!select.order_by.empty()) {
    return error_at(ErrorCode::kSqlInvalidQuery, select.order_pos, std::string("ORDER BY") + why);
  }
  if (select.limit) {
    return error_at(ErrorCode::kSqlInvalidQuery, select.limit_pos, std::string("LIMIT") + why);
  }
  if (select.offset) {
    return error_at(ErrorCode::kSqlInvalidQuery, select.offset_pos, std::string("OFFSET") + why);
  }
  return Status::Ok();
}

// A top-N (ROW_NUMBER() OVER … QUALIFY) runs over the append-only rows of one input, in a
// continuous query; where it cannot, refused at what makes it so.
Status check_top_n(const SelectStmt& select, QueryUse use, const BoundQuery& q,
                   const Catalog& catalog, const std::vector<PlanStep>* plan) {
  const SourcePos at = select.qualify ? select.qualify_pos : select.pos;
  if (use == QueryUse::kAdhoc) {
    return error_at(ErrorCode::kSqlInvalidQuery, at,
                    "ROW_NUMBER() OVER and QUALIFY (top-N) apply to continuous queries; in an "
                    "ad-hoc SELECT of a view use ORDER BY … LIMIT N");
  }
  if (q.aggregate) {
    return error_at(ErrorCode::kSqlInvalidQuery, at,
                    "a top-N over GROUP BY or aggregates is not supported: its rows update. "
                    "Aggregate in a stream (EMIT ON WINDOW CLOSE) and take the top N of it "
                    "in another, partitioned by window_start or window_end");
  }
  if (select.distinct) {
    return error_at(ErrorCode::kSqlInvalidQuery, select.distinct_pos,
                    "SELECT DISTINCT cannot be combined with a top-N (ROW_NUMBER() OVER)");
  }
  if (catalog.updating(q.input, plan)) {
    // A subquery's step is named by its alias.
    const std::string& named = select.from->alias.empty() ? q.input : select.from->alias;
    return error_at(ErrorCode::kSqlInvalidQuery, select.from->pos,
                    "cannot take a top-N of '" + named +
                        "': it emits updates (EMIT ON UPDATE or CHANGES), and a row deleted "
                        "from the top N would need the rows below it, which a top-N does not "
                        "keep; take the top N of an append-only stream");
  }
  return Status::Ok();
}

// An OVER frame (aggregates OVER … ROWS BETWEEN n PRECEDING AND CURRENT ROW) runs over the rows
// of one input in a continuous query; where it cannot, refused at what makes it so.
Status check_over(const SelectStmt& select, QueryUse use, const BoundQuery& q, const Expr& call,
                  bool top_n) {
  if (use == QueryUse::kAdhoc) {
    return error_at(ErrorCode::kSqlInvalidQuery, call.pos,
                    call.name +
                        "(...) OVER (...) applies to continuous queries, not to an "
                        "ad-hoc SELECT");
  }
  if (q.aggregate) {
    return error_at(ErrorCode::kSqlInvalidQuery, call.pos,
                    call.name +
                        "(...) OVER (...) cannot be combined with GROUP BY or aggregates; "
                        "aggregate in a stream and compute the OVER frame in another");
  }
  if (top_n) {
    return error_at(ErrorCode::kUnsupported, call.pos,
                    call.name +
                        "(...) OVER (...) cannot be combined with a top-N "
                        "(ROW_NUMBER() OVER) in one query; take the top N in a stream "
                        "of its own");
  }
  if (select.distinct) {
    return error_at(ErrorCode::kSqlInvalidQuery, select.distinct_pos,
                    "SELECT DISTINCT cannot be combined with OVER (...)");
  }
  return Status::Ok();
}

}  // namespace

Result<BoundExprPtr> Binder::bind_scalar(const Expr& expr, const Schema& schema,
                                         std::string_view relation) const {
  ExprBinder binder;
  Scope scope;
  scope.input = &schema;
  scope.relation = std::string(relation);
  // A sink's WHERE over an object: its processing-time attributes may not be read there.
  const std::vector<bool> processing_time =
      processing_time_columns(catalog_, relation, schema.num_fields(), nullptr);
  scope.processing_time = &processing_time;
  SLC_ASSIGN_OR_RETURN(Bound b, binder.bind(expr, scope));
  return b.untyped_null ? make_literal(Value::Null(DataType::kVarchar)) : b.expr;
}

Result<BoundQuery> Binder::bind_query(const SelectStmt& select, QueryUse use,
                                      std::string_view object) const {
  // Bound as written, recording which columns of each join step are read; then, when a join
  // keeps fewer columns than its inputs have, bound again with each join narrowed to them
  // (projection pushdown, column_usage.h).
  ColumnUsage usage;
  StatementSteps steps;
  steps.object = std::string(object);
  steps.usage = &usage;
  steps.adhoc = use == QueryUse::kAdhoc;
  SLC_ASSIGN_OR_RETURN(BoundQuery q, bind_select(select, use, steps));
  if (!usage.settle(steps.steps, q.input)) {
    q.steps = std::move(steps.steps);
    return q;
  }
  StatementSteps narrowed;
  narrowed.object = std::string(object);
  narrowed.usage = &usage;
  narrowed.adhoc = steps.adhoc;
  Result<BoundQuery> again = bind_select(select, use, narrowed);
  if (!again.ok()) {
    // The second binding names only what the first one bound: a failure is a bug here.
    return Status(ErrorCode::kInternal,
                  "binding with the joins' columns narrowed failed where binding them whole did "
                  "not: " +
                      again.status().to_string());
  }
  again->steps = std::move(narrowed.steps);
  return std::move(*again);
}

Result<BoundQuery> Binder::bind_select(const SelectStmt& select, QueryUse use,
                                       StatementSteps& steps) const {
  if (use == QueryUse::kContinuous) SLC_RETURN_IF_ERROR(check_continuous(select, steps.adhoc));
  const size_t outer_with = steps.with.size();
  for (const CommonTableExpr& cte : select.with) {
    for (size_t i = outer_with; i < steps.with.size(); ++i) {
      if (to_lower(steps.with[i].first) == to_lower(cte.name)) {
        return error_at(ErrorCode::kSqlDuplicateName, cte.pos,
                        "WITH names '" + cte.name + "' twice");
      }
    }
    SLC_ASSIGN_OR_RETURN(BoundQuery q, bind_select(*cte.query, QueryUse::kContinuous, steps));
    PlanStep step;
    step.kind = PlanStep::Kind::kQuery;
    step.inputs = {q.input};
    step.schema = q.output_schema;
    step.query = std::make_shared<const BoundQuery>(std::move(q));
    const std::string name = steps.add(std::move(step));
    steps.with.emplace_back(cte.name, name);
  }
  Result<BoundQuery> q =
      select.union_all.empty() ? bind_body(select, use, steps) : bind_union(select, steps);
  if (q.ok() && use == QueryUse::kAdhoc && !select.union_all.empty()) {
    Status sorted = bind_union_order(select, *q);
    if (!sorted.ok()) q = sorted;
  }
  steps.with.resize(outer_with);
  if (q.ok()) q->sql = select.to_sql();
  return q;
}

Status Binder::bind_union_order(const SelectStmt& select, BoundQuery& q) const {
  if (select.order_by.empty() && !select.limit && !select.offset) return Status::Ok();
  // Over the union's columns (its output, `_op` aside), as ORDER BY over a subquery's.
  const int changes = q.input_change_column;
  std::vector<Field> out_fields = q.output_schema->fields();
  if (changes >= 0) out_fields.pop_back();
  std::vector<Field> hidden;
  if (!select.order_by.empty()) {
    ExprBinder binder;
    binder.set_statement_time(statement_time_);
    Scope scope;
    scope.input = q.input_schema.get();
    scope.relation = q.input;
    SLC_ASSIGN_OR_RETURN(hidden, bind_order_by(select, binder, scope, out_fields, q));
  }
  q.limit = select.limit;
  q.offset = select.offset.value_or(0);
  out_fields.insert(out_fields.end(), hidden.begin(), hidden.end());
  if (changes >= 0) out_fields.push_back(Field{kChangeOpColumn, DataType::kVarchar, false});
  q.output_schema = make_schema(std::move(out_fields));
  return Status::Ok();
}

Result<BoundQuery> Binder::bind_body(const SelectStmt& select, QueryUse use,
                                     StatementSteps& steps) const {
  BoundQuery q;
  q.sql = select.to_sql();
  SLC_ASSIGN_OR_RETURN(BoundFrom from, bind_from(*select.from, steps));
  q.input = from.input;
  q.input_schema = from.schema;
  const Schema& input = *q.input_schema;
  const std::vector<PlanStep>* plan = &steps.steps;
  ExprBinder binder;
  binder.set_statement_time(statement_time_);
  Scope scalar;
  scalar.input = &input;
  scalar.relation = from.relation;
  scalar.alias = from.alias;
  if (from.several()) scalar.relations = &from.relations;
  scalar.reads = steps.reads_of(q.input);
  // Its processing-time attributes may only be a window's time or selected as they are.
  const std::vector<bool> processing_time =
      processing_time_columns(catalog_, q.input, input.num_fields(), plan);
  scalar.processing_time = &processing_time;
  Scope as_it_is = scalar;  // where a processing-time attribute may be named
  as_it_is.processing_time = nullptr;

  if (select.where) {
    SLC_ASSIGN_OR_RETURN(Bound w, binder.bind(*select.where, scalar));
    SLC_ASSIGN_OR_RETURN(q.where, binder.coerce(w, DataType::kBoolean, select.where->pos, "WHERE"));
  }

  // GROUP BY: keys and at most one window.
  std::vector<std::string> key_sql;
  std::vector<Field> group_fields;
  SourcePos window_time_pos;
  for (const ExprPtr& written : select.group_by) {
    SLC_ASSIGN_OR_RETURN(const Expr* g, group_item(*written, select, input));
    if (g->kind == ExprKind::kFunction && kWindows.count(g->name)) {
      if (q.window) {
        return error_at(ErrorCode::kSqlInvalidQuery, g->pos, "GROUP BY may have only one window");
      }
      WindowSpec w;
      w.sql = g->to_sql();
      const size_t want = g->name == "HOP" ? 3 : 2;
      if (g->args.size() != want) {
        return error_at(ErrorCode::kSqlSyntax, g->pos,
                        g->name + (g->name == "HOP"      ? " takes (time, slide, size)"
                                   : g->name == "TUMBLE" ? " takes (time, size)"
                                                         : " takes (time, gap)"));
      }
      SLC_ASSIGN_OR_RETURN(Bound t, binder.bind(*g->args[0], as_it_is));
      if (t.expr->kind != BoundExpr::Kind::kColumn || t.type() != DataType::kTimestamp) {
        return error_at(ErrorCode::kSqlInvalidQuery, g->args[0]->pos,
                        g->name + "'s first argument must be a TIMESTAMP column");
      }
      w.time_column = t.expr->column;
      w.processing_time = processing_time[static_cast<size_t>(w.time_column)];
      if (w.processing_time && g->name == "SESSION") {
        return error_at(ErrorCode::kUnsupported, g->args[0]->pos,
                        "SESSION over a processing-time attribute is not supported: "
                        "processing-time windows are TUMBLE and HOP");
      }
      window_time_pos = g->args[0]->pos;
      if (g->name == "TUMBLE") {
        w.kind = WindowKind::kTumble;
        SLC_ASSIGN_OR_RETURN(w.size, interval_argument(*g->args[1], "TUMBLE"));
        w.slide = w.size;
      } else if (g->name == "HOP") {
        w.kind = WindowKind::kHop;
        SLC_ASSIGN_OR_RETURN(w.slide, interval_argument(*g->args[1], "HOP"));
        SLC_ASSIGN_OR_RETURN(w.size, interval_argument(*g->args[2], "HOP"));
        if (w.size < w.slide) {
          return error_at(
              ErrorCode::kSqlInvalidQuery, g->args[2]->pos,
              "HOP's size must be at least its slide (rows between windows would be lost)");
        }
        if (w.size / w.slide > 1000) {
          return error_at(ErrorCode::kSqlInvalidQuery, g->pos,
                          "HOP would put each row in more than 1000 windows; use a larger slide");
        }
      } else {
        w.kind = WindowKind::kSession;
        SLC_ASSIGN_OR_RETURN(w.gap, interval_argument(*g->args[1], "SESSION"));
      }
      q.window = w;
      continue;
    }
    SLC_ASSIGN_OR_RETURN(Bound k, binder.bind(*g, scalar));
    if (k.untyped_null)
      return error_at(ErrorCode::kSqlInvalidQuery, g->pos, "cannot group by NULL");
    q.keys.push_back(k.expr);
    key_sql.push_back(to_lower(g->to_sql()));
    const bool key_nullable =
        k.expr->kind != BoundExpr::Kind::kColumn || input.field(k.expr->column).nullable;
    group_fields.push_back(Field{g->kind == ExprKind::kColumn ? g->name : to_lower(g->to_sql()),
                                 k.type(), key_nullable});
  }
  if (q.window) {
    group_fields.push_back(Field{"window_start", DataType::kTimestamp, false});
    group_fields.push_back(Field{"window_end", DataType::kTimestamp, false});
  }

  // Aggregate query? Any GROUP BY, or an aggregate anywhere in SELECT/HAVING.
  q.aggregate = !select.group_by.empty();
  for (const SelectItem& item : select.items) q.aggregate |= contains_aggregate(*item.expr);
  if (select.having) q.aggregate |= contains_aggregate(*select.having);

  // An updating input's changes pass through a continuous query without aggregates
  // (join_change_column.h): its `_op` is the output's last column, not where `*` or the list
  // names it.
  const int carried = !q.aggregate ? change_column(input, catalog_.updating(q.input, plan)) : -1;
  const std::string input_named = from.several() ? "the join" : "'" + from.relation + "'";
  std::vector<Field> out_fields;
  std::vector<SourcePos> out_pos;    // where each output column was written (for `*`, the star)
  TopNPieces top_n;                  // a selected ROW_NUMBER() OVER (...) and QUALIFY
  std::vector<OverCall> over_calls;  // the selected aggregates OVER (…), and their calls
  std::vector<const Expr*> over_exprs;
  Scope group_scope{&input,           from.relation, &q,
                    &key_sql,         &group_fields, from.alias,
                    scalar.relations, scalar.reads,  scalar.processing_time};
  Scope& scope = q.aggregate ? group_scope : scalar;
  for (const SelectItem& item : select.items) {
    if (item.expr->kind == ExprKind::kStar) {
      SLC_RETURN_IF_ERROR(check_qualifier(*item.expr, scope));
      if (q.aggregate) {
        return error_at(ErrorCode::kSqlInvalidQuery, item.expr->pos,
                        "SELECT * cannot be used with GROUP BY or aggregates; list the columns");
      }
      if (scope.relations != nullptr) {
        star_over_relations(*item.expr, *scope.relations, input, carried, q.projection, out_fields,
                            scope.reads);
        out_pos.resize(out_fields.size(), item.expr->pos);
        continue;
      }
      for (int i = 0; i < input.num_fields(); ++i) {
        if (i == carried) continue;
        if (scope.reads != nullptr) scope.reads->mark(i);
        q.projection.push_back(make_column(i, input.field(i).type, input.field(i).name));
        out_fields.push_back(
            Field{input.field(i).name, input.field(i).type, input.field(i).nullable});
        out_pos.push_back(item.expr->pos);
      }
      continue;
    }
    if (!q.aggregate && item.expr->kind == ExprKind::kFunction && item.expr->over &&
        item.expr->name != "ROW_NUMBER") {
      // An OVER frame's aggregate: the operator fills the column in (the window bound below).
      SLC_ASSIGN_OR_RETURN(
          OverCall call,
          bind_over_call(*item.expr, static_cast<int>(q.projection.size()), binder, scalar));
      auto placeholder = std::make_shared<BoundExpr>(*make_literal(Value::Null(call.result_type)));
      placeholder->sql = SqlText(call.sql);
      q.projection.push_back(std::move(placeholder));
      const bool counts = call.kind == AggKind::kCount || call.kind == AggKind::kCountStar;
      out_fields.push_back(Field{output_name(item), call.result_type, !counts});
      out_pos.push_back(item.expr->pos);
      over_calls.push_back(std::move(call));
      over_exprs.push_back(item.expr.get());
      continue;
    }
    if (!q.aggregate && item.expr->kind == ExprKind::kFunction && item.expr->over) {
      // A top-N's row number: the operator fills the column in (bound below, with QUALIFY).
      if (top_n.row_number != nullptr) {
        return error_at(ErrorCode::kUnsupported, item.expr->pos,
                        "a query may select one ROW_NUMBER() OVER (...) (a top-N)");
      }
      top_n.row_number = item.expr.get();
      top_n.row_number_name = output_name(item);
      top_n.row_number_column = static_cast<int>(q.projection.size());
      // A placeholder (never evaluated into the output), named as EXPLAIN shows it.
      auto placeholder = std::make_shared<BoundExpr>(*make_literal(Value::Int64(0)));
      placeholder->sql = SqlText("ROW_NUMBER()");
      q.projection.push_back(std::move(placeholder));
      out_fields.push_back(Field{top_n.row_number_name, DataType::kInt64, false});
      out_pos.push_back(item.expr->pos);
      continue;
    }
    if (!q.aggregate && use == QueryUse::kContinuous && is_proctime(*item.expr)) {
      // A processing-time attribute: the operator fills the column in (processing_time.h).
      q.processing_time_columns.push_back(static_cast<int>(q.projection.size()));
      auto placeholder =
          std::make_shared<BoundExpr>(*make_literal(Value::Null(DataType::kTimestamp)));
      placeholder->sql = SqlText("PROCTIME()");
      q.projection.push_back(std::move(placeholder));
      out_fields.push_back(Field{output_name(item), DataType::kTimestamp, false});
      out_pos.push_back(item.expr->pos);
      continue;
    }
    // A column selected as it is may be a processing-time attribute, passed on.
    Scope& item_scope = !q.aggregate && item.expr->kind == ExprKind::kColumn ? as_it_is : scope;
    SLC_ASSIGN_OR_RETURN(Bound b, binder.bind(*item.expr, item_scope));
    BoundExprPtr e = b.untyped_null ? make_literal(Value::Null(DataType::kVarchar)) : b.expr;
    if (carried >= 0 && e->kind == BoundExpr::Kind::kColumn && e->column == carried &&
        to_lower(output_name(item)) == kChangeOpColumn) {
      continue;  // the input's `_op` itself: it ends the output
    }
    q.projection.push_back(e);
    bool nullable = true;
    if (e->kind == BoundExpr::Kind::kColumn) {
      nullable = q.aggregate ? group_fields[static_cast<size_t>(e->column)].nullable
                             : input.field(e->column).nullable;
    }
    out_fields.push_back(Field{output_name(item), e->type, nullable});
    out_pos.push_back(item.expr->pos);
  }
  if (select.having) {
    if (!q.aggregate) {
      return error_at(ErrorCode::kSqlInvalidQuery, select.having->pos,
                      "HAVING needs GROUP BY or an aggregate");
    }
    SLC_ASSIGN_OR_RETURN(Bound h, binder.bind(*select.having, group_scope));
    SLC_ASSIGN_OR_RETURN(q.having,
                         binder.coerce(h, DataType::kBoolean, select.having->pos, "HAVING"));
  }
  if (!over_calls.empty()) {
    SLC_RETURN_IF_ERROR(
        check_over(select, use, q, *over_exprs[0], top_n.row_number != nullptr || select.qualify));
    SLC_ASSIGN_OR_RETURN(q.over, bind_over(std::move(over_calls), over_exprs, binder, scalar,
                                           catalog_, q.input, plan));
  }
  if (top_n.row_number != nullptr || select.qualify) {
    SLC_RETURN_IF_ERROR(check_top_n(select, use, q, catalog_, plan));
    top_n.predicate = select.qualify.get();
    top_n.clause_pos = select.qualify_pos;
    SLC_ASSIGN_OR_RETURN(q.top_n, bind_top_n(top_n, binder, scalar, catalog_, q.input));
  }
  if (select.distinct) {
    if (use == QueryUse::kAdhoc) {
      q.distinct = true;  // the result's duplicate rows are removed once it is complete
    } else if (q.aggregate) {
      return error_at(ErrorCode::kSqlInvalidQuery, select.distinct_pos,
                      "SELECT DISTINCT cannot be combined with GROUP BY or aggregates in a "
                      "continuous query: their rows update, and DISTINCT over updates would have "
                      "to aggregate them again. Use GROUP BY alone, or DISTINCT in an ad-hoc "
                      "SELECT of a materialized view");
    } else {
      // A continuous DISTINCT is a GROUP BY over every output column with no aggregate: one
      // group per distinct row, with a GROUP BY's emit modes (a view holds each row once).
      q.aggregate = true;
      q.keys = std::move(q.projection);
      q.projection.clear();
      group_fields = out_fields;
      for (size_t i = 0; i < q.keys.size(); ++i) {
        q.projection.push_back(
            make_column(static_cast<int>(i), out_fields[i].type, out_fields[i].name));
      }
    }
  }
  std::vector<Field> hidden;
  // (The first SELECT of a UNION ALL holds the union's ORDER BY and LIMIT: bind_select's.)
  if (!select.order_by.empty() && select.union_all.empty()) {
    SLC_ASSIGN_OR_RETURN(hidden, bind_order_by(select, binder, scope, out_fields, q));
  }
  if (select.union_all.empty()) {
    q.limit = select.limit;
    q.offset = select.offset.value_or(0);
  }
  std::unordered_set<std::string> names;  // a set, not pairs: a wide SELECT binds in linear time
  names.reserve(out_fields.size());
  for (size_t i = 0; i < out_fields.size(); ++i) {
    if (!names.insert(to_lower(out_fields[i].name)).second) {
      return error_at(
          ErrorCode::kSqlDuplicateName, out_pos[i],
          "two output columns are named '" + out_fields[i].name + "'; add an alias with AS");
    }
  }
  out_fields.insert(out_fields.end(), hidden.begin(), hidden.end());
  q.group_schema = make_schema(group_fields);

  // EMIT and lateness.
  const SourcePos emit_pos = select.emit == EmitMode::kDefault ? select.pos : select.emit_pos;
  q.emit = select.emit;
  if (q.emit == EmitMode::kOnWindowClose && !q.window) {
    return error_at(ErrorCode::kSqlInvalidQuery, emit_pos,
                    "EMIT ON WINDOW CLOSE needs a window (TUMBLE, HOP or SESSION) in GROUP BY; "
                    "without one no window ever closes. Use EMIT ON UPDATE or EMIT CHANGES");
  }
  if (q.top_n) {
    if (q.emit != EmitMode::kDefault && q.emit != EmitMode::kChanges) {
      return error_at(ErrorCode::kSqlInvalidQuery, emit_pos,
                      std::string("a top-N emits its changes (EMIT CHANGES: inserts and deletes "
                                  "as rows enter and leave the top N), not EMIT ") +
                          emit_mode_name(q.emit));
    }
    q.emit = EmitMode::kChanges;
  }
  if (q.aggregate && catalog_.updating(q.input, plan)) {
    // Its inserts added, its deletes taken back (aggregate_changes.h); EMIT CHANGES. In an
    // ad-hoc SELECT the input is a step over the views' rows (a left join's NULL rows retracted
    // as matches come), and the result folds the changes.
    SLC_RETURN_IF_ERROR(bind_aggregate_over_changes(select, q));
  } else if (q.aggregate && steps.adhoc && use == QueryUse::kContinuous &&
             (q.emit == EmitMode::kOnUpdate || (q.emit == EmitMode::kDefault && !q.window))) {
    // A subquery or WITH item of an ad-hoc SELECT: its groups' changes, not their new rows
    // alone, so that what reads it sees each group's final row once the input ends (a window
    // closing on the end of input emits its final rows by itself).
    q.emit = EmitMode::kChanges;
  }
  if (q.over) {
    // On the watermark its rows are final (append-only); otherwise it emits changes.
    const EmitMode mode = q.over->on_watermark ? EmitMode::kOnUpdate : EmitMode::kChanges;
    if (q.emit != EmitMode::kDefault && q.emit != mode) {
      return error_at(ErrorCode::kSqlInvalidQuery, emit_pos,
                      q.over->on_watermark
                          ? std::string("this OVER frame is ordered by the input's event time: "
                                        "its rows are emitted once the watermark passes them, "
                                        "never changed, so it takes no EMIT ") +
                                emit_mode_name(q.emit)
                          : std::string("this OVER frame emits its changes (EMIT CHANGES: each "
                                        "row's output deleted and inserted again as rows "
                                        "before it change), not EMIT ") +
                                emit_mode_name(q.emit));
    }
    q.emit = mode;
  }
  if (q.emit == EmitMode::kDefault)
    q.emit = q.window ? EmitMode::kOnWindowClose : EmitMode::kOnUpdate;
  if (q.top_n || (q.over && !q.over->on_watermark)) {
    // Their changes follow the order of their input's rows: held in a canonical one where two
    // sources interleave (an OVER frame on the watermark orders its rows itself).
    q.input_order = input_order(catalog_, q.input, plan);
  }
  if (carried >= 0 && !q.aggregate && !q.top_n && !q.over) {
    q.emit = EmitMode::kChanges;  // whatever EMIT says: the input's deletes are never dropped
    q.input_change_column = carried;
  } else if (q.emit == EmitMode::kChanges && !q.aggregate && !q.top_n && !q.over &&
             use == QueryUse::kContinuous && catalog_.updating(q.input, plan)) {
    return error_at(ErrorCode::kSqlInvalidQuery, emit_pos,
                    "EMIT CHANGES of " + input_named +
                        " would mark every row an insert, but it updates without passing its "
                        "deletes (an aggregate's EMIT ON UPDATE passes its new rows only, without "
                        "`_op`): declare it EMIT CHANGES and its changes pass through");
  }
  if (!q.processing_time_columns.empty() && (q.top_n || q.over || q.aggregate)) {
    return error_at(ErrorCode::kSqlInvalidQuery, select.pos,
                    "PROCTIME() may only be selected by a query that filters and projects (no "
                    "DISTINCT, top-N or OVER): read it in a query over this one");
  }
  const bool processing_time_window = is_processing_time_window(q);
  if (q.window && !processing_time_window && q.emit == EmitMode::kOnWindowClose &&
      !catalog_.has_watermark(q.input, plan) && !catalog_.bounded(q.input, plan)) {
    return error_at(
        ErrorCode::kSqlInvalidQuery, emit_pos,
        "windows over '" + q.input +
            "' would never close: no source upstream declares "
            "a WATERMARK and the input never ends. Add WATERMARK FOR <column> AS <column> - "
            "INTERVAL ... to the source, or use EMIT ON UPDATE");
  }
  if (select.allowed_lateness_micros) {
    if (!q.window) {
      return error_at(ErrorCode::kSqlInvalidQuery, select.pos,
                      "ALLOW LATENESS applies to windowed aggregates only");
    }
    q.lateness = *select.allowed_lateness_micros;
  }
  if (q.window && !processing_time_window) {
    Status s =
        check_window_time(catalog_, q.input, q.window->time_column, *q.window, q.lateness, plan);
    if (!s.ok()) return error_at(s.code(), window_time_pos, std::string(s.message()));
  }
  if (q.aggregate) {
    // FIRST_VALUE/LAST_VALUE are by arrival: held in a canonical order where two sources
    // interleave, by the window's column once its lateness is known and checked (above).
    q.input_order = aggregate_input_order(catalog_, q, plan);
  }
  if (q.emit == EmitMode::kChanges) {
    for (size_t i = 0; i < out_fields.size(); ++i) {
      if (to_lower(out_fields[i].name) != kChangeOpColumn) continue;
      if (carried < 0) {
        return error_at(ErrorCode::kSqlDuplicateName, select.emit_pos,
                        "EMIT CHANGES adds a column named _op; rename the output column _op");
      }
      return error_at(ErrorCode::kSqlDuplicateName, i < out_pos.size() ? out_pos[i] : select.pos,
                      "output column " + std::to_string(i + 1) + " is named _op, but " +
                          input_named +
                          " updates: its changes pass through, in a last column _op; rename "
                          "output column " +
                          std::to_string(i + 1));
    }
    out_fields.push_back(Field{kChangeOpColumn, DataType::kVarchar, false});
  }
  q.output_schema = make_schema(std::move(out_fields));
  return q;
}

}  // namespace sluice::sql
