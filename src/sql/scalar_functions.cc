// ExprBinder's scalar functions kept as data: a table of signatures (name, parameter types,
// how many are required, result type, kernel) for those whose binding is only that, and a
// rule of their own for the others (NULLIF, GREATEST/LEAST, NOW, the regular expressions).
// The older functions are in expr_binder.cc.

#include <algorithm>

#include "sql/expr_binder.h"
#include "sql/names.h"
#include "sql/regex.h"

namespace sluice::sql {
namespace {

using D = DataType;

// A function whose arguments are coerced to `params` (the first `required` of them needed) and
// handed to `fn` in the order written. Several rows of one name are overloads, tried in order.
struct Signature {
  const char* name;
  std::vector<DataType> params;
  size_t required;
  DataType result;
  Fn fn;
};

const std::vector<Signature>& signatures() {
  static const std::vector<Signature> table = {
      {"REPLACE", {D::kVarchar, D::kVarchar, D::kVarchar}, 3, D::kVarchar, Fn::kReplace},
      {"STRPOS", {D::kVarchar, D::kVarchar}, 2, D::kInt64, Fn::kStrpos},
      {"STARTS_WITH", {D::kVarchar, D::kVarchar}, 2, D::kBoolean, Fn::kStartsWith},
      {"SPLIT_PART", {D::kVarchar, D::kVarchar, D::kInt64}, 3, D::kVarchar, Fn::kSplitPart},
      {"LEFT", {D::kVarchar, D::kInt64}, 2, D::kVarchar, Fn::kLeft},
      {"RIGHT", {D::kVarchar, D::kInt64}, 2, D::kVarchar, Fn::kRight},
      {"LPAD", {D::kVarchar, D::kInt64, D::kVarchar}, 2, D::kVarchar, Fn::kLpad},
      {"RPAD", {D::kVarchar, D::kInt64, D::kVarchar}, 2, D::kVarchar, Fn::kRpad},
      {"TO_TIMESTAMP", {D::kDouble}, 1, D::kTimestamp, Fn::kToTimestamp},
      {"EPOCH_MS", {D::kTimestamp}, 1, D::kInt64, Fn::kEpochMs},
      {"EPOCH_MS", {D::kInt64}, 1, D::kTimestamp, Fn::kEpochMs},
  };
  return table;
}

std::set<std::string> all_names() {
  std::set<std::string> names = {
      "NULLIF",      "GREATEST",       "LEAST",          "NOW",     "CURRENT_TIMESTAMP", "POSITION",
      "REGEXP_LIKE", "REGEXP_REPLACE", "REGEXP_EXTRACT", "PROCTIME"};
  for (const Signature& s : signatures()) names.insert(s.name);
  return names;
}

bool accepts(const Bound& b, DataType param) {
  if (b.untyped_null || b.type() == param) return true;
  const int from = numeric_rank(b.type()), to = numeric_rank(param);
  return (from > 0 && to > 0 && from <= to) || (b.string_literal && param == D::kTimestamp);
}

}  // namespace

const std::set<std::string> kScalarFunctions = all_names();

Result<Bound> ExprBinder::scalar_function(const Expr& e, const std::vector<Bound>& args) {
  const std::string& n = e.name;
  if (n == "NULLIF") return nullif(e, args);
  if (n == "GREATEST" || n == "LEAST") return extremum(e, args);
  if (n == "NOW" || n == "CURRENT_TIMESTAMP") return now(e);
  if (n == "PROCTIME") return proctime(e);
  if (n == "REGEXP_LIKE" || n == "REGEXP_REPLACE" || n == "REGEXP_EXTRACT") return regexp(e, args);
  if (n == "POSITION") {
    // POSITION(needle IN haystack) is strpos(haystack, needle).
    SLC_RETURN_IF_ERROR(arity(e, 2, 2));
    SLC_ASSIGN_OR_RETURN(BoundExprPtr needle, coerce(args[0], D::kVarchar, e.args[0]->pos, n));
    SLC_ASSIGN_OR_RETURN(BoundExprPtr haystack, coerce(args[1], D::kVarchar, e.args[1]->pos, n));
    return Bound{make_call(Fn::kStrpos, D::kInt64, {haystack, needle}, text_.of(e))};
  }
  if (n == "TO_TIMESTAMP" && args.size() == 2) {
    return error_at(ErrorCode::kUnsupported, e.pos,
                    "to_timestamp(text, format) is not supported; CAST(text AS TIMESTAMP) reads "
                    "ISO 8601 text such as '2024-05-01 12:00:00', and to_timestamp(seconds) "
                    "converts a number of seconds since 1970");
  }
  return by_signature(e, args);
}

Result<Bound> ExprBinder::by_signature(const Expr& e, const std::vector<Bound>& args) {
  const std::vector<Signature>& table = signatures();
  const auto first = std::find_if(table.begin(), table.end(),
                                  [&](const Signature& s) { return e.name == s.name; });
  if (first == table.end()) {
    return error_at(ErrorCode::kInternal, e.pos, "function " + e.name + " has no binding");
  }
  SLC_RETURN_IF_ERROR(arity(e, first->required, first->params.size()));
  const Signature* chosen = nullptr;
  std::string wanted;
  for (auto s = first; s != table.end() && e.name == s->name; ++s) {
    bool fits = args.size() >= s->required && args.size() <= s->params.size();
    for (size_t i = 0; fits && i < args.size(); ++i) fits = accepts(args[i], s->params[i]);
    if (fits) {
      chosen = &*s;
      break;
    }
    if (s != first) wanted += " or ";
    wanted += tname(s->params[0]);
  }
  if (chosen == nullptr && std::next(first) != table.end() && std::next(first)->name == e.name) {
    // Overloads differ in their first parameter: say which types it takes.
    return error_at(ErrorCode::kSqlTypeMismatch, e.args[0]->pos,
                    e.name + " expects " + wanted + ", got " + tname(args[0].type()));
  }
  if (chosen == nullptr) chosen = &*first;  // coerce() below says which argument is wrong
  std::vector<BoundExprPtr> bound;
  bound.reserve(args.size());
  for (size_t i = 0; i < args.size(); ++i) {
    SLC_ASSIGN_OR_RETURN(BoundExprPtr b,
                         coerce(args[i], chosen->params[i], e.args[i]->pos, e.name));
    bound.push_back(std::move(b));
  }
  if (chosen->fn == Fn::kSplitPart && bound[2]->kind == BoundExpr::Kind::kLiteral &&
      !bound[2]->literal.null && bound[2]->literal.i == 0) {
    return error_at(ErrorCode::kOutOfRange, e.args[2]->pos,
                    "split_part's field position must not be zero (1 is the first field, -1 the "
                    "last)");
  }
  return Bound{make_call(chosen->fn, chosen->result, std::move(bound), text_.of(e))};
}

// NULLIF(a, b) is CASE WHEN a = b THEN NULL ELSE a END, with a computed once.
Result<Bound> ExprBinder::nullif(const Expr& e, const std::vector<Bound>& args) {
  SLC_RETURN_IF_ERROR(arity(e, 2, 2));
  SLC_ASSIGN_OR_RETURN(DataType t, common_type(args, e.pos, "NULLIF"));
  SLC_ASSIGN_OR_RETURN(BoundExprPtr a, coerce(args[0], t, e.args[0]->pos, "NULLIF"));
  SLC_ASSIGN_OR_RETURN(BoundExprPtr b, coerce(args[1], t, e.args[1]->pos, "NULLIF"));
  const SqlText sql = text_.of(e);
  const BoundExprPtr value = reused(a);
  auto choice = std::const_pointer_cast<BoundExpr>(make_call(
      Fn::kCase, t,
      {make_call(Fn::kEq, D::kBoolean, {value, b}, sql), make_literal(Value::Null(t)), value},
      sql));
  choice->has_else = true;
  return Bound{let(a, std::move(choice), sql)};
}

Result<Bound> ExprBinder::extremum(const Expr& e, const std::vector<Bound>& args) {
  if (args.empty()) {
    return error_at(ErrorCode::kSqlSyntax, e.pos, e.name + " needs at least one argument");
  }
  SLC_ASSIGN_OR_RETURN(DataType t, common_type(args, e.pos, e.name));
  std::vector<BoundExprPtr> bound;
  bound.reserve(args.size());
  for (size_t i = 0; i < args.size(); ++i) {
    SLC_ASSIGN_OR_RETURN(BoundExprPtr b, coerce(args[i], t, e.args[i]->pos, e.name));
    bound.push_back(std::move(b));
  }
  return Bound{make_call(e.name == "GREATEST" ? Fn::kGreatest : Fn::kLeast, t, std::move(bound),
                         text_.of(e))};
}

Result<Bound> ExprBinder::now(const Expr& e) {
  SLC_RETURN_IF_ERROR(arity(e, 0, 0));
  if (!statement_time_) {
    return error_at(
        ErrorCode::kSqlInvalidQuery, e.pos,
        (e.name == "NOW" ? "NOW()" : "CURRENT_TIMESTAMP") +
            std::string(
                " is not allowed in a continuous query: its results must depend on the input "
                "alone, and the wall clock would give other results on a replay or a recovery; use "
                "an event-time column of the input (or window_start / window_end) instead. In an "
                "ad-hoc SELECT on a view it is the statement's time"));
  }
  return Bound{make_literal(Value::Timestamp(*statement_time_))};
}

// PROCTIME() reaches here only where it is not allowed: the binder takes it first where it is,
// as a select item of its own in a continuous query without aggregates (processing_time.h).
Result<Bound> ExprBinder::proctime(const Expr& e) {
  SLC_RETURN_IF_ERROR(arity(e, 0, 0));
  if (statement_time_) {
    return error_at(ErrorCode::kSqlInvalidQuery, e.pos,
                    "PROCTIME() is not allowed in an ad-hoc SELECT: it is a continuous query's "
                    "processing-time attribute; NOW() is the statement's time");
  }
  return error_at(ErrorCode::kSqlInvalidQuery, e.pos,
                  "PROCTIME() may only be a select item of its own (PROCTIME() AS name) in a "
                  "query without aggregates: it makes a processing-time attribute, for a TUMBLE "
                  "or HOP window closed by the wall clock downstream");
}

// regexp_like(s, pattern [, flags]), regexp_replace(s, pattern, replacement [, flags]),
// regexp_extract(s, pattern [, group]). Everything but `s` must be a constant: the pattern is
// compiled here, once, and a bad one is an error at this statement, at its position.
Result<Bound> ExprBinder::regexp(const Expr& e, const std::vector<Bound>& args) {
  const std::string name = to_lower(e.name);
  const bool like = e.name == "REGEXP_LIKE", replace = e.name == "REGEXP_REPLACE";
  SLC_RETURN_IF_ERROR(arity(e, replace ? 3 : 2, replace ? 4 : 3));
  const DataType result = like ? D::kBoolean : D::kVarchar;
  SLC_ASSIGN_OR_RETURN(BoundExprPtr subject, coerce(args[0], D::kVarchar, e.args[0]->pos, name));
  // The constant arguments, as literals of their type; NULL makes the whole call NULL.
  std::vector<Value> constants;
  for (size_t i = 1; i < args.size(); ++i) {
    const bool group = !like && !replace && i == 2;
    const char* what = i == 1              ? "pattern"
                       : group             ? "group"
                       : replace && i == 2 ? "replacement"
                                           : "flags";
    SLC_ASSIGN_OR_RETURN(BoundExprPtr b, coerce(args[i], group ? D::kInt64 : D::kVarchar,
                                                e.args[i]->pos, name + "'s " + what));
    if (b->kind != BoundExpr::Kind::kLiteral) {
      return error_at(ErrorCode::kSqlInvalidQuery, e.args[i]->pos,
                      name + "'s " + what +
                          " must be a constant: it is compiled once, when the query is bound, "
                          "not per row");
    }
    if (b->literal.null) return Bound{make_literal(Value::Null(result))};
    constants.push_back(b->literal);
  }
  RegexSpec spec;
  spec.pattern = constants[0].s;
  const size_t flags_at = replace ? 3 : like ? 2 : 0;
  if (flags_at != 0 && args.size() > flags_at) {
    Status s = parse_regex_flags(constants[flags_at - 1].s, replace, spec);
    if (!s.ok()) return s.with_location(e.args[flags_at]->pos.to_string());
  }
  if (replace) spec.rewrite = constants[1].s;
  if (!like && !replace && args.size() > 2) spec.group = constants[1].i;
  RegexPart failed = RegexPart::kPattern;
  auto compiled = compile_regex(spec, failed);
  if (!compiled.ok()) {
    const size_t at = failed == RegexPart::kPattern ? 1 : 2;
    return compiled.status().with_location(e.args[at]->pos.to_string());
  }
  auto call = std::const_pointer_cast<BoundExpr>(make_call(like      ? Fn::kRegexpLike
                                                           : replace ? Fn::kRegexpReplace
                                                                     : Fn::kRegexpExtract,
                                                           result, {subject}, text_.of(e)));
  call->regex = std::move(*compiled);
  return Bound{call};
}

}  // namespace sluice::sql
