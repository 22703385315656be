#pragma once
// ExprBinder: binds one expression of a query — names to columns of the input (or, in an
// aggregate query's SELECT and HAVING, to group keys and aggregates), types, implicit casts,
// functions and aggregates — for the Binder (binder.h), which binds whole statements. Internal
// to the sql module.
//
// Thread: a value used by one thread at a time.

#include <set>
#include <string>
#include <vector>

#include "sluice/status.h"
#include "sql/ast.h"
#include "sql/bound_expr.h"
#include "sql/bound_query.h"

namespace sluice::sql {

// An error at `pos` ("line:column").
Status error_at(ErrorCode code, SourcePos pos, std::string msg);
// A type's name, for messages.
std::string tname(DataType t);

// The aggregate functions (COUNT, SUM, ...) and the window functions of a GROUP BY (TUMBLE, HOP,
// SESSION), by upper-case name.
extern const std::set<std::string> kAggregates;
extern const std::set<std::string> kWindows;

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
};

class ExprBinder {
 public:
  Result<Bound> bind(const Expr& e, Scope& scope);

  // Makes `b` a value of type `target`: NULL literals take the type, numbers widen, string
  // literals become timestamps; anything else is an error naming `context`.
  Result<BoundExprPtr> coerce(const Bound& b, DataType target, SourcePos pos,
                              std::string_view context);

  // The type several operands can all be coerced to.
  Result<DataType> common_type(const std::vector<Bound>& items, SourcePos pos,
                               std::string_view context);

  static BoundExprPtr cast_node(BoundExprPtr e, DataType to);

 private:
  Result<Bound> literal(const Expr& e);
  Result<Bound> column(const Expr& e, Scope& scope);
  Result<Bound> unary(const Expr& e, Scope& scope);
  Result<Bound> binary(const Expr& e, Scope& scope);
  static BoundExprPtr cast_to(BoundExprPtr e, DataType t);
  static BoundExprPtr concat_call(std::vector<BoundExprPtr> args, bool strict, std::string sql);
  Result<Bound> in_list(const Expr& e, Scope& scope);
  Result<Bound> between(const Expr& e, Scope& scope);
  Result<Bound> case_expr(const Expr& e, Scope& scope);
  Result<Bound> cast(const Expr& e, Scope& scope);
  Status arity(const Expr& e, size_t lo, size_t hi);
  Result<Bound> function(const Expr& e, Scope& scope);
  Result<Bound> aggregate(const Expr& e, Scope& scope);
};

}  // namespace sluice::sql
