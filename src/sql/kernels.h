#pragma once
// The expression kernels, one family per file; expr_eval.cc's call() picks one by the node's
// function. Each takes the evaluated arguments (columns, or one-row scalars) and the number
// of rows, and returns the result column. Internal to the sql module.
//
// Thread: stateless.

#include <cstdint>
#include <vector>

#include "sluice/column.h"
#include "sluice/status.h"
#include "sql/bound_expr.h"
#include "sql/expr_eval.h"

namespace sluice::sql::kernel {

// + - * / % and unary minus (arithmetic_kernels.cc).
Result<Column> arithmetic(const BoundExpr& e, const std::vector<Datum>& args, int64_t n);
// = <> < <= > >=, AND, OR, NOT, IS [NOT] NULL (logic_kernels.cc).
Column logic(const BoundExpr& e, const std::vector<Datum>& args, int64_t n);
// concat, LIKE, LOWER, UPPER, LENGTH, SUBSTR, TRIM (string_kernels.cc).
Result<Column> strings(const BoundExpr& e, const std::vector<Datum>& args, int64_t n);
// ABS, ROUND, FLOOR, CEIL (math_kernels.cc).
Result<Column> math(const BoundExpr& e, const std::vector<Datum>& args, int64_t n);
// DATE_TRUNC, EXTRACT (time_kernels.cc).
Result<Column> time(const BoundExpr& e, const std::vector<Datum>& args, int64_t n);
// CAST (cast_kernel.cc).
Result<Column> cast(const BoundExpr& e, const std::vector<Datum>& args, int64_t n);

}  // namespace sluice::sql::kernel
