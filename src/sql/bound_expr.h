#pragma once
// A bound expression: names resolved to column indexes, every node typed, implicit casts
// made explicit, and each call's function chosen once. Evaluation (expr_eval.h) walks it
// column-at-a-time: one kernel call per node per batch, never per row.

#include <memory>
#include <string>
#include <vector>

#include "sluice/column.h"
#include "sluice/data_type.h"
#include "sluice/value.h"

namespace sluice::sql {

enum class Fn {
  // arithmetic (operands already cast to a common type, except timestamp/interval mixes)
  kAdd,
  kSub,
  kMul,
  kDiv,
  kMod,
  kNeg,
  // comparisons (operands of one type)
  kEq,
  kNe,
  kLt,
  kLe,
  kGt,
  kGe,
  // logic, SQL three-valued
  kAnd,
  kOr,
  kNot,
  kIsNull,
  kIsNotNull,
  // strings
  kConcat,
  kLike,
  kLower,
  kUpper,
  kLength,
  kSubstr,
  kTrim,
  // math
  kAbs,
  kRound,
  kFloor,
  kCeil,
  // conditional
  kCoalesce,
  kCase,
  // time
  kDateTrunc,
  kExtract,
  // conversion
  kCast,
};

struct BoundExpr;
using BoundExprPtr = std::shared_ptr<const BoundExpr>;

struct BoundExpr {
  enum class Kind { kColumn, kLiteral, kCall };
  Kind kind = Kind::kLiteral;
  DataType type = DataType::kInt64;
  int column = -1;        // kColumn: index in the input schema
  Value literal;          // kLiteral
  Column literal_column;  // kLiteral: the value as a one-row column, built once
  Fn fn = Fn::kAdd;       // kCall
  // kCase: args = when0, then0, when1, then1, ..., [else]; has_else says if the last is ELSE.
  bool has_else = false;
  // kExtract / kDateTrunc: the unit, upper case (SECOND, MINUTE, ..., EPOCH, DOW).
  std::string unit;
  std::vector<BoundExprPtr> args;
  std::string sql;  // display text

  bool is_constant() const;
};

BoundExprPtr make_column(int index, DataType type, std::string name);
BoundExprPtr make_literal(Value v);
BoundExprPtr make_call(Fn fn, DataType type, std::vector<BoundExprPtr> args, std::string sql);

}  // namespace sluice::sql
