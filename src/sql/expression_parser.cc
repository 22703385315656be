// Parser's expressions: precedence climbing over the operators, down to primaries (literals,
// columns, function calls, CASE, CAST, EXTRACT, INTERVAL, parentheses). A run of operators of one
// precedence level becomes one chain node; nesting is counted as it is parsed and refused past
// kMaxExpressionDepth (ast.h).

#include <algorithm>
#include <charconv>
#include <cmath>

#include "columnar/decimal.h"
#include "sql/parser.h"
#include "sql/parser_core.h"

namespace sluice::sql::parsing {

Status Parser::too_deep(SourcePos at) {
  return Status(ErrorCode::kSqlTooDeep,
                "expression nested too deeply (more than " + std::to_string(kMaxExpressionDepth) +
                    " levels); simplify it or split it",
                at.to_string());
}

Status Parser::deeper(SourcePos at) {
  // What the construct nests sits at level depth_ + 2 (the outermost expression is level 1).
  if (depth_ + 2 > kMaxExpressionDepth) return too_deep(at);
  ++depth_;
  return Status::Ok();
}

Result<ExprPtr> Parser::measured(ExprPtr e) {
  int below = 0;
  for (const ExprPtr& a : e->args) below = std::max(below, a->levels);
  e->levels = below + 1;
  if (e->levels > kMaxExpressionDepth) return too_deep(e->pos);
  return e;
}

Status Parser::enclose(Expr& e, SourcePos at) {
  if (e.levels + 1 > kMaxExpressionDepth) return too_deep(at);
  ++e.levels;
  return Status::Ok();
}

// Precedence climbing: operators(min) parses an operand, then every operator binding at `min`
// or tighter. Against a function per precedence level this keeps a parenthesis, a function
// call or a CASE to a handful of small stack frames, which is what bounds how deep an
// expression may nest. Each function on that path stays small; the rarer forms have their own.
int Parser::operator_level() const {
  const Token& t = peek();
  if (t.kind == TokenKind::kSymbol) {
    const std::string& s = t.text;
    if (s == "*" || s == "/" || s == "%") return kMultiplicative;
    if (s == "+" || s == "-") return kAdditive;
    if (s == "||") return kConcat;
    if (s == "=" || s == "<>" || s == "!=" || s == "<" || s == "<=" || s == ">" || s == ">=") {
      return kComparison;
    }
    return 0;
  }
  if (t.kind != TokenKind::kWord) return 0;
  if (iequals(t.text, "OR")) return kOr;
  if (iequals(t.text, "AND")) return kAnd;
  if (iequals(t.text, "IS") || iequals(t.text, "IN") || iequals(t.text, "BETWEEN") ||
      iequals(t.text, "LIKE") || iequals(t.text, "ILIKE")) {
    return kComparison;
  }
  if (iequals(t.text, "NOT") &&
      (is_word("IN", 1) || is_word("BETWEEN", 1) || is_word("LIKE", 1) || is_word("ILIKE", 1))) {
    return kComparison;
  }
  return 0;
}

Result<ExprPtr> Parser::operators(int min) {
  SLC_ASSIGN_OR_RETURN(ExprPtr left, operand(min));
  for (int level = operator_level(); level >= min; level = operator_level()) {
    SLC_ASSIGN_OR_RETURN(
        left, level == kComparison ? comparison(std::move(left)) : chain(level, std::move(left)));
  }
  return left;
}

// NOT takes a comparison (NOT a = b is NOT (a = b)); it is no operand of tighter operators.
Result<ExprPtr> Parser::operand(int min) {
  if (min > kNot || !is_word("NOT")) return unary();
  const SourcePos p = next().pos;
  SLC_RETURN_IF_ERROR(deeper(p));
  const Level level{depth_};
  SLC_ASSIGN_OR_RETURN(ExprPtr inner, operators(kNot));
  auto e = std::make_unique<Expr>(ExprKind::kUnary, p);
  e->name = "NOT";
  e->args.push_back(std::move(inner));
  return measured(std::move(e));
}

// All the operators of one level in a row become one chain node, in a loop: a long chain costs
// neither recursion nor nesting.
Result<ExprPtr> Parser::chain(int level, ExprPtr first) {
  auto chain = std::make_unique<Expr>(ExprKind::kBinary, peek().pos);
  chain->args.push_back(std::move(first));
  while (operator_level() == level) {
    const Token& op = next();
    chain->ops.push_back(Operator{op.kind == TokenKind::kWord ? upper(op.text) : op.text, op.pos});
    SLC_ASSIGN_OR_RETURN(ExprPtr operand, operators(level + 1));
    chain->args.push_back(std::move(operand));
  }
  return measured(std::move(chain));
}

// Comparisons and the postfix forms do not chain: each wraps what is to its left, one level
// deeper (measured() refuses a run of them past the limit).
Result<ExprPtr> Parser::comparison(ExprPtr left) {
  const SourcePos p = peek().pos;
  if (peek().kind == TokenKind::kSymbol) return compare(std::move(left));
  if (accept_word("IS")) {
    const bool not_ = accept_word("NOT");
    if (is_word("DISTINCT")) return distinct_from(std::move(left), not_);
    auto e = std::make_unique<Expr>(ExprKind::kIsNull, p);
    e->negated = not_;
    SLC_RETURN_IF_ERROR(expect_word("NULL"));
    e->args.push_back(std::move(left));
    return measured(std::move(e));
  }
  const bool negated = accept_word("NOT");
  if (accept_word("IN")) return in_list(std::move(left), p, negated);
  const bool between = accept_word("BETWEEN");
  const bool ilike = !between && accept_word("ILIKE");
  if (!between && !ilike) SLC_RETURN_IF_ERROR(expect_word("LIKE"));
  auto e = std::make_unique<Expr>(between ? ExprKind::kBetween : ExprKind::kLike, p);
  e->negated = negated;
  if (ilike) e->name = "ILIKE";
  e->args.push_back(std::move(left));
  SLC_ASSIGN_OR_RETURN(ExprPtr low, operators(kConcat));
  e->args.push_back(std::move(low));
  if (between) {
    SLC_RETURN_IF_ERROR(expect_word("AND"));
    SLC_ASSIGN_OR_RETURN(ExprPtr high, operators(kConcat));
    e->args.push_back(std::move(high));
  }
  return measured(std::move(e));
}

Result<ExprPtr> Parser::compare(ExprPtr left) {
  const Token& op = next();
  SLC_ASSIGN_OR_RETURN(ExprPtr right, operators(kConcat));
  auto e = std::make_unique<Expr>(ExprKind::kBinary, op.pos);
  e->ops.push_back(Operator{op.text == "!=" ? "<>" : op.text, op.pos});
  e->args.push_back(std::move(left));
  e->args.push_back(std::move(right));
  return measured(std::move(e));
}

// a IS [NOT] DISTINCT FROM b: a comparison whose operator is the phrase, so it binds, prints and
// nests as = does.
Result<ExprPtr> Parser::distinct_from(ExprPtr left, bool negated) {
  const SourcePos p = next().pos;
  SLC_RETURN_IF_ERROR(expect_word("FROM"));
  SLC_ASSIGN_OR_RETURN(ExprPtr right, operators(kConcat));
  auto e = std::make_unique<Expr>(ExprKind::kBinary, p);
  e->ops.push_back(Operator{negated ? "IS NOT DISTINCT FROM" : "IS DISTINCT FROM", p});
  e->args.push_back(std::move(left));
  e->args.push_back(std::move(right));
  return measured(std::move(e));
}

Result<ExprPtr> Parser::in_list(ExprPtr left, SourcePos p, bool negated) {
  auto e = std::make_unique<Expr>(ExprKind::kInList, p);
  e->negated = negated;
  e->args.push_back(std::move(left));
  SLC_RETURN_IF_ERROR(expect_symbol("("));
  SLC_RETURN_IF_ERROR(deeper(p));
  const Level level{depth_};
  do {
    SLC_ASSIGN_OR_RETURN(ExprPtr item, expr());
    e->args.push_back(std::move(item));
  } while (accept_symbol(","));
  SLC_RETURN_IF_ERROR(expect_symbol(")"));
  return measured(std::move(e));
}

Result<ExprPtr> Parser::unary() {
  if (!is_symbol("-") && !is_symbol("+")) return primary();
  const Token& op = next();
  // A minus sign directly before a number is part of it, so that INT64_MIN parses.
  if (op.text == "-" &&
      (peek().kind == TokenKind::kInteger || peek().kind == TokenKind::kDecimal)) {
    return negative_number(op.pos);
  }
  SLC_RETURN_IF_ERROR(deeper(op.pos));
  const Level level{depth_};
  SLC_ASSIGN_OR_RETURN(ExprPtr inner, unary());
  if (op.text == "+") {
    SLC_RETURN_IF_ERROR(enclose(*inner, op.pos));
    return inner;
  }
  auto e = std::make_unique<Expr>(ExprKind::kUnary, op.pos);
  e->name = "-";
  e->args.push_back(std::move(inner));
  return measured(std::move(e));
}

Result<ExprPtr> Parser::negative_number(SourcePos minus) {
  const Token& number = next();
  auto e = std::make_unique<Expr>(ExprKind::kLiteral, minus);
  e->literal_kind =
      number.kind == TokenKind::kInteger ? LiteralKind::kInteger : LiteralKind::kDecimal;
  e->value_text = "-" + number.text;
  return e;
}

Result<ExprPtr> Parser::literal(LiteralKind kind, const Token& t) {
  auto e = std::make_unique<Expr>(ExprKind::kLiteral, t.pos);
  e->literal_kind = kind;
  e->value_text = t.text;
  return e;
}

Result<ExprPtr> Parser::primary() {
  const Token& t = peek();
  switch (t.kind) {
    case TokenKind::kInteger:
      next();
      return literal(LiteralKind::kInteger, t);
    case TokenKind::kDecimal:
      next();
      return literal(LiteralKind::kDecimal, t);
    case TokenKind::kString:
      next();
      return literal(LiteralKind::kString, t);
    case TokenKind::kQuotedIdent:
      return column_ref();
    case TokenKind::kSymbol:
      if (t.text == "(") return parenthesized();
      return error("expected an expression");
    case TokenKind::kEnd:
      return error("expected an expression");
    case TokenKind::kWord:
      break;
  }
  if (is_word("NULL")) return literal(LiteralKind::kNull, next());
  if (is_word("TRUE") || is_word("FALSE")) return boolean();
  if (is_word("INTERVAL")) return interval();
  if (is_word("TIMESTAMP") && peek(1).kind == TokenKind::kString) {
    next();
    return literal(LiteralKind::kTimestamp, next());
  }
  if ((is_word("DATE") || is_word("DECIMAL") || is_word("NUMERIC")) &&
      peek(1).kind == TokenKind::kString) {
    return typed_literal();
  }
  if (is_word("CASE")) return case_expr();
  if (is_word("CAST")) return cast();
  if (is_word("EXTRACT") && peek(1).kind == TokenKind::kSymbol && peek(1).text == "(") {
    return extract();
  }
  if (reserved().count(upper(t.text))) return error("expected an expression");
  const bool call = peek(1).kind == TokenKind::kSymbol && peek(1).text == "(";
  if (is_word("CURRENT_TIMESTAMP") && !call) {
    // The SQL standard's form, without parentheses: the same function as NOW().
    auto e = std::make_unique<Expr>(ExprKind::kFunction, next().pos);
    e->name = "CURRENT_TIMESTAMP";
    return e;
  }
  if (is_word("POSITION") && call) return position();
  if (call) return function_call();
  return column_ref();
}

Result<ExprPtr> Parser::parenthesized() {
  const SourcePos open = next().pos;
  SLC_RETURN_IF_ERROR(deeper(open));
  const Level level{depth_};
  SLC_ASSIGN_OR_RETURN(ExprPtr inner, expr());
  SLC_RETURN_IF_ERROR(expect_symbol(")"));
  SLC_RETURN_IF_ERROR(enclose(*inner, open));
  return inner;
}

Result<ExprPtr> Parser::boolean() {
  const Token& b = next();
  auto e = std::make_unique<Expr>(ExprKind::kLiteral, b.pos);
  e->literal_kind = LiteralKind::kBool;
  e->value_text = upper(b.text);
  return e;
}

Result<ExprPtr> Parser::cast() {
  const SourcePos p = next().pos;
  SLC_RETURN_IF_ERROR(expect_symbol("("));
  SLC_RETURN_IF_ERROR(deeper(p));
  const Level level{depth_};
  auto e = std::make_unique<Expr>(ExprKind::kCast, p);
  SLC_ASSIGN_OR_RETURN(ExprPtr inner, expr());
  e->args.push_back(std::move(inner));
  SLC_RETURN_IF_ERROR(expect_word("AS"));
  SLC_ASSIGN_OR_RETURN(e->cast_type, type_name_here());
  SLC_RETURN_IF_ERROR(expect_symbol(")"));
  return measured(std::move(e));
}

// DATE '2024-01-31' and DECIMAL '12.34' are casts of the string; a DECIMAL literal's type is the
// smallest that holds its digits exactly (DECIMAL(4,2) here), as in DuckDB.
Result<ExprPtr> Parser::typed_literal() {
  const Token& word = next();
  auto e = std::make_unique<Expr>(ExprKind::kCast, word.pos);
  const Token& text = next();
  if (iequals(word.text, "DATE")) {
    e->cast_type = DataType::kDate;
  } else {
    e->cast_type = decimal::type_of_text(text.text).value_or(
        DataType::Decimal(DataType::kDefaultDecimalPrecision, DataType::kDefaultDecimalScale));
  }
  SLC_ASSIGN_OR_RETURN(ExprPtr inner, literal(LiteralKind::kString, text));
  e->args.push_back(std::move(inner));
  return measured(std::move(e));
}

Result<ExprPtr> Parser::extract() {
  const SourcePos p = next().pos;
  next();
  auto e = std::make_unique<Expr>(ExprKind::kExtract, p);
  if (peek().kind != TokenKind::kWord) return error("expected a field to extract");
  e->name = upper(next().text);
  SLC_RETURN_IF_ERROR(expect_word("FROM"));
  SLC_RETURN_IF_ERROR(deeper(p));
  const Level level{depth_};
  SLC_ASSIGN_OR_RETURN(ExprPtr inner, expr());
  e->args.push_back(std::move(inner));
  SLC_RETURN_IF_ERROR(expect_symbol(")"));
  return measured(std::move(e));
}

Result<ExprPtr> Parser::column_ref() {
  const SourcePos p = peek().pos;
  auto e = std::make_unique<Expr>(ExprKind::kColumn, p);
  SLC_ASSIGN_OR_RETURN(e->name, identifier("a column name"));
  if (is_symbol(".")) {
    next();
    e->qualifier = std::move(e->name);
    SLC_ASSIGN_OR_RETURN(e->name, identifier("a column name after '.'"));
  }
  return e;
}

Result<ExprPtr> Parser::function_call() {
  const Token& name = next();
  auto e = std::make_unique<Expr>(ExprKind::kFunction, name.pos);
  e->name = upper(name.text);
  SLC_RETURN_IF_ERROR(expect_symbol("("));
  if (accept_symbol(")")) {
    if (is_word("OVER")) SLC_RETURN_IF_ERROR(over_clause(*e));
    return e;
  }
  SLC_RETURN_IF_ERROR(deeper(name.pos));
  const Level level{depth_};
  if (accept_word("DISTINCT")) e->distinct = true;
  do {
    if (is_symbol("*")) {
      e->args.push_back(std::make_unique<Expr>(ExprKind::kStar, next().pos));
    } else {
      SLC_ASSIGN_OR_RETURN(ExprPtr arg, expr());
      e->args.push_back(std::move(arg));
    }
  } while (accept_symbol(","));
  SLC_RETURN_IF_ERROR(expect_symbol(")"));
  // An aggregate's FILTER (WHERE cond): FILTER is no reserved word, so only when '(' follows.
  if (is_word("FILTER") && peek(1).kind == TokenKind::kSymbol && peek(1).text == "(") {
    next();
    next();
    SLC_RETURN_IF_ERROR(expect_word("WHERE"));
    SLC_ASSIGN_OR_RETURN(e->filter, expr());
    SLC_RETURN_IF_ERROR(expect_symbol(")"));
  }
  SLC_ASSIGN_OR_RETURN(e, measured(std::move(e)));
  if (e->filter) {
    e->levels = std::max(e->levels, e->filter->levels + 1);
    if (e->levels > kMaxExpressionDepth) return too_deep(e->pos);
  }
  if (is_word("OVER")) SLC_RETURN_IF_ERROR(over_clause(*e));
  return e;
}

// Two uses of a window function: ROW_NUMBER() numbers each partition's rows by the ORDER BY,
// and QUALIFY (or, over a subquery, WHERE) keeps the first N (top-N); an aggregate over a frame
// of the rows before each row (an OVER frame: sql/bound_over.h). What needs the whole partition
// or rows after the current one (RANK's ties, RANGE frames, FOLLOWING, LAG/LEAD) is refused here,
// where it is written.
Status Parser::over_clause(Expr& call) {
  const std::string supported =
      "; the window functions supported are ROW_NUMBER() OVER (PARTITION BY … ORDER BY …), "
      "filtered to its first N rows (top-N: QUALIFY rn <= N), and COUNT, SUM, AVG, MIN, MAX "
      "OVER (PARTITION BY … ORDER BY … ROWS BETWEEN n PRECEDING AND CURRENT ROW)";
  const SourcePos over_pos = peek().pos;
  const bool aggregate = call.name == "COUNT" || call.name == "SUM" || call.name == "AVG" ||
                         call.name == "MIN" || call.name == "MAX";
  if (call.name != "ROW_NUMBER" && !aggregate) {
    return Status(ErrorCode::kUnsupported,
                  call.name + (call.args.empty() ? "()" : "(...)") +
                      " OVER (...) is not supported" + supported,
                  call.pos.to_string());
  }
  if (!aggregate && (!call.args.empty() || call.distinct)) {
    return Status(ErrorCode::kSqlSyntax, "ROW_NUMBER() takes no arguments",
                  call.args.empty() ? call.pos.to_string() : call.args[0]->pos.to_string());
  }
  if (aggregate && call.distinct) {
    return Status(ErrorCode::kUnsupported,
                  call.name + "(DISTINCT ...) OVER (...) is not supported" + supported,
                  call.pos.to_string());
  }
  if (call.filter) {
    return Status(ErrorCode::kUnsupported, call.name + "() OVER (...) takes no FILTER" + supported,
                  call.filter->pos.to_string());
  }
  next();
  if (peek().kind == TokenKind::kWord || peek().kind == TokenKind::kQuotedIdent) {
    return Status(ErrorCode::kUnsupported,
                  "named windows (OVER " + peek().text + ") are not supported" + supported,
                  peek().pos.to_string());
  }
  SLC_RETURN_IF_ERROR(expect_symbol("("));
  SLC_RETURN_IF_ERROR(deeper(over_pos));
  const Level level{depth_};
  auto over = std::make_unique<OverClause>();
  over->pos = over_pos;
  int levels = 0;
  if (accept_word("PARTITION")) {
    SLC_RETURN_IF_ERROR(expect_word("BY"));
    do {
      SLC_ASSIGN_OR_RETURN(ExprPtr key, expr());
      levels = std::max(levels, key->levels);
      over->partition_by.push_back(std::move(key));
    } while (accept_symbol(","));
  }
  if (accept_word("ORDER")) {
    SLC_RETURN_IF_ERROR(expect_word("BY"));
    do {
      SLC_ASSIGN_OR_RETURN(OrderItem item, order_item());
      levels = std::max(levels, item.expr->levels);
      over->order_by.push_back(std::move(item));
    } while (accept_symbol(","));
  }
  if (is_word("RANGE") || is_word("GROUPS")) {
    return Status(ErrorCode::kUnsupported,
                  upper(peek().text) + " frames are not supported" + supported,
                  peek().pos.to_string());
  }
  if (is_word("ROWS")) {
    if (!aggregate) {
      return Status(ErrorCode::kUnsupported, "ROW_NUMBER() takes no frame" + supported,
                    peek().pos.to_string());
    }
    SLC_RETURN_IF_ERROR(rows_frame(*over));
  } else if (aggregate && is_symbol(")")) {
    return Status(ErrorCode::kUnsupported,
                  call.name +
                      "(...) OVER (...) needs a frame, ROWS BETWEEN n PRECEDING AND "
                      "CURRENT ROW (the default frame, RANGE BETWEEN UNBOUNDED PRECEDING "
                      "AND CURRENT ROW, is not supported)" +
                      supported,
                  peek().pos.to_string());
  }
  SLC_RETURN_IF_ERROR(expect_symbol(")"));
  // The window's expressions nest one level inside the call (what they nest was counted).
  call.levels = std::max(call.levels, levels + 1);
  if (call.levels > kMaxExpressionDepth) return too_deep(call.pos);
  call.over = std::move(over);
  return Status::Ok();
}

// ROWS BETWEEN n PRECEDING AND CURRENT ROW, or its short form ROWS n PRECEDING (ROWS CURRENT
// ROW: n = 0). A frame reaching past the current row (FOLLOWING) needs rows not yet seen, and
// UNBOUNDED PRECEDING would make one change rewrite every later row of its partition.
Status Parser::rows_frame(OverClause& over) {
  const std::string supported = "; the frame supported is ROWS BETWEEN n PRECEDING AND CURRENT ROW";
  over.frame_pos = next().pos;
  const bool between = accept_word("BETWEEN");
  if (is_word("UNBOUNDED")) {
    return Status(ErrorCode::kUnsupported,
                  "UNBOUNDED PRECEDING frames are not supported: each change of a partition "
                  "would rewrite the output of every row after it" +
                      supported,
                  peek().pos.to_string());
  }
  if (accept_word("CURRENT")) {
    SLC_RETURN_IF_ERROR(expect_word("ROW"));
    over.rows_preceding = 0;
  } else {
    if (peek().kind != TokenKind::kInteger) {
      return error("expected n PRECEDING, UNBOUNDED PRECEDING or CURRENT ROW in the frame");
    }
    const Token& n = next();
    int64_t value = 0;
    const auto [end, ec] = std::from_chars(n.text.data(), n.text.data() + n.text.size(), value);
    if (ec != std::errc() || end != n.text.data() + n.text.size() || value > kMaxRowsPreceding) {
      return Status(ErrorCode::kSqlInvalidQuery,
                    "a frame reaches at most " + std::to_string(kMaxRowsPreceding) +
                        " rows back (each change recomputes the frames of the rows after it); " +
                        n.text + " asked",
                    n.pos.to_string());
    }
    if (is_word("FOLLOWING")) {
      return Status(
          ErrorCode::kUnsupported,
          "frames starting after the current row (FOLLOWING) are not supported" + supported,
          peek().pos.to_string());
    }
    SLC_RETURN_IF_ERROR(expect_word("PRECEDING"));
    over.rows_preceding = value;
  }
  if (!between) return Status::Ok();
  SLC_RETURN_IF_ERROR(expect_word("AND"));
  if (is_word("CURRENT")) {
    next();
    return expect_word("ROW");
  }
  if (peek().kind == TokenKind::kInteger || is_word("UNBOUNDED")) {
    const SourcePos at = peek().pos;
    next();
    if (is_word("FOLLOWING")) {
      return Status(ErrorCode::kUnsupported,
                    "frames ending after the current row (FOLLOWING) are not supported: they "
                    "need rows not yet seen" +
                        supported,
                    at.to_string());
    }
    return Status(ErrorCode::kUnsupported,
                  "frames ending before the current row are not supported" + supported,
                  at.to_string());
  }
  return error("expected CURRENT ROW to end the frame");
}

// POSITION(needle IN haystack), the SQL standard's form of strpos(haystack, needle): a call
// of POSITION with the operands in the order written. The needle is parsed above IN, so that IN
// is read as this form's keyword, not as an IN list.
Result<ExprPtr> Parser::position() {
  const Token& name = next();
  auto e = std::make_unique<Expr>(ExprKind::kFunction, name.pos);
  e->name = "POSITION";
  SLC_RETURN_IF_ERROR(expect_symbol("("));
  SLC_RETURN_IF_ERROR(deeper(name.pos));
  const Level level{depth_};
  SLC_ASSIGN_OR_RETURN(ExprPtr needle, operators(kConcat));
  e->args.push_back(std::move(needle));
  SLC_RETURN_IF_ERROR(expect_word("IN"));
  SLC_ASSIGN_OR_RETURN(ExprPtr haystack, expr());
  e->args.push_back(std::move(haystack));
  SLC_RETURN_IF_ERROR(expect_symbol(")"));
  return measured(std::move(e));
}

Result<ExprPtr> Parser::interval() {
  const SourcePos p = next().pos;
  if (peek().kind != TokenKind::kString && peek().kind != TokenKind::kInteger &&
      peek().kind != TokenKind::kDecimal) {
    return error("expected a quantity after INTERVAL, as in INTERVAL '5' SECOND");
  }
  const Token& amount = next();
  auto e = std::make_unique<Expr>(ExprKind::kLiteral, p);
  e->literal_kind = LiteralKind::kInterval;
  e->value_text = amount.text;
  Result<int64_t> micros = 0;
  const bool lone_number = amount.kind != TokenKind::kString ||
                           amount.text.find_first_not_of("0123456789.+- ") == std::string::npos;
  // A word after a lone number is its unit unless it ends the expression: INTERVAL '5' MINUTS
  // is a misspelt unit, not 5 seconds named MINUTS.
  if (peek().kind == TokenKind::kWord &&
      (is_interval_unit(peek().text) || (lone_number && !reserved().count(upper(peek().text))))) {
    // INTERVAL '5' MINUTE, INTERVAL 5 MINUTE: one quantity, its unit after it.
    e->name = upper(next().text);
    micros = parse_interval_text(amount.text, e->name);
  } else if (amount.kind == TokenKind::kString) {
    // INTERVAL '1 hour 30 minutes': the units inside the string, as PostgreSQL reads them.
    micros = parse_interval_string(amount.text);
  } else {
    return error("expected a unit (SECOND, MINUTE, HOUR, DAY, ...) after the interval");
  }
  if (!micros.ok()) {
    return Status(micros.status().code(), std::string(micros.status().message()),
                  amount.pos.to_string());
  }
  e->interval_micros = *micros;
  return e;
}

Result<ExprPtr> Parser::case_expr() {
  const SourcePos p = next().pos;
  SLC_RETURN_IF_ERROR(deeper(p));
  const Level level{depth_};
  auto e = std::make_unique<Expr>(ExprKind::kCase, p);
  if (!is_word("WHEN")) {
    SLC_ASSIGN_OR_RETURN(ExprPtr operand, expr());
    e->args.push_back(std::move(operand));
    e->has_case_operand = true;
  }
  if (!is_word("WHEN")) return error("expected WHEN");
  while (accept_word("WHEN")) {
    SLC_ASSIGN_OR_RETURN(ExprPtr when, expr());
    SLC_RETURN_IF_ERROR(expect_word("THEN"));
    SLC_ASSIGN_OR_RETURN(ExprPtr then, expr());
    e->args.push_back(std::move(when));
    e->args.push_back(std::move(then));
  }
  if (accept_word("ELSE")) {
    SLC_ASSIGN_OR_RETURN(ExprPtr otherwise, expr());
    e->args.push_back(std::move(otherwise));
    e->has_else = true;
  }
  SLC_RETURN_IF_ERROR(expect_word("END"));
  return measured(std::move(e));
}

}  // namespace sluice::sql::parsing
