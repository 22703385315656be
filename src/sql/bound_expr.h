#pragma once
// A bound expression: names resolved to column indexes, every node typed, implicit casts
// made explicit, and each call's function chosen once. Evaluation (expr_eval.h) walks it
// column-at-a-time: one kernel call per node per batch, never per row.
//
// A bound tree is as deep as its SQL is nested (a small multiple of kMaxExpressionDepth, ast.h),
// never as deep as a chain is long: AND, OR and || take all the operands of a chain, and an
// arithmetic chain is one kFold. So code may walk it recursively.

#include <memory>
#include <string>
#include <vector>

#include "sluice/column.h"
#include "sluice/data_type.h"
#include "sluice/value.h"
#include "sql/sql_text.h"
#include "sql/value_set.h"

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
  // a IS [NOT] DISTINCT FROM b: = and <> with NULL a value like any other (never NULL)
  kIsDistinct,
  kIsNotDistinct,
  // logic, SQL three-valued; AND and OR take two or more operands
  kAnd,
  kOr,
  kNot,
  kIsNull,
  kIsNotNull,
  // args[0] IN the constants of `set`: TRUE when found; else NULL if args[0] or an item is NULL
  kInSet,
  // strings
  kConcat,
  kLike,
  kLower,
  kUpper,
  kLength,
  kSubstr,
  kTrim,
  // text (text_kernels.cc), positions and lengths in code points, as LENGTH and SUBSTR count
  kReplace,
  kStrpos,
  kStartsWith,
  kSplitPart,
  kLeft,
  kRight,
  kLpad,
  kRpad,
  // regular expressions (regex_kernels.cc), over the pattern compiled at bind time (`regex`)
  kRegexpLike,
  kRegexpReplace,
  kRegexpExtract,
  // math
  kAbs,
  kRound,
  kFloor,
  kCeil,
  // conditional
  kCoalesce,
  kCase,
  // the largest / smallest argument that is not NULL (NULL when all are)
  kGreatest,
  kLeast,
  // time
  kDateTrunc,
  kExtract,
  kToTimestamp,  // DOUBLE seconds since 1970 → TIMESTAMP
  kEpochMs,      // BIGINT milliseconds → TIMESTAMP, or TIMESTAMP → BIGINT milliseconds
  // conversion
  kCast,
};

struct BoundExpr;
struct CompiledRegex;  // sql/regex.h
using BoundExprPtr = std::shared_ptr<const BoundExpr>;

struct BoundExpr {
  // kFold: a chain of arithmetic (a + b - c * …, operators of one precedence level) applied left
  //   to right, each step with the types and overflow checks of the binary operation it stands
  //   for: args[0] is the first operand; each later arg is one step, a small tree over a kUse
  //   leaf (the value so far) and the next operand, e.g. kAdd(kCast(use), c).
  // kLet: args[0] evaluated once, then args[1] (the value) with it standing for each kUse leaf
  //   in it. An operand written once but tested several times (x BETWEEN lo AND hi, x IN (…),
  //   CASE x WHEN …) is computed once: nested ones cost linear time, not exponential.
  // kUse: the value of the innermost enclosing kLet's args[0], or of a kFold's chain so far.
  enum class Kind { kColumn, kLiteral, kCall, kFold, kLet, kUse };
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
  std::shared_ptr<const ValueSet> set;         // kInSet
  std::shared_ptr<const CompiledRegex> regex;  // kRegexp*: compiled once, when bound
  std::vector<BoundExprPtr> args;
  SqlText sql;  // display text
};

BoundExprPtr make_column(int index, DataType type, std::string name);
BoundExprPtr make_literal(Value v);
BoundExprPtr make_call(Fn fn, DataType type, std::vector<BoundExprPtr> args, SqlText sql);
// A fold whose steps (args after the first) end in a value of `type`.
BoundExprPtr make_fold(DataType type, std::vector<BoundExprPtr> args, SqlText sql);
// `body` with kUse leaves of `value`'s type standing for `value`, computed once.
BoundExprPtr make_let(BoundExprPtr value, BoundExprPtr body, SqlText sql);
BoundExprPtr make_use(DataType type, SqlText sql);

}  // namespace sluice::sql
