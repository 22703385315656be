#pragma once
// ORDER BY of an ad-hoc SELECT, as PostgreSQL resolves it: an integer is a position in the
// select list; a bare name is an output column's name (before an input column's); an
// expression written as a select item is that item; any other expression is computed as a
// hidden column after the selected ones (not with DISTINCT, whose rows it could split).
// Internal to the sql module.

#include <vector>

#include "sluice/status.h"
#include "sql/ast.h"
#include "sql/bound_query.h"
#include "sql/expr_binder.h"

namespace sluice::sql {

// Sets q.order_by, appends the hidden columns' expressions to q.projection and returns their
// fields. `out_fields` are the selected columns (q.projection's so far); `scope` is where the
// select items were bound.
Result<std::vector<Field>> bind_order_by(const SelectStmt& select, ExprBinder& binder, Scope& scope,
                                         const std::vector<Field>& out_fields, BoundQuery& q);

}  // namespace sluice::sql
