#include "sql/expr_eval.h"

#include "sluice/column_builder.h"
#include "sql/kernel_support.h"
#include "sql/kernels.h"

namespace sluice::sql {
namespace {

using kernel::read;

// Picks, per row, the first argument that is not NULL (COALESCE) or the THEN of the first
// WHEN that is TRUE (CASE).
Result<Column> choose(const BoundExpr& e, const std::vector<Datum>& args, int64_t n) {
  ColumnBuilder out(e.type);
  out.reserve(n);
  for (int64_t i = 0; i < n; ++i) {
    const Datum* pick = nullptr;
    if (e.fn == Fn::kCoalesce) {
      for (const Datum& d : args) {
        if (!d.is_null(i)) {
          pick = &d;
          break;
        }
      }
    } else {
      const size_t pairs = (args.size() - (e.has_else ? 1 : 0)) / 2;
      for (size_t p = 0; p < pairs; ++p) {
        const Datum& when = args[2 * p];
        if (!when.is_null(i) && read<bool>(when, i)) {
          pick = &args[2 * p + 1];
          break;
        }
      }
      if (pick == nullptr && e.has_else) pick = &args.back();
    }
    if (pick == nullptr) {
      out.append_null();
    } else {
      out.append_from(pick->column, pick->index(i));
    }
  }
  return out.finish();
}

// The one place a function meets its kernel.
Result<Column> call(const BoundExpr& e, const std::vector<Datum>& args, int64_t n) {
  switch (e.fn) {
    case Fn::kAdd:
    case Fn::kSub:
    case Fn::kMul:
    case Fn::kDiv:
    case Fn::kMod:
    case Fn::kNeg:
      return kernel::arithmetic(e, args, n);
    case Fn::kEq:
    case Fn::kNe:
    case Fn::kLt:
    case Fn::kLe:
    case Fn::kGt:
    case Fn::kGe:
    case Fn::kIsDistinct:
    case Fn::kIsNotDistinct:
    case Fn::kAnd:
    case Fn::kOr:
    case Fn::kNot:
    case Fn::kIsNull:
    case Fn::kIsNotNull:
    case Fn::kInSet:
      return kernel::logic(e, args, n);
    case Fn::kConcat:
    case Fn::kLike:
    case Fn::kLength:
    case Fn::kSubstr:
    case Fn::kTrim:
      return kernel::strings(e, args, n);
    case Fn::kLower:
    case Fn::kUpper:
      return kernel::letter_case(e, args, n);
    case Fn::kReplace:
    case Fn::kStrpos:
    case Fn::kStartsWith:
    case Fn::kSplitPart:
    case Fn::kLeft:
    case Fn::kRight:
    case Fn::kLpad:
    case Fn::kRpad:
      return kernel::text(e, args, n);
    case Fn::kRegexpLike:
    case Fn::kRegexpReplace:
    case Fn::kRegexpExtract:
      return kernel::regex(e, args, n);
    case Fn::kAbs:
    case Fn::kRound:
    case Fn::kFloor:
    case Fn::kCeil:
      return kernel::math(e, args, n);
    case Fn::kCoalesce:
    case Fn::kCase:
      return choose(e, args, n);
    case Fn::kGreatest:
    case Fn::kLeast:
      return kernel::extremum(e, args, n);
    case Fn::kDateTrunc:
    case Fn::kExtract:
    case Fn::kToTimestamp:
    case Fn::kEpochMs:
      return kernel::time(e, args, n);
    case Fn::kCast:
      return kernel::cast(e, args, n);
  }
  return Status(ErrorCode::kInternal, "unknown function in " + e.sql.str());
}

Column broadcast(const Datum& d, int64_t rows) {
  if (!d.scalar) return d.column;
  ColumnBuilder b(d.column.type());
  b.reserve(rows);
  for (int64_t i = 0; i < rows; ++i) b.append_from(d.column, 0);
  return b.finish();
}

// The recursion of evaluation goes evaluate_node → evaluate_call (or _let, _fold) →
// evaluate_node, small stack frames; a kernel runs in apply(), off that path.
//
// `used`: what kUse leaves stand for: the value of the innermost enclosing kLet, or the value
// so far of the kFold whose step this is.
Result<Datum> evaluate_node(const BoundExpr& e, const RecordBatch& batch, const Datum* used);

Result<Datum> apply(const BoundExpr& e, const std::vector<Datum>& args, int64_t rows) {
  bool all_scalar = true;
  for (const Datum& d : args) all_scalar &= d.scalar;
  // A call on constants only is computed once, for one row.
  const int64_t n = all_scalar ? 1 : rows;
  SLC_ASSIGN_OR_RETURN(Column c, call(e, args, n));
  return Datum{std::move(c), all_scalar};
}

Result<Datum> evaluate_call(const BoundExpr& e, const RecordBatch& batch, const Datum* used) {
  std::vector<Datum> args;
  args.reserve(e.args.size());
  for (const BoundExprPtr& a : e.args) {
    Result<Datum> d = evaluate_node(*a, batch, used);
    if (!d.ok()) return d.status();
    args.push_back(std::move(*d));
  }
  return apply(e, args, batch.num_rows());
}

Result<Datum> evaluate_let(const BoundExpr& e, const RecordBatch& batch, const Datum* used) {
  Result<Datum> value = evaluate_node(*e.args[0], batch, used);
  if (!value.ok()) return value.status();
  return evaluate_node(*e.args[1], batch, &*value);
}

// Left to right, one step at a time, in a loop: a long chain costs no recursion.
Result<Datum> evaluate_fold(const BoundExpr& e, const RecordBatch& batch, const Datum* used) {
  Result<Datum> so_far = evaluate_node(*e.args[0], batch, used);
  for (size_t k = 1; k < e.args.size() && so_far.ok(); ++k) {
    so_far = evaluate_node(*e.args[k], batch, &*so_far);
  }
  return so_far;
}

Result<Datum> evaluate_node(const BoundExpr& e, const RecordBatch& batch, const Datum* used) {
  switch (e.kind) {
    case BoundExpr::Kind::kColumn:
      return Datum{batch.column(e.column), false};
    case BoundExpr::Kind::kLiteral:
      return Datum{e.literal_column, true};
    case BoundExpr::Kind::kUse:
      if (used == nullptr) return Status(ErrorCode::kInternal, "a shared value used out of scope");
      return *used;
    case BoundExpr::Kind::kLet:
      return evaluate_let(e, batch, used);
    case BoundExpr::Kind::kFold:
      return evaluate_fold(e, batch, used);
    case BoundExpr::Kind::kCall:
      break;
  }
  return evaluate_call(e, batch, used);
}

}  // namespace

Result<Datum> evaluate(const BoundExpr& e, const RecordBatch& batch) {
  return evaluate_node(e, batch, nullptr);
}

Result<Column> evaluate_column(const BoundExpr& e, const RecordBatch& batch) {
  SLC_ASSIGN_OR_RETURN(Datum d, evaluate(e, batch));
  return broadcast(d, batch.num_rows());
}

Status select_true(const BoundExpr& predicate, const RecordBatch& batch,
                   std::vector<uint32_t>& selection) {
  selection.clear();
  SLC_ASSIGN_OR_RETURN(Datum d, evaluate(predicate, batch));
  const int64_t n = batch.num_rows();
  if (d.scalar) {
    if (!d.is_null(0) && d.column.bool_value(0)) {
      for (int64_t i = 0; i < n; ++i) selection.push_back(static_cast<uint32_t>(i));
    }
    return Status::Ok();
  }
  for (int64_t i = 0; i < n; ++i) {
    if (!d.column.is_null(i) && d.column.bool_value(i))
      selection.push_back(static_cast<uint32_t>(i));
  }
  return Status::Ok();
}

}  // namespace sluice::sql
