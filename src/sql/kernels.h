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
// = <> < <= > >=, IS [NOT] DISTINCT FROM, AND, OR, NOT, IS [NOT] NULL (logic_kernels.cc).
Column logic(const BoundExpr& e, const std::vector<Datum>& args, int64_t n);
// concat, LIKE, LENGTH, SUBSTR, TRIM (string_kernels.cc).
Result<Column> strings(const BoundExpr& e, const std::vector<Datum>& args, int64_t n);
// LOWER, UPPER over all of Unicode (case_kernels.cc).
Result<Column> letter_case(const BoundExpr& e, const std::vector<Datum>& args, int64_t n);
// replace, strpos, starts_with, split_part, left, right, lpad, rpad (text_kernels.cc).
Result<Column> text(const BoundExpr& e, const std::vector<Datum>& args, int64_t n);
// regexp_like, regexp_replace, regexp_extract over e.regex (regex_kernels.cc).
Result<Column> regex(const BoundExpr& e, const std::vector<Datum>& args, int64_t n);
// GREATEST, LEAST (extremum_kernels.cc).
Column extremum(const BoundExpr& e, const std::vector<Datum>& args, int64_t n);
// ABS, ROUND, FLOOR, CEIL (math_kernels.cc).
Result<Column> math(const BoundExpr& e, const std::vector<Datum>& args, int64_t n);
// DATE_TRUNC, EXTRACT, to_timestamp, epoch_ms (time_kernels.cc).
Result<Column> time(const BoundExpr& e, const std::vector<Datum>& args, int64_t n);
// CAST (cast_kernel.cc).
Result<Column> cast(const BoundExpr& e, const std::vector<Datum>& args, int64_t n);

}  // namespace sluice::sql::kernel
