#include "sql/binder.h"

#include <algorithm>
#include <charconv>
#include <functional>
#include <set>

#include "columnar/timestamp.h"
#include "sql/expr_eval.h"
#include "sql/options.h"

namespace sluice::sql {
namespace {

Status error_at(ErrorCode code, SourcePos pos, std::string msg) {
  return Status(code, std::move(msg), pos.to_string());
}

std::string tname(DataType t) {
  return std::string(type_name(t));
}

int numeric_rank(DataType t) {
  switch (t) {
    case DataType::kInt32:
      return 1;
    case DataType::kInt64:
      return 2;
    case DataType::kDouble:
      return 3;
    default:
      return 0;
  }
}

// A bound expression, plus whether it is an untyped NULL literal (which takes its type
// from where it is used) or a string literal (which may become a TIMESTAMP).
struct Bound {
  BoundExprPtr expr;
  bool untyped_null = false;
  bool string_literal = false;
  DataType type() const { return expr->type; }
};

const std::set<std::string> kAggregates = {"COUNT", "SUM",         "AVG",       "MIN",
                                           "MAX",   "FIRST_VALUE", "LAST_VALUE"};
const std::set<std::string> kWindows = {"TUMBLE", "HOP", "SESSION"};
const std::set<std::string> kScalars = {
    "LOWER", "UPPER", "LENGTH", "CHAR_LENGTH", "SUBSTR",  "SUBSTRING", "TRIM",      "CONCAT",
    "ABS",   "ROUND", "FLOOR",  "CEIL",        "CEILING", "COALESCE",  "DATE_TRUNC"};
const std::set<std::string> kExtractFields = {"YEAR",        "QUARTER", "MONTH",  "DAY",
                                              "HOUR",        "MINUTE",  "SECOND", "MILLISECOND",
                                              "MICROSECOND", "DOW",     "DOY",    "EPOCH"};
const std::set<std::string> kTruncUnits = {"MICROSECOND", "MILLISECOND", "SECOND", "MINUTE",
                                           "HOUR",        "DAY",         "WEEK",   "MONTH",
                                           "QUARTER",     "YEAR"};

std::string upper(std::string_view s) {
  return to_upper(s);
}

// Where an expression is bound: the input it reads and, in an aggregate query's SELECT and
// HAVING, the group keys and aggregates it may refer to.
struct Scope {
  const Schema* input = nullptr;
  std::string relation;
  // Aggregate context (null when scalar).
  BoundQuery* query = nullptr;
  const std::vector<std::string>* key_sql = nullptr;  // AST text of each GROUP BY key
  std::vector<Field>* group_fields = nullptr;         // the group row being built
};

class ExprBinder {
 public:
  ExprBinder(const Catalog& catalog) : catalog_(catalog) {}

  Result<Bound> bind(const Expr& e, Scope& scope) {
    if (scope.query != nullptr) {
      // A whole expression equal to a GROUP BY key refers to that key.
      const std::string text = to_lower(e.to_sql());
      for (size_t k = 0; k < scope.key_sql->size(); ++k) {
        if ((*scope.key_sql)[k] == text) {
          const Field& f = (*scope.group_fields)[k];
          return Bound{make_column(static_cast<int>(k), f.type, f.name)};
        }
      }
      if (e.kind == ExprKind::kFunction && kAggregates.count(e.name)) return aggregate(e, scope);
    }
    switch (e.kind) {
      case ExprKind::kLiteral:
        return literal(e);
      case ExprKind::kColumn:
        return column(e, scope);
      case ExprKind::kStar:
        return error_at(ErrorCode::kSqlSyntax, e.pos,
                        "'*' is only allowed as a select item or in COUNT(*)");
      case ExprKind::kUnary:
        return unary(e, scope);
      case ExprKind::kBinary:
        return binary(e, scope);
      case ExprKind::kFunction:
        return function(e, scope);
      case ExprKind::kCase:
        return case_expr(e, scope);
      case ExprKind::kCast:
        return cast(e, scope);
      case ExprKind::kIsNull: {
        SLC_ASSIGN_OR_RETURN(Bound a, bind(*e.args[0], scope));
        return Bound{make_call(e.negated ? Fn::kIsNotNull : Fn::kIsNull, DataType::kBoolean,
                               {a.expr}, e.to_sql())};
      }
      case ExprKind::kInList:
        return in_list(e, scope);
      case ExprKind::kBetween:
        return between(e, scope);
      case ExprKind::kLike: {
        SLC_ASSIGN_OR_RETURN(Bound a, bind(*e.args[0], scope));
        SLC_ASSIGN_OR_RETURN(Bound p, bind(*e.args[1], scope));
        SLC_ASSIGN_OR_RETURN(BoundExprPtr ac,
                             coerce(a, DataType::kVarchar, e.args[0]->pos, "LIKE"));
        SLC_ASSIGN_OR_RETURN(BoundExprPtr pc,
                             coerce(p, DataType::kVarchar, e.args[1]->pos, "LIKE"));
        BoundExprPtr like = make_call(Fn::kLike, DataType::kBoolean, {ac, pc}, e.to_sql());
        if (e.negated) like = make_call(Fn::kNot, DataType::kBoolean, {like}, e.to_sql());
        return Bound{like};
      }
      case ExprKind::kExtract: {
        if (!kExtractFields.count(e.name)) {
          return error_at(ErrorCode::kSqlUnknownName, e.pos,
                          "unknown EXTRACT field '" + e.name +
                              "' (YEAR, QUARTER, MONTH, DAY, HOUR, MINUTE, SECOND, MILLISECOND, "
                              "MICROSECOND, DOW, DOY, EPOCH)");
        }
        SLC_ASSIGN_OR_RETURN(Bound a, bind(*e.args[0], scope));
        SLC_ASSIGN_OR_RETURN(BoundExprPtr ts,
                             coerce(a, DataType::kTimestamp, e.args[0]->pos, "EXTRACT"));
        auto call = std::const_pointer_cast<BoundExpr>(
            make_call(Fn::kExtract, DataType::kInt64, {ts}, e.to_sql()));
        call->unit = e.name;
        return Bound{call};
      }
    }
    return error_at(ErrorCode::kInternal, e.pos, "unhandled expression");
  }

  // Makes `b` a value of type `target`: NULL literals take the type, numbers widen, string
  // literals become timestamps; anything else is an error naming `context`.
  Result<BoundExprPtr> coerce(const Bound& b, DataType target, SourcePos pos,
                              std::string_view context) {
    if (b.type() == target && !b.untyped_null) return b.expr;
    if (b.untyped_null) return make_literal(Value::Null(target));
    const int from = numeric_rank(b.type()), to = numeric_rank(target);
    if (from > 0 && to > 0 && from <= to) return cast_node(b.expr, target);
    if (b.string_literal && target == DataType::kTimestamp) {
      auto t = parse_timestamp(b.expr->literal.s);
      if (!t.ok())
        return error_at(ErrorCode::kInvalidTimestamp, pos, std::string(t.status().message()));
      return make_literal(Value::Timestamp(*t));
    }
    return error_at(ErrorCode::kSqlTypeMismatch, pos,
                    std::string(context) + " expects " + tname(target) + ", got " +
                        tname(b.type()) + " (" + b.expr->sql + ")");
  }

  // The type several operands can all be coerced to.
  Result<DataType> common_type(const std::vector<Bound>& items, SourcePos pos,
                               std::string_view context) {
    std::optional<DataType> type;
    bool has_string_literal = false, has_timestamp = false;
    for (const Bound& b : items) {
      if (b.untyped_null) continue;
      has_string_literal |= b.string_literal;
      has_timestamp |= b.type() == DataType::kTimestamp;
    }
    for (const Bound& b : items) {
      if (b.untyped_null) continue;
      DataType t = b.type();
      if (b.string_literal && has_timestamp) t = DataType::kTimestamp;
      if (!type) {
        type = t;
      } else if (*type != t) {
        const int a = numeric_rank(*type), c = numeric_rank(t);
        if (a > 0 && c > 0) {
          type = a >= c ? *type : t;
        } else {
          return error_at(ErrorCode::kSqlTypeMismatch, pos,
                          std::string(context) + " mixes " + tname(*type) + " and " + tname(t) +
                              "; add a CAST");
        }
      }
    }
    (void)has_string_literal;
    return type.value_or(DataType::kVarchar);
  }

  static BoundExprPtr cast_node(BoundExprPtr e, DataType to) {
    const std::string sql = "CAST(" + e->sql + " AS " + tname(to) + ")";
    if (e->kind == BoundExpr::Kind::kLiteral) {
      auto v = cast_value(e->literal, to);
      if (v.ok()) return make_literal(*v);
    }
    return make_call(Fn::kCast, to, {std::move(e)}, sql);
  }

 private:
  Result<Bound> literal(const Expr& e) {
    switch (e.literal_kind) {
      case LiteralKind::kNull:
        return Bound{make_literal(Value::Null(DataType::kVarchar)), true};
      case LiteralKind::kBool:
        return Bound{make_literal(Value::Bool(e.value_text == "TRUE"))};
      case LiteralKind::kInteger: {
        int64_t v;
        auto [ptr, ec] =
            std::from_chars(e.value_text.data(), e.value_text.data() + e.value_text.size(), v);
        if (ec != std::errc()) {
          return error_at(ErrorCode::kOutOfRange, e.pos,
                          "integer " + e.value_text + " is out of range for BIGINT");
        }
        if (v >= INT32_MIN && v <= INT32_MAX)
          return Bound{make_literal(Value::Int32(static_cast<int32_t>(v)))};
        return Bound{make_literal(Value::Int64(v))};
      }
      case LiteralKind::kDecimal: {
        double d = 0;
        std::from_chars(e.value_text.data(), e.value_text.data() + e.value_text.size(), d);
        return Bound{make_literal(Value::Double(d))};
      }
      case LiteralKind::kString:
        return Bound{make_literal(Value::Varchar(e.value_text)), false, true};
      case LiteralKind::kInterval:
        return Bound{make_literal(Value::Interval(e.interval_micros))};
      case LiteralKind::kTimestamp: {
        auto t = parse_timestamp(e.value_text);
        if (!t.ok())
          return error_at(ErrorCode::kInvalidTimestamp, e.pos, std::string(t.status().message()));
        return Bound{make_literal(Value::Timestamp(*t))};
      }
    }
    return error_at(ErrorCode::kInternal, e.pos, "unknown literal");
  }

  Result<Bound> column(const Expr& e, Scope& scope) {
    if (!e.qualifier.empty() && to_lower(e.qualifier) != to_lower(scope.relation)) {
      return error_at(
          ErrorCode::kSqlUnknownName, e.pos,
          "unknown table '" + e.qualifier + "' (the query reads '" + scope.relation + "')");
    }
    if (scope.query != nullptr) {
      // In an aggregate's SELECT/HAVING: window bounds, or a key column by name.
      const std::string name = to_lower(e.name);
      if (scope.query->window && (name == "window_start" || name == "window_end")) {
        const int index = scope.query->window_start_index() + (name == "window_end");
        return Bound{make_column(index, DataType::kTimestamp, name)};
      }
      for (size_t k = 0; k < scope.key_sql->size(); ++k) {
        if ((*scope.group_fields)[k].name == name || (*scope.key_sql)[k] == name) {
          const Field& f = (*scope.group_fields)[k];
          return Bound{make_column(static_cast<int>(k), f.type, f.name)};
        }
      }
      if (scope.input->find(e.name) >= 0) {
        return error_at(
            ErrorCode::kSqlInvalidQuery, e.pos,
            "column '" + e.name + "' must appear in GROUP BY or be used in an aggregate");
      }
    }
    const int index = scope.input->find(e.name);
    if (index < 0) {
      std::string msg = "unknown column '" + e.name + "' in " + scope.relation;
      std::string best;
      size_t best_d = 3;
      for (const Field& f : scope.input->fields()) {
        const size_t d = edit_distance(e.name, f.name);
        if (d < best_d) {
          best_d = d;
          best = f.name;
        }
      }
      const std::string lname = to_lower(e.name);
      if (best.empty() && (lname == "window_start" || lname == "window_end")) {
        msg +=
            " (window_start and window_end exist when GROUP BY has a TUMBLE, HOP or SESSION "
            "window)";
      } else if (!best.empty()) {
        msg += " (did you mean '" + best + "'?)";
      }
      return error_at(ErrorCode::kSqlUnknownName, e.pos, std::move(msg));
    }
    const Field& f = scope.input->field(index);
    return Bound{make_column(index, f.type, f.name)};
  }

  Result<Bound> unary(const Expr& e, Scope& scope) {
    SLC_ASSIGN_OR_RETURN(Bound a, bind(*e.args[0], scope));
    if (e.name == "NOT") {
      SLC_ASSIGN_OR_RETURN(BoundExprPtr b, coerce(a, DataType::kBoolean, e.args[0]->pos, "NOT"));
      return Bound{make_call(Fn::kNot, DataType::kBoolean, {b}, e.to_sql())};
    }
    if (numeric_rank(a.type()) == 0 && a.type() != DataType::kInterval) {
      return error_at(ErrorCode::kSqlTypeMismatch, e.pos, "cannot negate " + tname(a.type()));
    }
    return Bound{make_call(Fn::kNeg, a.type(), {a.expr}, e.to_sql())};
  }

  Result<Bound> binary(const Expr& e, Scope& scope) {
    SLC_ASSIGN_OR_RETURN(Bound a, bind(*e.args[0], scope));
    SLC_ASSIGN_OR_RETURN(Bound b, bind(*e.args[1], scope));
    const std::string& op = e.name;
    const std::string sql = e.to_sql();
    if (op == "AND" || op == "OR") {
      SLC_ASSIGN_OR_RETURN(BoundExprPtr l, coerce(a, DataType::kBoolean, e.args[0]->pos, op));
      SLC_ASSIGN_OR_RETURN(BoundExprPtr r, coerce(b, DataType::kBoolean, e.args[1]->pos, op));
      return Bound{make_call(op == "AND" ? Fn::kAnd : Fn::kOr, DataType::kBoolean, {l, r}, sql)};
    }
    if (op == "||") {
      return Bound{concat_call({a.expr, b.expr}, true, sql)};
    }
    if (op == "=" || op == "<>" || op == "<" || op == "<=" || op == ">" || op == ">=") {
      SLC_ASSIGN_OR_RETURN(DataType t, common_type({a, b}, e.pos, "comparison '" + op + "'"));
      SLC_ASSIGN_OR_RETURN(BoundExprPtr l, coerce(a, t, e.args[0]->pos, "comparison"));
      SLC_ASSIGN_OR_RETURN(BoundExprPtr r, coerce(b, t, e.args[1]->pos, "comparison"));
      const Fn fn = op == "="    ? Fn::kEq
                    : op == "<>" ? Fn::kNe
                    : op == "<"  ? Fn::kLt
                    : op == "<=" ? Fn::kLe
                    : op == ">"  ? Fn::kGt
                                 : Fn::kGe;
      return Bound{make_call(fn, DataType::kBoolean, {l, r}, sql)};
    }
    // Arithmetic.
    const Fn fn = op == "+"   ? Fn::kAdd
                  : op == "-" ? Fn::kSub
                  : op == "*" ? Fn::kMul
                  : op == "/" ? Fn::kDiv
                              : Fn::kMod;
    if (a.untyped_null || b.untyped_null) {
      const DataType t = a.untyped_null ? (b.untyped_null ? DataType::kInt64 : b.type()) : a.type();
      return Bound{make_literal(Value::Null(t))};
    }
    const DataType at = a.type(), bt = b.type();
    const int ar = numeric_rank(at), br = numeric_rank(bt);
    if (ar > 0 && br > 0) {
      const DataType t = ar >= br ? at : bt;
      return Bound{make_call(fn, t, {cast_to(a.expr, t), cast_to(b.expr, t)}, sql)};
    }
    using D = DataType;
    auto temporal = [&](DataType result) {
      return Bound{make_call(fn, result, {a.expr, b.expr}, sql)};
    };
    if (fn == Fn::kAdd && ((at == D::kTimestamp && bt == D::kInterval) ||
                           (at == D::kInterval && bt == D::kTimestamp))) {
      return temporal(D::kTimestamp);
    }
    if (fn == Fn::kSub && at == D::kTimestamp && bt == D::kInterval) return temporal(D::kTimestamp);
    if (fn == Fn::kSub && at == D::kTimestamp && bt == D::kTimestamp) return temporal(D::kInterval);
    if ((fn == Fn::kAdd || fn == Fn::kSub) && at == D::kInterval && bt == D::kInterval) {
      return temporal(D::kInterval);
    }
    if (fn == Fn::kMul && ((at == D::kInterval && br > 0) || (ar > 0 && bt == D::kInterval))) {
      return temporal(D::kInterval);
    }
    if (fn == Fn::kDiv && at == D::kInterval && br > 0) return temporal(D::kInterval);
    return error_at(ErrorCode::kSqlTypeMismatch, e.pos,
                    "operator '" + op + "' does not apply to " + tname(at) + " and " + tname(bt));
  }

  static BoundExprPtr cast_to(BoundExprPtr e, DataType t) {
    return e->type == t ? e : cast_node(std::move(e), t);
  }

  static BoundExprPtr concat_call(std::vector<BoundExprPtr> args, bool strict, std::string sql) {
    auto call = std::const_pointer_cast<BoundExpr>(
        make_call(Fn::kConcat, DataType::kVarchar, std::move(args), std::move(sql)));
    if (strict) call->unit = "||";
    return call;
  }

  Result<Bound> in_list(const Expr& e, Scope& scope) {
    std::vector<Bound> items;
    for (const ExprPtr& a : e.args) {
      SLC_ASSIGN_OR_RETURN(Bound b, bind(*a, scope));
      items.push_back(std::move(b));
    }
    SLC_ASSIGN_OR_RETURN(DataType t, common_type(items, e.pos, "IN"));
    SLC_ASSIGN_OR_RETURN(BoundExprPtr left, coerce(items[0], t, e.args[0]->pos, "IN"));
    BoundExprPtr any;
    for (size_t i = 1; i < items.size(); ++i) {
      SLC_ASSIGN_OR_RETURN(BoundExprPtr right, coerce(items[i], t, e.args[i]->pos, "IN"));
      BoundExprPtr eq = make_call(Fn::kEq, DataType::kBoolean, {left, right}, e.to_sql());
      any = any ? make_call(Fn::kOr, DataType::kBoolean, {any, eq}, e.to_sql()) : eq;
    }
    if (e.negated) any = make_call(Fn::kNot, DataType::kBoolean, {any}, e.to_sql());
    return Bound{any};
  }

  Result<Bound> between(const Expr& e, Scope& scope) {
    std::vector<Bound> items;
    for (const ExprPtr& a : e.args) {
      SLC_ASSIGN_OR_RETURN(Bound b, bind(*a, scope));
      items.push_back(std::move(b));
    }
    SLC_ASSIGN_OR_RETURN(DataType t, common_type(items, e.pos, "BETWEEN"));
    SLC_ASSIGN_OR_RETURN(BoundExprPtr x, coerce(items[0], t, e.args[0]->pos, "BETWEEN"));
    SLC_ASSIGN_OR_RETURN(BoundExprPtr lo, coerce(items[1], t, e.args[1]->pos, "BETWEEN"));
    SLC_ASSIGN_OR_RETURN(BoundExprPtr hi, coerce(items[2], t, e.args[2]->pos, "BETWEEN"));
    BoundExprPtr r = make_call(Fn::kAnd, DataType::kBoolean,
                               {make_call(Fn::kGe, DataType::kBoolean, {x, lo}, e.to_sql()),
                                make_call(Fn::kLe, DataType::kBoolean, {x, hi}, e.to_sql())},
                               e.to_sql());
    if (e.negated) r = make_call(Fn::kNot, DataType::kBoolean, {r}, e.to_sql());
    return Bound{r};
  }

  Result<Bound> case_expr(const Expr& e, Scope& scope) {
    size_t i = 0;
    std::optional<Bound> operand;
    if (e.has_case_operand) {
      SLC_ASSIGN_OR_RETURN(Bound o, bind(*e.args[0], scope));
      operand = o;
      i = 1;
    }
    const size_t pairs_end = e.args.size() - (e.has_else ? 1 : 0);
    std::vector<BoundExprPtr> conditions;
    std::vector<Bound> results;
    for (; i < pairs_end; i += 2) {
      SLC_ASSIGN_OR_RETURN(Bound when, bind(*e.args[i], scope));
      if (operand) {
        SLC_ASSIGN_OR_RETURN(DataType t, common_type({*operand, when}, e.args[i]->pos, "CASE"));
        SLC_ASSIGN_OR_RETURN(BoundExprPtr l, coerce(*operand, t, e.pos, "CASE"));
        SLC_ASSIGN_OR_RETURN(BoundExprPtr r, coerce(when, t, e.args[i]->pos, "CASE"));
        conditions.push_back(make_call(Fn::kEq, DataType::kBoolean, {l, r}, e.to_sql()));
      } else {
        SLC_ASSIGN_OR_RETURN(BoundExprPtr c,
                             coerce(when, DataType::kBoolean, e.args[i]->pos, "WHEN"));
        conditions.push_back(c);
      }
      SLC_ASSIGN_OR_RETURN(Bound then, bind(*e.args[i + 1], scope));
      results.push_back(then);
    }
    if (e.has_else) {
      SLC_ASSIGN_OR_RETURN(Bound otherwise, bind(*e.args.back(), scope));
      results.push_back(otherwise);
    }
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
        std::const_pointer_cast<BoundExpr>(make_call(Fn::kCase, t, std::move(args), e.to_sql()));
    call->has_else = e.has_else;
    return Bound{call};
  }

  Result<Bound> cast(const Expr& e, Scope& scope) {
    SLC_ASSIGN_OR_RETURN(Bound a, bind(*e.args[0], scope));
    if (a.untyped_null) return Bound{make_literal(Value::Null(e.cast_type))};
    const DataType from = a.type(), to = e.cast_type;
    const bool ok =
        from == to || to == DataType::kVarchar ||
        (from == DataType::kVarchar && to != DataType::kInterval) ||
        (numeric_rank(from) && numeric_rank(to)) ||
        (from == DataType::kBoolean && numeric_rank(to) && to != DataType::kDouble) ||
        (numeric_rank(from) && from != DataType::kDouble && to == DataType::kBoolean) ||
        (from == DataType::kBoolean && to == DataType::kDouble) ||
        (from == DataType::kTimestamp && (to == DataType::kInt64)) ||
        ((from == DataType::kInt64 || from == DataType::kInt32) && to == DataType::kTimestamp);
    if (!ok) {
      return error_at(ErrorCode::kSqlTypeMismatch, e.pos,
                      "cannot cast " + tname(from) + " to " + tname(to));
    }
    if (from == to) return a;
    BoundExprPtr node = make_call(Fn::kCast, to, {a.expr}, e.to_sql());
    if (a.expr->kind == BoundExpr::Kind::kLiteral) {
      auto v = cast_value(a.expr->literal, to);
      if (!v.ok()) return v.status().with_location(e.pos.to_string());
      node = make_literal(*v);
    }
    return Bound{node};
  }

  Status arity(const Expr& e, size_t lo, size_t hi) {
    if (e.args.size() < lo || e.args.size() > hi) {
      std::string want =
          lo == hi ? std::to_string(lo) : std::to_string(lo) + " to " + std::to_string(hi);
      return error_at(ErrorCode::kSqlSyntax, e.pos,
                      e.name + " takes " + want + " argument" + (hi == 1 ? "" : "s") + ", got " +
                          std::to_string(e.args.size()));
    }
    return Status::Ok();
  }

  Result<Bound> function(const Expr& e, Scope& scope) {
    if (kAggregates.count(e.name)) {
      return error_at(
          ErrorCode::kSqlInvalidQuery, e.pos,
          "aggregate " + e.name + " is not allowed here (only in SELECT or HAVING of a query)");
    }
    if (kWindows.count(e.name)) {
      return error_at(ErrorCode::kSqlInvalidQuery, e.pos, e.name + " belongs in GROUP BY");
    }
    if (!kScalars.count(e.name)) {
      std::string msg = "unknown function '" + to_lower(e.name) + "'";
      std::string best;
      size_t best_d = 3;
      for (const auto* set : {&kScalars, &kAggregates}) {
        for (const std::string& f : *set) {
          const size_t d = edit_distance(e.name, f);
          if (d < best_d) {
            best_d = d;
            best = f;
          }
        }
      }
      if (!best.empty()) msg += " (did you mean '" + to_lower(best) + "'?)";
      return error_at(ErrorCode::kSqlUnknownName, e.pos, std::move(msg));
    }
    if (e.distinct)
      return error_at(ErrorCode::kSqlSyntax, e.pos, "DISTINCT applies to aggregates only");
    std::vector<Bound> args;
    for (const ExprPtr& a : e.args) {
      SLC_ASSIGN_OR_RETURN(Bound b, bind(*a, scope));
      args.push_back(std::move(b));
    }
    const std::string sql = e.to_sql();
    const std::string& n = e.name;
    auto varchar_arg = [&](size_t i) {
      return coerce(args[i], DataType::kVarchar, e.args[i]->pos, n);
    };
    auto bigint_arg = [&](size_t i) {
      return coerce(args[i], DataType::kInt64, e.args[i]->pos, n);
    };
    if (n == "LOWER" || n == "UPPER" || n == "TRIM" || n == "LENGTH" || n == "CHAR_LENGTH") {
      SLC_RETURN_IF_ERROR(arity(e, 1, 1));
      SLC_ASSIGN_OR_RETURN(BoundExprPtr s, varchar_arg(0));
      const Fn fn = n == "LOWER"   ? Fn::kLower
                    : n == "UPPER" ? Fn::kUpper
                    : n == "TRIM"  ? Fn::kTrim
                                   : Fn::kLength;
      return Bound{
          make_call(fn, fn == Fn::kLength ? DataType::kInt64 : DataType::kVarchar, {s}, sql)};
    }
    if (n == "SUBSTR" || n == "SUBSTRING") {
      SLC_RETURN_IF_ERROR(arity(e, 2, 3));
      std::vector<BoundExprPtr> bound;
      SLC_ASSIGN_OR_RETURN(BoundExprPtr s, varchar_arg(0));
      bound.push_back(s);
      for (size_t i = 1; i < args.size(); ++i) {
        SLC_ASSIGN_OR_RETURN(BoundExprPtr k, bigint_arg(i));
        bound.push_back(k);
      }
      return Bound{make_call(Fn::kSubstr, DataType::kVarchar, std::move(bound), sql)};
    }
    if (n == "CONCAT") {
      if (args.empty()) return error_at(ErrorCode::kSqlSyntax, e.pos, "CONCAT needs arguments");
      std::vector<BoundExprPtr> bound;
      for (const Bound& b : args) bound.push_back(b.expr);
      return Bound{concat_call(std::move(bound), false, sql)};
    }
    if (n == "ABS" || n == "FLOOR" || n == "CEIL" || n == "CEILING" || n == "ROUND") {
      SLC_RETURN_IF_ERROR(arity(e, 1, n == "ROUND" ? 2 : 1));
      if (numeric_rank(args[0].type()) == 0 && !args[0].untyped_null) {
        return error_at(ErrorCode::kSqlTypeMismatch, e.args[0]->pos,
                        n + " expects a number, got " + tname(args[0].type()));
      }
      const DataType t = args[0].untyped_null ? DataType::kDouble : args[0].type();
      std::vector<BoundExprPtr> bound = {args[0].untyped_null ? make_literal(Value::Null(t))
                                                              : args[0].expr};
      if (args.size() > 1) {
        SLC_ASSIGN_OR_RETURN(BoundExprPtr digits, bigint_arg(1));
        bound.push_back(digits);
      }
      const Fn fn = n == "ABS"     ? Fn::kAbs
                    : n == "ROUND" ? Fn::kRound
                    : n == "FLOOR" ? Fn::kFloor
                                   : Fn::kCeil;
      return Bound{make_call(fn, t, std::move(bound), sql)};
    }
    if (n == "COALESCE") {
      if (args.empty()) return error_at(ErrorCode::kSqlSyntax, e.pos, "COALESCE needs arguments");
      SLC_ASSIGN_OR_RETURN(DataType t, common_type(args, e.pos, "COALESCE"));
      std::vector<BoundExprPtr> bound;
      for (size_t i = 0; i < args.size(); ++i) {
        SLC_ASSIGN_OR_RETURN(BoundExprPtr b, coerce(args[i], t, e.args[i]->pos, "COALESCE"));
        bound.push_back(b);
      }
      return Bound{make_call(Fn::kCoalesce, t, std::move(bound), sql)};
    }
    if (n == "DATE_TRUNC") {
      SLC_RETURN_IF_ERROR(arity(e, 2, 2));
      if (!args[0].string_literal) {
        return error_at(ErrorCode::kSqlInvalidQuery, e.args[0]->pos,
                        "DATE_TRUNC's unit must be a string literal such as 'minute'");
      }
      const std::string unit = upper(args[0].expr->literal.s);
      if (!kTruncUnits.count(unit)) {
        return error_at(ErrorCode::kSqlUnknownName, e.args[0]->pos,
                        "unknown DATE_TRUNC unit '" + args[0].expr->literal.s + "'");
      }
      SLC_ASSIGN_OR_RETURN(BoundExprPtr ts,
                           coerce(args[1], DataType::kTimestamp, e.args[1]->pos, n));
      auto call = std::const_pointer_cast<BoundExpr>(
          make_call(Fn::kDateTrunc, DataType::kTimestamp, {ts}, sql));
      call->unit = unit;
      return Bound{call};
    }
    return error_at(ErrorCode::kInternal, e.pos, "function " + n + " has no binding");
  }

  Result<Bound> aggregate(const Expr& e, Scope& scope) {
    BoundQuery& q = *scope.query;
    const std::string sql = e.to_sql();
    AggregateCall call;
    call.sql = sql;
    call.distinct = e.distinct;
    const std::string& n = e.name;
    if (e.distinct && n != "COUNT") {
      return error_at(ErrorCode::kSqlInvalidQuery, e.pos, "DISTINCT is supported in COUNT only");
    }
    if (n == "COUNT" && e.args.size() == 1 && e.args[0]->kind == ExprKind::kStar) {
      if (e.distinct)
        return error_at(ErrorCode::kSqlSyntax, e.pos, "COUNT(DISTINCT *) is not valid");
      call.kind = AggKind::kCountStar;
    } else {
      if (e.args.size() != 1) {
        return error_at(ErrorCode::kSqlSyntax, e.pos, n + " takes one argument");
      }
      Scope inner{scope.input, scope.relation};
      SLC_ASSIGN_OR_RETURN(Bound arg, bind(*e.args[0], inner));
      const DataType t = arg.untyped_null ? DataType::kInt64 : arg.type();
      call.arg = arg.untyped_null ? make_literal(Value::Null(t)) : arg.expr;
      if (n == "COUNT") {
        call.kind = AggKind::kCount;
      } else if (n == "SUM") {
        call.kind = AggKind::kSum;
        if (numeric_rank(t) == 0 && t != DataType::kInterval) {
          return error_at(ErrorCode::kSqlTypeMismatch, e.args[0]->pos,
                          "SUM expects a number, got " + tname(t));
        }
        call.result_type = t == DataType::kDouble     ? DataType::kDouble
                           : t == DataType::kInterval ? DataType::kInterval
                                                      : DataType::kInt64;
      } else if (n == "AVG") {
        call.kind = AggKind::kAvg;
        if (numeric_rank(t) == 0) {
          return error_at(ErrorCode::kSqlTypeMismatch, e.args[0]->pos,
                          "AVG expects a number, got " + tname(t));
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
    // The same aggregate written twice is computed once.
    for (size_t i = 0; i < q.aggregates.size(); ++i) {
      if (to_lower(q.aggregates[i].sql) == to_lower(sql) &&
          q.aggregates[i].distinct == call.distinct) {
        const int index = q.first_aggregate_index() + static_cast<int>(i);
        return Bound{make_column(index, q.aggregates[i].result_type, q.aggregates[i].sql)};
      }
    }
    q.aggregates.push_back(call);
    const int index = q.first_aggregate_index() + static_cast<int>(q.aggregates.size()) - 1;
    const bool counts = call.kind == AggKind::kCount || call.kind == AggKind::kCountStar;
    scope.group_fields->push_back(
        Field{"agg" + std::to_string(q.aggregates.size()), call.result_type, !counts});
    return Bound{make_column(index, call.result_type, call.sql)};
  }

  const Catalog& catalog_;
};

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

}  // namespace

Result<BoundExprPtr> Binder::bind_scalar(const Expr& expr, const Schema& schema,
                                         std::string_view relation) const {
  ExprBinder binder(catalog_);
  Scope scope{&schema, std::string(relation)};
  SLC_ASSIGN_OR_RETURN(Bound b, binder.bind(expr, scope));
  return b.untyped_null ? make_literal(Value::Null(DataType::kVarchar)) : b.expr;
}

Result<SourceDef> Binder::bind_source(const Statement& s) const {
  SourceDef def;
  def.name = s.name;
  def.sql = s.text;
  std::vector<Field> fields;
  for (const ColumnDef& c : s.columns) {
    for (const Field& f : fields) {
      if (to_lower(f.name) == to_lower(c.name)) {
        return error_at(ErrorCode::kSqlDuplicateName, c.pos,
                        "column '" + c.name + "' is declared twice");
      }
    }
    fields.push_back(Field{c.name, c.type, !c.not_null});
  }
  def.schema = make_schema(std::move(fields));
  if (!s.watermark_column.empty()) {
    const int col = def.schema->find(s.watermark_column);
    if (col < 0) {
      return error_at(ErrorCode::kSqlUnknownName, s.watermark_pos,
                      "WATERMARK FOR names unknown column '" + s.watermark_column + "'");
    }
    if (def.schema->field(col).type != DataType::kTimestamp) {
      return error_at(ErrorCode::kSqlTypeMismatch, s.watermark_pos,
                      "WATERMARK FOR needs a TIMESTAMP column; '" + s.watermark_column + "' is " +
                          tname(def.schema->field(col).type));
    }
    // Accepted forms: col, col - INTERVAL '...' UNIT.
    const Expr& w = *s.watermark_expr;
    const auto same_column = [&](const Expr& x) {
      return x.kind == ExprKind::kColumn && to_lower(x.name) == to_lower(s.watermark_column);
    };
    if (same_column(w)) {
      def.watermark_delay = 0;
    } else if (w.kind == ExprKind::kBinary && w.name == "-" && same_column(*w.args[0]) &&
               w.args[1]->kind == ExprKind::kLiteral &&
               w.args[1]->literal_kind == LiteralKind::kInterval &&
               w.args[1]->interval_micros >= 0) {
      def.watermark_delay = w.args[1]->interval_micros;
    } else {
      return error_at(ErrorCode::kSqlInvalidQuery, w.pos,
                      "a watermark must be '" + s.watermark_column + "' or '" + s.watermark_column +
                          " - INTERVAL ...'");
    }
    def.watermark_column = col;
  }
  std::vector<Option> options;
  for (const Option& o : s.options) {
    if (o.key == "connector") {
      def.connector = to_lower(o.value);
    } else {
      options.push_back(o);
    }
  }
  const std::string what = "source '" + s.name + "'";
  if (def.connector.empty() && s.columns.empty()) {
    return error_at(ErrorCode::kSqlSyntax, s.name_pos,
                    "source '" + s.name + "' needs a column list");
  }
  if (def.connector.empty()) {
    SLC_ASSIGN_OR_RETURN(def.options,
                         validate_options(options, push_source_spec(), "push " + what));
    def.replayable = def.options.at("durable") == "true";  // replayed from the write-ahead log
    if (def.replayable && !catalog_.checkpointing()) {
      return error_at(ErrorCode::kUnsupported, s.name_pos,
                      "source '" + s.name +
                          "': durable = true needs a database with a data_dir, where its "
                          "write-ahead log lives");
    }
    return def;
  }
  const ConnectorCatalog* connectors = catalog_.connectors();
  const ConnectorSpec* spec = connectors ? connectors->find_source(def.connector) : nullptr;
  if (spec == nullptr) {
    std::string names;
    if (connectors) {
      for (const std::string& n : connectors->source_names())
        names += (names.empty() ? "" : ", ") + n;
    }
    return Status(ErrorCode::kSqlInvalidOption,
                  "unknown source connector '" + def.connector + "' (available: " + names + ")");
  }
  SLC_ASSIGN_OR_RETURN(def.options, validate_options(options, *spec, what));
  def.bounded = spec->bounded && spec->bounded(def.options);
  def.replayable = spec->capabilities.replayable;
  if (SchemaPtr fixed = spec->fixed_schema ? spec->fixed_schema(def.options) : nullptr) {
    if (!s.columns.empty()) {
      return error_at(ErrorCode::kSqlInvalidQuery, s.columns[0].pos,
                      "connector '" + def.connector +
                          "' defines the columns itself; write CREATE SOURCE " + s.name +
                          " WITH (connector = '" + def.connector + "', ...)");
    }
    def.schema = fixed;
    def.watermark_column = fixed->find(spec->fixed_schema_time_column);
    def.watermark_delay = 0;  // generated in event-time order
  } else if (s.columns.empty()) {
    return error_at(ErrorCode::kSqlSyntax, s.name_pos,
                    "source '" + s.name + "' needs a column list");
  }
  // The connector's own checks (options against columns), so a bad source fails its CREATE.
  if (spec->check) {
    if (Status checked = spec->check(def.options, *def.schema); !checked.ok()) {
      return checked.with_location(what);
    }
  }
  return def;
}

Result<BoundQuery> Binder::bind_query(const SelectStmt& select) const {
  BoundQuery q;
  q.sql = select.to_sql();
  const Catalog::Entry* from = catalog_.find(select.from);
  if (from == nullptr || from->kind == ObjectKind::kSink) {
    std::string msg = "unknown source, stream or view '" + select.from + "'";
    const std::string best = catalog_.closest(select.from);
    if (!best.empty()) msg += " (did you mean '" + best + "'?)";
    return error_at(ErrorCode::kSqlUnknownName, select.from_pos, std::move(msg));
  }
  q.input = from->name();
  q.input_schema = from->schema();
  const Schema& input = *q.input_schema;
  ExprBinder binder(catalog_);
  Scope scalar{&input, from->name()};

  if (select.where) {
    SLC_ASSIGN_OR_RETURN(Bound w, binder.bind(*select.where, scalar));
    SLC_ASSIGN_OR_RETURN(q.where, binder.coerce(w, DataType::kBoolean, select.where->pos, "WHERE"));
  }

  // GROUP BY: keys and at most one window.
  std::vector<std::string> key_sql;
  std::vector<Field> group_fields;
  for (const ExprPtr& g : select.group_by) {
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
      SLC_ASSIGN_OR_RETURN(Bound t, binder.bind(*g->args[0], scalar));
      if (t.expr->kind != BoundExpr::Kind::kColumn || t.type() != DataType::kTimestamp) {
        return error_at(ErrorCode::kSqlInvalidQuery, g->args[0]->pos,
                        g->name + "'s first argument must be a TIMESTAMP column");
      }
      w.time_column = t.expr->column;
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
  std::function<bool(const Expr&)> has_aggregate = [&](const Expr& e) {
    if (e.kind == ExprKind::kFunction && kAggregates.count(e.name)) return true;
    for (const ExprPtr& a : e.args) {
      if (has_aggregate(*a)) return true;
    }
    return false;
  };
  q.aggregate = !select.group_by.empty();
  for (const SelectItem& item : select.items) q.aggregate |= has_aggregate(*item.expr);
  if (select.having) q.aggregate |= has_aggregate(*select.having);

  std::vector<Field> out_fields;
  Scope group_scope{&input, from->name(), &q, &key_sql, &group_fields};
  Scope& scope = q.aggregate ? group_scope : scalar;
  for (const SelectItem& item : select.items) {
    if (item.expr->kind == ExprKind::kStar) {
      if (q.aggregate) {
        return error_at(ErrorCode::kSqlInvalidQuery, item.expr->pos,
                        "SELECT * cannot be used with GROUP BY or aggregates; list the columns");
      }
      for (int i = 0; i < input.num_fields(); ++i) {
        q.projection.push_back(make_column(i, input.field(i).type, input.field(i).name));
        out_fields.push_back(
            Field{input.field(i).name, input.field(i).type, input.field(i).nullable});
      }
      continue;
    }
    SLC_ASSIGN_OR_RETURN(Bound b, binder.bind(*item.expr, scope));
    BoundExprPtr e = b.untyped_null ? make_literal(Value::Null(DataType::kVarchar)) : b.expr;
    q.projection.push_back(e);
    bool nullable = true;
    if (e->kind == BoundExpr::Kind::kColumn) {
      nullable = q.aggregate ? group_fields[static_cast<size_t>(e->column)].nullable
                             : input.field(e->column).nullable;
    }
    out_fields.push_back(Field{output_name(item), e->type, nullable});
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
  for (size_t i = 0; i < out_fields.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (to_lower(out_fields[i].name) == to_lower(out_fields[j].name)) {
        return error_at(
            ErrorCode::kSqlDuplicateName, select.items[i].expr->pos,
            "two output columns are named '" + out_fields[i].name + "'; add an alias with AS");
      }
    }
  }
  q.group_schema = make_schema(group_fields);

  // EMIT and lateness.
  const SourcePos emit_pos = select.emit == EmitMode::kDefault ? select.pos : select.emit_pos;
  q.emit = select.emit;
  if (q.emit == EmitMode::kOnWindowClose && !q.window) {
    return error_at(ErrorCode::kSqlInvalidQuery, emit_pos,
                    "EMIT ON WINDOW CLOSE needs a window (TUMBLE, HOP or SESSION) in GROUP BY; "
                    "without one no window ever closes. Use EMIT ON UPDATE or EMIT CHANGES");
  }
  if (q.emit == EmitMode::kDefault)
    q.emit = q.window ? EmitMode::kOnWindowClose : EmitMode::kOnUpdate;
  if (q.window && q.emit == EmitMode::kOnWindowClose && !catalog_.has_watermark(q.input) &&
      !catalog_.bounded(q.input)) {
    return error_at(
        ErrorCode::kSqlInvalidQuery, emit_pos,
        "windows over '" + q.input +
            "' would never close: no source upstream declares "
            "a WATERMARK and the input never ends. Add WATERMARK FOR <column> AS <column> - "
            "INTERVAL ... to the source, or use EMIT ON UPDATE");
  }
  if (q.aggregate && catalog_.updating(q.input)) {
    return error_at(
        ErrorCode::kSqlInvalidQuery, select.from_pos,
        "cannot aggregate '" + q.input +
            "': it emits updates (EMIT ON UPDATE or CHANGES "
            "of an aggregate), and aggregating those would count rows twice; aggregate an "
            "append-only stream instead");
  }
  if (select.allowed_lateness_micros) {
    if (!q.window) {
      return error_at(ErrorCode::kSqlInvalidQuery, select.pos,
                      "ALLOW LATENESS applies to windowed aggregates only");
    }
    q.lateness = *select.allowed_lateness_micros;
  }
  if (q.emit == EmitMode::kChanges) {
    for (const Field& f : out_fields) {
      if (to_lower(f.name) == kChangeOpColumn) {
        return error_at(ErrorCode::kSqlDuplicateName, select.emit_pos,
                        "EMIT CHANGES adds a column named _op; rename the output column _op");
      }
    }
    out_fields.push_back(Field{kChangeOpColumn, DataType::kVarchar, false});
  }
  q.output_schema = make_schema(std::move(out_fields));
  return q;
}

// delivery = 'exactly-once' holds only when every link can keep it: the connector stages
// epochs, the database checkpoints, every source upstream can replay, and no policy drops.
Status Binder::check_exactly_once(const Statement& s, const SinkDef& def,
                                  const ConnectorSpec& spec) const {
  const std::string what = "sink '" + s.name + "': delivery = 'exactly-once' ";
  if (!spec.capabilities.exactly_once) {
    return error_at(ErrorCode::kUnsupported, s.connector_pos,
                    what + "is not supported by the '" + spec.name +
                        "' connector; use delivery = 'at-least-once'");
  }
  if (!catalog_.checkpointing()) {
    return error_at(ErrorCode::kUnsupported, s.name_pos,
                    what +
                        "needs checkpoints, and this database has none: open it with a "
                        "data_dir (sluice run --data-dir DIR)");
  }
  if (const std::string source = catalog_.unreplayable_source(def.input); !source.empty()) {
    return error_at(ErrorCode::kUnsupported, s.sink_from_pos,
                    what + "needs sources that can replay, and source '" + source +
                        "' cannot: declare it WITH (durable = true) so its rows are logged");
  }
  auto is = [&](const char* key, const char* value) {
    auto it = def.options.find(key);
    return it != def.options.end() && it->second == value;
  };
  if (is("queue.full", "drop")) {
    return error_at(ErrorCode::kSqlInvalidOption, s.name_pos,
                    what + "cannot drop rows: use queue.full = 'block' or 'fail'");
  }
  if (is("on.error", "dead_letter")) {
    return error_at(ErrorCode::kSqlInvalidOption, s.name_pos,
                    what + "cannot send rows elsewhere: use on.error = 'fail' or 'pause'");
  }
  return Status::Ok();
}

Result<SinkDef> Binder::bind_sink(const Statement& s, const std::string& input) const {
  SinkDef def;
  def.name = s.name;
  def.input = input;
  def.sql = s.text;
  def.connector = s.connector;
  const Catalog::Entry* from = catalog_.find(input);
  if (from == nullptr || from->kind == ObjectKind::kSink) {
    std::string msg = "unknown stream '" + input + "' for sink '" + s.name + "'";
    const std::string best = catalog_.closest(input);
    if (!best.empty()) msg += " (did you mean '" + best + "'?)";
    return error_at(ErrorCode::kSqlUnknownName, s.sink_from_pos, std::move(msg));
  }
  if (s.sink_where) {
    SLC_ASSIGN_OR_RETURN(BoundExprPtr w, bind_scalar(*s.sink_where, *from->schema(), from->name()));
    if (w->type != DataType::kBoolean) {
      return error_at(ErrorCode::kSqlTypeMismatch, s.sink_where->pos,
                      "a sink's WHERE must be BOOLEAN, got " + tname(w->type));
    }
    def.where = w;
  }
  const ConnectorCatalog* connectors = catalog_.connectors();
  const ConnectorSpec* spec = connectors ? connectors->find_sink(s.connector) : nullptr;
  if (spec == nullptr) {
    std::string names;
    if (connectors) {
      for (const std::string& n : connectors->sink_names())
        names += (names.empty() ? "" : ", ") + n;
    }
    return error_at(ErrorCode::kSqlInvalidOption, s.connector_pos,
                    "unknown sink connector '" + s.connector + "' (available: " + names + ")");
  }
  SLC_ASSIGN_OR_RETURN(def.options,
                       validate_sink_options(s.options, *spec, "sink '" + s.name + "'"));
  if (spec->check) {
    if (Status checked = spec->check(def.options, *from->schema()); !checked.ok()) {
      return error_at(checked.code(), s.connector_pos,
                      "sink '" + s.name + "': " + std::string(checked.message()));
    }
  }
  if (auto it = def.options.find("delivery");
      it != def.options.end() && it->second == "exactly-once") {
    SLC_RETURN_IF_ERROR(check_exactly_once(s, def, *spec));
  }
  const auto on_error = def.options.find("on.error");
  const auto dead_letter = def.options.find("dead_letter.sink");
  if (on_error != def.options.end() && on_error->second == "dead_letter") {
    if (dead_letter == def.options.end()) {
      return Status(
          ErrorCode::kSqlInvalidOption,
          "sink '" + s.name + "': on.error = 'dead_letter' needs dead_letter.sink = '<sink>'");
    }
    const Catalog::Entry* target = catalog_.find(dead_letter->second);
    if (target == nullptr || target->kind != ObjectKind::kSink) {
      return Status(ErrorCode::kSqlUnknownName, "sink '" + s.name + "': dead_letter.sink '" +
                                                    dead_letter->second +
                                                    "' is not an existing sink");
    }
  } else if (dead_letter != def.options.end()) {
    return Status(
        ErrorCode::kSqlInvalidOption,
        "sink '" + s.name + "': dead_letter.sink is only used with on.error = 'dead_letter'");
  }
  return def;
}

}  // namespace sluice::sql
