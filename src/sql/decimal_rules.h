#pragma once
// The types of DECIMAL expressions, decided at bind time (the kernels only follow them). The
// rules are DuckDB's, which follow SQL Server's; docs/sql.md ("DECIMAL") states them:
//   INT is DECIMAL(10,0), BIGINT DECIMAL(19,0) when mixed with a DECIMAL; DOUBLE wins over all.
//   a + b, a - b: scale max(s1, s2), precision max(p1 - s1, p2 - s2) + scale + 1
//   a * b:        scale s1 + s2, precision p1 + p2
//   a / b:        scale max(6, s1, s2), precision 38 (rounded half away from zero)
//   a % b:        scale max(s1, s2), precision max(p1 - s1, p2 - s2) + scale
// Precisions are capped at 38; a value that does not fit its type is SLC-0006 at run time.
// Internal to the sql module.
//
// Thread: stateless.

#include "sluice/data_type.h"
#include "sluice/status.h"
#include "sql/bound_expr.h"

namespace sluice::sql {

// The DECIMAL an integer type stands for beside a DECIMAL; a DECIMAL is itself.
DataType as_decimal(DataType t);
// The type two numbers are compared or combined (COALESCE, CASE, IN) in: DOUBLE if either is,
// else a DECIMAL holding both if either is one, else the wider integer.
DataType common_numeric(DataType a, DataType b);
// The result of a + - * / % b where one operand is a DECIMAL and neither a DOUBLE (both given
// as_decimal); an error when the scale would pass 38 (a product of two fine scales).
Result<DataType> decimal_arithmetic_type(Fn fn, DataType a, DataType b);
// SUM(DECIMAL(p, s)) is DECIMAL(38, s); AVG(DECIMAL(p, s)) DECIMAL(38, max(6, s)), rounded half
// away from zero (an exact division of the exact sum).
DataType decimal_sum_type(DataType arg);
DataType decimal_avg_type(DataType arg);

}  // namespace sluice::sql
