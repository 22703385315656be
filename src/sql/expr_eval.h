#pragma once
// Vectorized evaluation of bound expressions over a RecordBatch. Each node is evaluated once
// per batch into a whole column (or a one-row scalar broadcast to every row); kernels are
// typed loops picked by the node's function and operand types.
//
// Semantics worth knowing: NULL in, NULL out (except AND/OR/IS NULL/COALESCE/concat());
// division or modulo by zero yields NULL; integer overflow is an error (SLC-0006);
// a CAST that cannot convert a value is an error (SLC-2003).
//
// Thread: stateless; evaluate from any thread.

#include <cstdint>
#include <vector>

#include "sluice/record_batch.h"
#include "sluice/status.h"
#include "sql/bound_expr.h"

namespace sluice::sql {

// A column of the batch's length, or one value standing for every row.
struct Datum {
  Column column;
  bool scalar = false;

  bool is_null(int64_t row) const { return column.is_null(scalar ? 0 : row); }
  int64_t index(int64_t row) const { return scalar ? 0 : row; }
};

Result<Datum> evaluate(const BoundExpr& expr, const RecordBatch& batch);
// As evaluate(), with scalars expanded to the batch's length.
Result<Column> evaluate_column(const BoundExpr& expr, const RecordBatch& batch);
// Fills `selection` (cleared first, capacity kept) with the rows where the BOOLEAN
// expression is TRUE; NULL and FALSE rows are left out.
Status select_true(const BoundExpr& predicate, const RecordBatch& batch,
                   std::vector<uint32_t>& selection);

// Converts one value to another type (CAST), with the same rules as the kernels.
Result<Value> cast_value(const Value& v, DataType to);

}  // namespace sluice::sql
