#pragma once
// ExprBinder: binds one expression of a query — names to columns of the input (or, in an
// aggregate query's SELECT and HAVING, to group keys and aggregates), types, implicit casts,
// functions and aggregates — for the Binder (binder.h), which binds whole statements. Internal
// to the sql module.
//
// Thread: a value used by one thread at a time.

#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "sluice/status.h"
#include "sql/ast.h"
#include "sql/bound_expr.h"
#include "sql/bound_query.h"
#include "sql/column_usage.h"
#include "sql/expr_text.h"
#include "sql/relations.h"

namespace sluice::sql {

// An error at `pos` ("line:column").
Status error_at(ErrorCode code, SourcePos pos, std::string msg);
struct Scope;
// OK when `e` (a column or qualified *) has no qualifier or names the scope's relation (its
// alias, when it has one), else SLC-1002 at e.
Status check_qualifier(const Expr& e, const Scope& scope);
// A type's name, for messages.
std::string tname(DataType t);
// 1 INT, 2 BIGINT, 3 DECIMAL, 4 DOUBLE; 0 for a type that is not a number (the widening order;
// two DECIMALs meet in common_numeric, decimal_rules.h).
int numeric_rank(DataType t);

// What stands for `x` where it is tested several times: itself when it is a column or a
// literal, which cost nothing to read again; otherwise a kUse leaf of the let() around the
// tests, which computes it once (compound_binder.cc).
BoundExprPtr reused(const BoundExprPtr& x);
BoundExprPtr let(const BoundExprPtr& x, BoundExprPtr tests, SqlText sql);

// The scalar functions bound by scalar_functions.cc (by signature, or by their own rule), by
// upper-case name; the others are in expr_binder.cc.
extern const std::set<std::string> kScalarFunctions;

// The aggregate functions (COUNT, SUM, ...) and the window functions of a GROUP BY (TUMBLE, HOP,
// SESSION), by upper-case name.
extern const std::set<std::string> kAggregates;
extern const std::set<std::string> kWindows;
// Flink's group-window helpers (TUMBLE_START, HOP_END, SESSION_START, ...): the window bounds of
// the GROUP BY's window, named after it.
extern const std::set<std::string> kWindowHelpers;

// A bound expression, plus whether it is an untyped NULL literal (which takes its type
// from where it is used) or a string literal (which may become a TIMESTAMP).
struct Bound {
  BoundExprPtr expr;
  bool untyped_null = false;
  bool string_literal = false;
  DataType type() const { return expr->type; }
};

// Where an expression is bound: the input it reads and, in an aggregate query's SELECT and
// HAVING, the group keys and aggregates it may refer to.
struct Scope {
  const Schema* input = nullptr;
  std::string relation;
  // Aggregate context (null when scalar).
  BoundQuery* query = nullptr;
  const std::vector<std::string>* key_sql = nullptr;  // AST text of each GROUP BY key
  std::vector<Field>* group_fields = nullptr;         // the group row being built
  std::string alias;  // FROM relation alias: what a qualified name must say instead, if set
  // FROM of several relations (a join): names resolve through them (relations.h); null for one.
  const std::vector<Relation>* relations = nullptr;
  // Where the input columns named are recorded (a join's output, for projection pushdown:
  // column_usage.h); null when nothing records them.
  ColumnReads* reads = nullptr;
  // Which input columns are processing-time attributes (processing_time.h): naming one is
  // refused, except where the binder allows it (a window's time, a select item as it is) by
  // leaving this null; null when none is.
  const std::vector<bool>* processing_time = nullptr;
};

// Binding recurses once per level of the expression's nesting (bounded by the parser), never
// once per operand of a chain, and labels each bound node with a span of the expression's text
// rendered once (ExprText): its cost is linear in the expression's size. Errors come operands
// first, then the node (left to right, inside out), except what a name alone shows.
class ExprBinder {
 public:
  // Binds a whole expression (a WHERE, a select item, a key, HAVING).
  Result<Bound> bind(const Expr& e, Scope& scope);

  // Makes `b` a value of type `target`: NULL literals take the type, numbers widen, string
  // literals become timestamps; anything else is an error naming `context`.
  Result<BoundExprPtr> coerce(const Bound& b, DataType target, SourcePos pos,
                              std::string_view context);

  // The type several operands can all be coerced to.
  Result<DataType> common_type(const std::vector<Bound>& items, SourcePos pos,
                               std::string_view context);

  static BoundExprPtr cast_node(BoundExprPtr e, DataType to);

  // NOW() and CURRENT_TIMESTAMP stand for `micros` (an ad-hoc SELECT's statement time). Without
  // it, as in a continuous query, they are refused: a result must be a function of the input.
  void set_statement_time(std::optional<int64_t> micros) { statement_time_ = micros; }

 private:
  // The operands of a node, bound. bound[0] stands for args[0], or, for a chain in an aggregate
  // query's SELECT or HAVING, for args[0 .. first - 1] when those are a GROUP BY key
  // ((a + b) + c with GROUP BY a + b); bound[i] for args[first - 1 + i].
  struct Operands {
    std::vector<Bound> bound;
    size_t first = 1;
    SourcePos pos(const Expr& e, size_t i) const { return e.args[i ? first - 1 + i : 0]->pos; }
  };

  // A node of the expression bind() was given: operands first (bind_operands), then the node
  // (combine), so that the recursion passes through small stack frames only.
  Result<Bound> bind_node(const Expr& e, Scope& scope);
  Result<Operands> bind_operands(const Expr& e, Scope& scope);
  // Errors a node's name alone shows (an unknown function or EXTRACT field), before its operands.
  Status check_name(const Expr& e) const;
  Result<Bound> combine(const Expr& e, Operands& operands);
  // The GROUP BY key whose text is `text`, written again in an aggregate query's SELECT or
  // HAVING, if there is one.
  std::optional<Bound> group_key(std::string_view text, const Scope& scope) const;
  // The longest leading part of a chain that is a GROUP BY key, and the index of the operand
  // after it in `first`.
  std::optional<Bound> chain_key(const Expr& chain, const Scope& scope, size_t& first) const;
  Result<Bound> literal(const Expr& e);
  Result<Bound> column(const Expr& e, Scope& scope);  // or `*`, an error here
  // Schema::find, through a hash index for a wide schema.
  int find_column(const Schema& schema, std::string_view name);
  // SLC-1007 at `e` when input column `index` is a processing-time attribute the scope forbids.
  static Status check_processing_time_use(const Expr& e, const Scope& scope, int index);
  Result<Bound> unary(const Expr& e, const Bound& a);
  Result<Bound> binary(const Expr& e, Operands& o);
  Result<Bound> comparison(const Expr& e, const Bound& a, const Bound& b);
  Result<Bound> arithmetic_chain(const Expr& e, Operands& o);
  // Step k (1-based) of an arithmetic chain: e.ops[k - 1] applied to a and b, as the binary
  // operation it stands for (types, widening, timestamps and intervals, NULL literals).
  Result<Bound> arithmetic(const Expr& e, size_t k, const Bound& a, const Bound& b, SqlText sql);
  static BoundExprPtr cast_to(BoundExprPtr e, DataType t);
  static BoundExprPtr concat_call(std::vector<BoundExprPtr> args, bool strict, SqlText sql);
  Result<Bound> in_list(const Expr& e, const std::vector<Bound>& items);
  Result<Bound> between(const Expr& e, const std::vector<Bound>& items);
  Result<Bound> like(const Expr& e, const std::vector<Bound>& items);
  Result<Bound> case_expr(const Expr& e, const std::vector<Bound>& parts);
  Result<Bound> cast(const Expr& e, const Bound& a);
  Status arity(const Expr& e, size_t lo, size_t hi);
  Result<Bound> function(const Expr& e, const std::vector<Bound>& args);
  // A function of kScalarFunctions (scalar_functions.cc).
  Result<Bound> scalar_function(const Expr& e, const std::vector<Bound>& args);
  Result<Bound> by_signature(const Expr& e, const std::vector<Bound>& args);
  Result<Bound> nullif(const Expr& e, const std::vector<Bound>& args);
  Result<Bound> extremum(const Expr& e, const std::vector<Bound>& args);
  Result<Bound> now(const Expr& e);
  Result<Bound> proctime(const Expr& e);
  Result<Bound> regexp(const Expr& e, const std::vector<Bound>& args);
  Result<Bound> aggregate(const Expr& e, Scope& scope);
  // TUMBLE_START(ts, size) and the other helpers: the window bound of the GROUP BY's window,
  // when the helper's arguments are that window's.
  Result<Bound> window_helper(const Expr& e, Scope& scope);
  // The scalar scope over the input of `scope` (an aggregate's argument, its FILTER).
  static Scope input_scope(const Scope& scope);

  ExprText text_;  // of the expression being bound
  std::optional<int64_t> statement_time_;
  // The aggregates of the query so far, by lower-cased text (and "DISTINCT"): written twice,
  // computed once.
  std::unordered_map<std::string, size_t> aggregate_index_;
  // find_column's index: lower-cased name → index, of the schema `indexed_`.
  const Schema* indexed_ = nullptr;
  std::unordered_map<std::string, int> index_;
};

}  // namespace sluice::sql
