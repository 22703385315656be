#include "sql/expr_binder.h"

#include <algorithm>
#include <charconv>
#include <functional>

#include "columnar/timestamp.h"
#include "sql/decimal_rules.h"
#include "sql/expr_eval.h"
#include "sql/names.h"

namespace sluice::sql {

Status error_at(ErrorCode code, SourcePos pos, std::string msg) {
  return Status(code, std::move(msg), pos.to_string());
}

Status check_qualifier(const Expr& e, const Scope& scope) {
  if (e.qualifier.empty()) return Status::Ok();
  if (scope.relations != nullptr) return find_relation(e, *scope.relations).status();
  const std::string& name = scope.alias.empty() ? scope.relation : scope.alias;
  if (to_lower(e.qualifier) == to_lower(name)) return Status::Ok();
  std::string msg = "unknown table '" + e.qualifier + "' (the query reads '" + scope.relation + "'";
  if (!scope.alias.empty()) msg += " as '" + scope.alias + "'";
  return error_at(ErrorCode::kSqlUnknownName, e.pos, msg + ")");
}

Scope ExprBinder::input_scope(const Scope& scope) {
  Scope inner;
  inner.input = scope.input;
  inner.relation = scope.relation;
  inner.alias = scope.alias;
  inner.relations = scope.relations;
  inner.reads = scope.reads;
  inner.processing_time = scope.processing_time;
  return inner;
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
    case DataType::kDecimal:
      return 3;
    case DataType::kDouble:
      return 4;
    default:
      return 0;
  }
}

const std::set<std::string> kWindows = {"TUMBLE", "HOP", "SESSION"};

namespace {

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

}  // namespace

Result<Bound> ExprBinder::bind(const Expr& e, Scope& scope) {
  text_ = ExprText(e);
  return bind_node(e, scope);
}

std::optional<Bound> ExprBinder::group_key(std::string_view text, const Scope& scope) const {
  // Compared in place, lengths first: most nodes match no key's length and cost nothing.
  for (size_t k = 0; k < scope.key_sql->size(); ++k) {
    const std::string& key = (*scope.key_sql)[k];
    if (key.size() == text.size() && to_lower(text) == key) {
      const Field& f = (*scope.group_fields)[k];
      return Bound{make_column(static_cast<int>(k), f.type, f.name)};
    }
  }
  return std::nullopt;
}

// The recursion of binding goes bind_node → bind_operands → bind_node, two small stack frames a
// level; what combines the operands (typing, casts, the calls) runs after, off that path.
Result<Bound> ExprBinder::bind_node(const Expr& e, Scope& scope) {
  if (scope.query != nullptr) {
    // A whole expression equal to a GROUP BY key refers to that key.
    if (std::optional<Bound> key = group_key(text_.view(e), scope)) return *key;
    // An aggregate OVER (…) is no GROUP BY aggregate: refused by check_name below.
    if (e.kind == ExprKind::kFunction && kAggregates.count(e.name) && !e.over) {
      return aggregate(e, scope);
    }
    if (e.kind == ExprKind::kFunction && kWindowHelpers.count(e.name)) {
      return window_helper(e, scope);
    }
  }
  if (e.kind == ExprKind::kLiteral) return literal(e);
  if (e.kind == ExprKind::kColumn || e.kind == ExprKind::kStar) return column(e, scope);
  SLC_RETURN_IF_ERROR(check_name(e));
  SLC_ASSIGN_OR_RETURN(Operands operands, bind_operands(e, scope));
  return combine(e, operands);
}

Result<ExprBinder::Operands> ExprBinder::bind_operands(const Expr& e, Scope& scope) {
  Operands out;
  size_t next = 0;
  if (e.kind == ExprKind::kBinary && scope.query != nullptr) {
    if (std::optional<Bound> key = chain_key(e, scope, out.first)) {
      out.bound.push_back(std::move(*key));
      next = out.first;
    }
  }
  out.bound.reserve(out.bound.size() + e.args.size() - next);
  for (size_t i = next; i < e.args.size(); ++i) {
    SLC_ASSIGN_OR_RETURN(Bound b, bind_node(*e.args[i], scope));
    out.bound.push_back(std::move(b));
  }
  return out;
}

std::optional<Bound> ExprBinder::chain_key(const Expr& chain, const Scope& scope,
                                           size_t& first) const {
  for (size_t k = chain.args.size() - 2; k >= 1; --k) {
    if (std::optional<Bound> key = group_key(text_.prefix_view(chain, k), scope)) {
      first = k + 1;
      return key;
    }
  }
  return std::nullopt;
}

Status ExprBinder::check_name(const Expr& e) const {
  if (e.kind == ExprKind::kExtract && !kExtractFields.count(e.name)) {
    return error_at(ErrorCode::kSqlUnknownName, e.pos,
                    "unknown EXTRACT field '" + e.name +
                        "' (YEAR, QUARTER, MONTH, DAY, HOUR, MINUTE, SECOND, MILLISECOND, "
                        "MICROSECOND, DOW, DOY, EPOCH)");
  }
  if (e.kind != ExprKind::kFunction) return Status::Ok();
  if (e.over) {  // the binder takes a whole select item's window function before this
    return error_at(ErrorCode::kSqlInvalidQuery, e.pos,
                    e.name == "ROW_NUMBER"
                        ? "ROW_NUMBER() OVER (...) may only be a whole select item (AS rn) of a "
                          "query without GROUP BY, or the operand of QUALIFY's comparison (top-N)"
                        : e.name +
                              "(...) OVER (...) may only be a whole select item (AS name) "
                              "of a query without GROUP BY");
  }
  if (kAggregates.count(e.name)) {
    return error_at(
        ErrorCode::kSqlInvalidQuery, e.pos,
        "aggregate " + e.name + " is not allowed here (only in SELECT or HAVING of a query)");
  }
  if (kWindows.count(e.name)) {
    return error_at(ErrorCode::kSqlInvalidQuery, e.pos, e.name + " belongs in GROUP BY");
  }
  if (kWindowHelpers.count(e.name)) {
    return error_at(ErrorCode::kSqlInvalidQuery, e.pos,
                    e.name + " is allowed only in SELECT or HAVING of a query grouped by " +
                        e.name.substr(0, e.name.find('_')) + "(...)");
  }
  if (e.filter) {
    return error_at(ErrorCode::kSqlSyntax, e.pos,
                    "FILTER (WHERE ...) applies to aggregates only, not to " + e.name);
  }
  if (!kScalars.count(e.name) && !kScalarFunctions.count(e.name)) {
    std::string msg = "unknown function '" + to_lower(e.name) + "'";
    std::string best;
    size_t best_d = 3;
    for (const auto* set : {&kScalars, &kScalarFunctions, &kAggregates}) {
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
  if (e.distinct) {
    return error_at(ErrorCode::kSqlSyntax, e.pos, "DISTINCT applies to aggregates only");
  }
  return Status::Ok();
}

Result<Bound> ExprBinder::combine(const Expr& e, Operands& o) {
  std::vector<Bound>& a = o.bound;
  switch (e.kind) {
    case ExprKind::kUnary:
      return unary(e, a[0]);
    case ExprKind::kBinary:
      return binary(e, o);
    case ExprKind::kFunction:
      return function(e, a);
    case ExprKind::kCase:
      return case_expr(e, a);
    case ExprKind::kCast:
      return cast(e, a[0]);
    case ExprKind::kIsNull:
      return Bound{make_call(e.negated ? Fn::kIsNotNull : Fn::kIsNull, DataType::kBoolean,
                             {a[0].expr}, text_.of(e))};
    case ExprKind::kInList:
      return in_list(e, a);
    case ExprKind::kBetween:
      return between(e, a);
    case ExprKind::kLike:
      return like(e, a);
    case ExprKind::kExtract: {
      SLC_ASSIGN_OR_RETURN(BoundExprPtr ts,
                           coerce(a[0], DataType::kTimestamp, e.args[0]->pos, "EXTRACT"));
      auto call = std::const_pointer_cast<BoundExpr>(
          make_call(Fn::kExtract, e.name == "EPOCH" ? DataType::kDouble : DataType::kInt64, {ts},
                    text_.of(e)));
      call->unit = e.name;
      return Bound{call};
    }
    default:
      break;
  }
  return error_at(ErrorCode::kInternal, e.pos, "unhandled expression");
}

Result<Bound> ExprBinder::like(const Expr& e, const std::vector<Bound>& a) {
  const std::string op = e.name.empty() ? "LIKE" : e.name;
  SLC_ASSIGN_OR_RETURN(BoundExprPtr ac, coerce(a[0], DataType::kVarchar, e.args[0]->pos, op));
  SLC_ASSIGN_OR_RETURN(BoundExprPtr pc, coerce(a[1], DataType::kVarchar, e.args[1]->pos, op));
  if (e.name == "ILIKE") {
    // ILIKE compares lower-cased text (Unicode's simple case mapping, as LOWER), the pattern
    // included: a constant pattern is lowered once per batch, as a scalar.
    ac = make_call(Fn::kLower, DataType::kVarchar, {ac}, ac->sql);
    pc = make_call(Fn::kLower, DataType::kVarchar, {pc}, pc->sql);
  }
  BoundExprPtr result = make_call(Fn::kLike, DataType::kBoolean, {ac, pc}, text_.of(e));
  if (e.negated) result = make_call(Fn::kNot, DataType::kBoolean, {result}, text_.of(e));
  return Bound{result};
}

Result<BoundExprPtr> ExprBinder::coerce(const Bound& b, DataType target, SourcePos pos,
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
  if (b.string_literal && target == DataType::kDate) {
    auto d = parse_date(b.expr->literal.s);
    if (!d.ok()) return error_at(d.status().code(), pos, std::string(d.status().message()));
    return make_literal(Value::Date(*d));
  }
  // A DATE beside a TIMESTAMP is its midnight, as in PostgreSQL.
  if (b.type() == DataType::kDate && target == DataType::kTimestamp) {
    return cast_node(b.expr, target);
  }
  return error_at(ErrorCode::kSqlTypeMismatch, pos,
                  std::string(context) + " expects " + tname(target) + ", got " + tname(b.type()) +
                      " (" + b.expr->sql.str() + ")");
}

Result<DataType> ExprBinder::common_type(const std::vector<Bound>& items, SourcePos pos,
                                         std::string_view context) {
  std::optional<DataType> type;
  bool has_string_literal = false, has_timestamp = false, has_date = false;
  for (const Bound& b : items) {
    if (b.untyped_null) continue;
    has_string_literal |= b.string_literal;
    has_timestamp |= b.type() == DataType::kTimestamp;
    has_date |= b.type() == DataType::kDate;
  }
  for (const Bound& b : items) {
    if (b.untyped_null) continue;
    DataType t = b.type();
    if (b.string_literal && has_timestamp) t = DataType::kTimestamp;
    if (b.string_literal && has_date && !has_timestamp) t = DataType::kDate;
    if (has_date && has_timestamp && t == DataType::kDate) t = DataType::kTimestamp;
    if (!type) {
      type = t;
    } else if (*type != t) {
      const int a = numeric_rank(*type), c = numeric_rank(t);
      if (a > 0 && c > 0) {
        type = common_numeric(*type, t);
      } else {
        return error_at(
            ErrorCode::kSqlTypeMismatch, pos,
            std::string(context) + " mixes " + tname(*type) + " and " + tname(t) + "; add a CAST");
      }
    }
  }
  (void)has_string_literal;
  return type.value_or(DataType::kVarchar);
}

BoundExprPtr ExprBinder::cast_node(BoundExprPtr e, DataType to) {
  if (e->kind == BoundExpr::Kind::kLiteral) {
    auto v = cast_value(e->literal, to);
    if (v.ok()) return make_literal(*v);
  }
  SqlText sql = e->sql.wrapped("CAST(", " AS " + tname(to) + ")");
  return make_call(Fn::kCast, to, {std::move(e)}, std::move(sql));
}

Result<Bound> ExprBinder::literal(const Expr& e) {
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

Result<Bound> ExprBinder::unary(const Expr& e, const Bound& a) {
  if (e.name == "NOT") {
    SLC_ASSIGN_OR_RETURN(BoundExprPtr b, coerce(a, DataType::kBoolean, e.args[0]->pos, "NOT"));
    return Bound{make_call(Fn::kNot, DataType::kBoolean, {b}, text_.of(e))};
  }
  if (numeric_rank(a.type()) == 0 && a.type() != DataType::kInterval) {
    return error_at(ErrorCode::kSqlTypeMismatch, e.pos, "cannot negate " + tname(a.type()));
  }
  return Bound{make_call(Fn::kNeg, a.type(), {a.expr}, text_.of(e))};
}

Result<Bound> ExprBinder::binary(const Expr& e, Operands& o) {
  const std::string& op = e.ops[0].text;
  if (op == "+" || op == "-" || op == "*" || op == "/" || op == "%") return arithmetic_chain(e, o);
  // The other chains take all their operands at once, and comparisons have two.
  if (op == "AND" || op == "OR") {
    std::vector<BoundExprPtr> args;
    args.reserve(o.bound.size());
    for (size_t i = 0; i < o.bound.size(); ++i) {
      SLC_ASSIGN_OR_RETURN(BoundExprPtr b, coerce(o.bound[i], DataType::kBoolean, o.pos(e, i), op));
      args.push_back(std::move(b));
    }
    return Bound{make_call(op == "AND" ? Fn::kAnd : Fn::kOr, DataType::kBoolean, std::move(args),
                           text_.of(e))};
  }
  if (op == "||") {
    std::vector<BoundExprPtr> args;
    args.reserve(o.bound.size());
    for (const Bound& b : o.bound) args.push_back(b.expr);
    return Bound{concat_call(std::move(args), true, text_.of(e))};
  }
  return comparison(e, o.bound[0], o.bound[1]);
}

Result<Bound> ExprBinder::comparison(const Expr& e, const Bound& a, const Bound& b) {
  const std::string& op = e.ops[0].text;
  SLC_ASSIGN_OR_RETURN(DataType t, common_type({a, b}, e.pos, "comparison '" + op + "'"));
  SLC_ASSIGN_OR_RETURN(BoundExprPtr l, coerce(a, t, e.args[0]->pos, "comparison"));
  SLC_ASSIGN_OR_RETURN(BoundExprPtr r, coerce(b, t, e.args[1]->pos, "comparison"));
  const Fn fn = op == "="                  ? Fn::kEq
                : op == "<>"               ? Fn::kNe
                : op == "<"                ? Fn::kLt
                : op == "<="               ? Fn::kLe
                : op == ">"                ? Fn::kGt
                : op == ">="               ? Fn::kGe
                : op == "IS DISTINCT FROM" ? Fn::kIsDistinct
                                           : Fn::kIsNotDistinct;
  return Bound{make_call(fn, DataType::kBoolean, {l, r}, text_.of(e))};
}

// a + b is one call; a longer chain is a fold whose every step keeps the types and overflow
// checks of the binary operation it stands for (so `int + int + double` adds the ints as INT
// first, as ((int + int) + double) would).
Result<Bound> ExprBinder::arithmetic_chain(const Expr& e, Operands& o) {
  const size_t n = o.bound.size();
  if (n == 2) return arithmetic(e, o.first, o.bound[0], o.bound[1], text_.of(e));
  std::vector<BoundExprPtr> steps;
  steps.reserve(n);
  steps.push_back(o.bound[0].expr);
  Bound so_far = o.bound[0];
  for (size_t i = 1; i < n; ++i) {
    const size_t k = o.first - 1 + i;  // operand i is args[k], after ops[k - 1]
    const Bound value{make_use(so_far.type(), text_.prefix(e, k - 1)), so_far.untyped_null};
    SLC_ASSIGN_OR_RETURN(Bound step, arithmetic(e, k, value, o.bound[i], text_.prefix(e, k)));
    so_far = Bound{step.expr};
    steps.push_back(std::move(step.expr));
  }
  return Bound{make_fold(so_far.type(), std::move(steps), text_.of(e))};
}

Result<Bound> ExprBinder::arithmetic(const Expr& e, size_t k, const Bound& a, const Bound& b,
                                     SqlText sql) {
  const Operator& op = e.ops[k - 1];
  const Fn fn = op.text == "+"   ? Fn::kAdd
                : op.text == "-" ? Fn::kSub
                : op.text == "*" ? Fn::kMul
                : op.text == "/" ? Fn::kDiv
                                 : Fn::kMod;
  if (a.untyped_null || b.untyped_null) {
    const DataType t =
        a.untyped_null ? (b.untyped_null ? DataType(DataType::kInt64) : b.type()) : a.type();
    return Bound{make_literal(Value::Null(t))};
  }
  const DataType at = a.type(), bt = b.type();
  const int ar = numeric_rank(at), br = numeric_rank(bt);
  if (ar > 0 && br > 0) {
    if ((at == DataType::kDecimal || bt == DataType::kDecimal) && at != DataType::kDouble &&
        bt != DataType::kDouble) {
      // Operands keep their scales (the kernel aligns them); integers become DECIMAL(n, 0).
      const DataType da = as_decimal(at), db = as_decimal(bt);
      auto t = decimal_arithmetic_type(fn, da, db);
      if (!t.ok()) return t.status().with_location(op.pos.to_string());
      return Bound{make_call(fn, *t, {cast_to(a.expr, da), cast_to(b.expr, db)}, std::move(sql))};
    }
    const DataType t = ar >= br ? at : bt;
    return Bound{make_call(fn, t, {cast_to(a.expr, t), cast_to(b.expr, t)}, std::move(sql))};
  }
  using D = DataType;
  // DATE ± INT is a DATE, DATE - DATE the INT days between (PostgreSQL's rules); a DATE with an
  // INTERVAL is its midnight TIMESTAMP.
  const bool a_int = at == D::kInt32 || at == D::kInt64, b_int = bt == D::kInt32 || bt == D::kInt64;
  if (at == D::kDate && b_int && (fn == Fn::kAdd || fn == Fn::kSub)) {
    return Bound{make_call(fn, D::kDate, {a.expr, cast_to(b.expr, D::kInt64)}, std::move(sql))};
  }
  if (a_int && bt == D::kDate && fn == Fn::kAdd) {
    return Bound{make_call(fn, D::kDate, {b.expr, cast_to(a.expr, D::kInt64)}, std::move(sql))};
  }
  if (at == D::kDate && bt == D::kDate && fn == Fn::kSub) {
    return Bound{make_call(fn, D::kInt32, {a.expr, b.expr}, std::move(sql))};
  }
  if ((at == D::kDate && bt == D::kInterval) || (at == D::kInterval && bt == D::kDate)) {
    const Bound ta{at == D::kDate ? cast_to(a.expr, D::kTimestamp) : a.expr};
    const Bound tb{bt == D::kDate ? cast_to(b.expr, D::kTimestamp) : b.expr};
    return arithmetic(e, k, ta, tb, std::move(sql));
  }
  auto temporal = [&](DataType result) {
    return Bound{make_call(fn, result, {a.expr, b.expr}, std::move(sql))};
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
  return error_at(
      ErrorCode::kSqlTypeMismatch, op.pos,
      "operator '" + op.text + "' does not apply to " + tname(at) + " and " + tname(bt));
}

BoundExprPtr ExprBinder::cast_to(BoundExprPtr e, DataType t) {
  return e->type == t ? e : cast_node(std::move(e), t);
}

BoundExprPtr ExprBinder::concat_call(std::vector<BoundExprPtr> args, bool strict, SqlText sql) {
  auto call = std::const_pointer_cast<BoundExpr>(
      make_call(Fn::kConcat, DataType::kVarchar, std::move(args), std::move(sql)));
  if (strict) call->unit = "||";
  return call;
}

Result<Bound> ExprBinder::cast(const Expr& e, const Bound& a) {
  if (a.untyped_null) return Bound{make_literal(Value::Null(e.cast_type))};
  const DataType from = a.type(), to = e.cast_type;
  const bool ok =
      from == to || to == DataType::kVarchar ||
      (from == DataType::kVarchar && to != DataType::kInterval) ||
      (numeric_rank(from) && numeric_rank(to)) ||
      (from == DataType::kBoolean && numeric_rank(to) && to != DataType::kDouble &&
       to != DataType::kDecimal) ||
      (numeric_rank(from) && from != DataType::kDouble && from != DataType::kDecimal &&
       to == DataType::kBoolean) ||
      (from == DataType::kBoolean && to == DataType::kDouble) ||
      (from == DataType::kTimestamp && (to == DataType::kInt64)) ||
      (from == DataType::kTimestamp && to == DataType::kDate) ||
      (from == DataType::kDate && to == DataType::kTimestamp) ||
      ((from == DataType::kInt64 || from == DataType::kInt32) && to == DataType::kTimestamp);
  if (!ok) {
    return error_at(ErrorCode::kSqlTypeMismatch, e.pos,
                    "cannot cast " + tname(from) + " to " + tname(to));
  }
  if (from == to) return a;
  BoundExprPtr node = make_call(Fn::kCast, to, {a.expr}, text_.of(e));
  if (a.expr->kind == BoundExpr::Kind::kLiteral) {
    auto v = cast_value(a.expr->literal, to);
    if (!v.ok()) return v.status().with_location(e.pos.to_string());
    node = make_literal(*v);
  }
  return Bound{node};
}

Status ExprBinder::arity(const Expr& e, size_t lo, size_t hi) {
  if (e.args.size() < lo || e.args.size() > hi) {
    std::string want =
        lo == hi ? std::to_string(lo) : std::to_string(lo) + " to " + std::to_string(hi);
    return error_at(ErrorCode::kSqlSyntax, e.pos,
                    e.name + " takes " + want + " argument" + (hi == 1 ? "" : "s") + ", got " +
                        std::to_string(e.args.size()));
  }
  return Status::Ok();
}

Result<Bound> ExprBinder::function(const Expr& e, const std::vector<Bound>& args) {
  const SqlText sql = text_.of(e);
  const std::string& n = e.name;
  auto varchar_arg = [&](size_t i) {
    return coerce(args[i], DataType::kVarchar, e.args[i]->pos, n);
  };
  auto bigint_arg = [&](size_t i) { return coerce(args[i], DataType::kInt64, e.args[i]->pos, n); };
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
    const DataType t = args[0].untyped_null ? DataType(DataType::kDouble) : args[0].type();
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
    BoundExprPtr call = make_call(fn, t, std::move(bound), sql);
    if (t == DataType::kDecimal && fn != Fn::kAbs) {
      // FLOOR, CEIL and ROUND(x, n) of a DECIMAL(p, s) give DECIMAL(p, min(max(n, 0), s)), as
      // PostgreSQL and DuckDB do (n is 0 for FLOOR, CEIL, ROUND(x)). The value is already
      // rounded, so the rescale is exact and its integer digits fit. A count of digits that
      // is not a constant keeps the input's scale.
      int64_t digits = 0;
      bool known = true;
      if (call->args.size() > 1) {
        const BoundExpr& d = *call->args[1];
        known = d.kind == BoundExpr::Kind::kLiteral && !d.literal.null;
        if (known) digits = d.literal.i;
      }
      const int scale =
          known ? static_cast<int>(std::clamp<int64_t>(digits, 0, t.scale())) : t.scale();
      if (scale < t.scale()) call = cast_node(call, DataType::Decimal(t.precision(), scale));
    }
    return Bound{call};
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
    SLC_ASSIGN_OR_RETURN(BoundExprPtr ts, coerce(args[1], DataType::kTimestamp, e.args[1]->pos, n));
    auto call = std::const_pointer_cast<BoundExpr>(
        make_call(Fn::kDateTrunc, DataType::kTimestamp, {ts}, sql));
    call->unit = unit;
    return Bound{call};
  }
  return scalar_function(e, args);
}

}  // namespace sluice::sql
