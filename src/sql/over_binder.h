#pragma once
// bind_over_call and bind_over: an OVER frame (bound_over.h) from the select items that are
// aggregates OVER (… ROWS BETWEEN n PRECEDING AND CURRENT ROW). Internal to the sql module.
//
// Thread: whoever binds.

#include <string_view>
#include <vector>

#include "sluice/status.h"
#include "sql/ast.h"
#include "sql/bound_over.h"
#include "sql/bound_plan.h"
#include "sql/catalog.h"
#include "sql/expr_binder.h"

namespace sluice::sql {

// One select item's COUNT/SUM/AVG/MIN/MAX(…) OVER (…): its kind, argument (over `input_scope`)
// and result type (the GROUP BY aggregate's), standing at output column `column`.
Result<OverCall> bind_over_call(const Expr& call, int column, ExprBinder& binder,
                                Scope& input_scope);

// The window the calls share (every call's PARTITION BY and ORDER BY must be the same), bound
// once over `input_scope`, and how it runs: on the watermark when `input` is append-only and the
// first ORDER BY key is its event-time column ascending; as changes otherwise. `exprs[i]` is
// the call of `calls[i]`.
Result<BoundOver> bind_over(std::vector<OverCall> calls, const std::vector<const Expr*>& exprs,
                            ExprBinder& binder, Scope& input_scope, const Catalog& catalog,
                            std::string_view input, const std::vector<PlanStep>* steps);

}  // namespace sluice::sql
