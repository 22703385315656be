// Parser's expressions: precedence climbing from OR down to primaries (literals, columns,
// function calls, CASE, CAST, INTERVAL, parentheses).

#include <algorithm>
#include <charconv>
#include <cmath>

#include "sql/parser.h"
#include "sql/parser_core.h"

namespace sluice::sql::parsing {

ExprPtr Parser::binary(std::string op, SourcePos pos, ExprPtr l, ExprPtr r) {
  auto e = std::make_unique<Expr>(ExprKind::kBinary, pos);
  e->name = std::move(op);
  e->args.push_back(std::move(l));
  e->args.push_back(std::move(r));
  return e;
}

Result<ExprPtr> Parser::or_expr() {
  SLC_ASSIGN_OR_RETURN(ExprPtr left, and_expr());
  while (is_word("OR")) {
    const SourcePos p = next().pos;
    SLC_ASSIGN_OR_RETURN(ExprPtr right, and_expr());
    left = binary("OR", p, std::move(left), std::move(right));
  }
  return left;
}

Result<ExprPtr> Parser::and_expr() {
  SLC_ASSIGN_OR_RETURN(ExprPtr left, not_expr());
  while (is_word("AND")) {
    const SourcePos p = next().pos;
    SLC_ASSIGN_OR_RETURN(ExprPtr right, not_expr());
    left = binary("AND", p, std::move(left), std::move(right));
  }
  return left;
}

Result<ExprPtr> Parser::not_expr() {
  if (is_word("NOT")) {
    const SourcePos p = next().pos;
    SLC_ASSIGN_OR_RETURN(ExprPtr inner, not_expr());
    auto e = std::make_unique<Expr>(ExprKind::kUnary, p);
    e->name = "NOT";
    e->args.push_back(std::move(inner));
    return e;
  }
  return comparison();
}

Result<ExprPtr> Parser::comparison() {
  SLC_ASSIGN_OR_RETURN(ExprPtr left, concat());
  for (;;) {
    const SourcePos p = peek().pos;
    if (peek().kind == TokenKind::kSymbol &&
        (peek().text == "=" || peek().text == "<>" || peek().text == "!=" || peek().text == "<" ||
         peek().text == "<=" || peek().text == ">" || peek().text == ">=")) {
      std::string op = next().text;
      if (op == "!=") op = "<>";
      SLC_ASSIGN_OR_RETURN(ExprPtr right, concat());
      left = binary(op, p, std::move(left), std::move(right));
      continue;
    }
    if (is_word("IS")) {
      next();
      auto e = std::make_unique<Expr>(ExprKind::kIsNull, p);
      e->negated = accept_word("NOT");
      SLC_RETURN_IF_ERROR(expect_word("NULL"));
      e->args.push_back(std::move(left));
      left = std::move(e);
      continue;
    }
    const bool negated =
        is_word("NOT") && (is_word("IN", 1) || is_word("BETWEEN", 1) || is_word("LIKE", 1));
    if (negated) next();
    if (accept_word("IN")) {
      auto e = std::make_unique<Expr>(ExprKind::kInList, p);
      e->negated = negated;
      e->args.push_back(std::move(left));
      SLC_RETURN_IF_ERROR(expect_symbol("("));
      do {
        SLC_ASSIGN_OR_RETURN(ExprPtr item, expr());
        e->args.push_back(std::move(item));
      } while (accept_symbol(","));
      SLC_RETURN_IF_ERROR(expect_symbol(")"));
      left = std::move(e);
      continue;
    }
    if (accept_word("BETWEEN")) {
      auto e = std::make_unique<Expr>(ExprKind::kBetween, p);
      e->negated = negated;
      e->args.push_back(std::move(left));
      SLC_ASSIGN_OR_RETURN(ExprPtr low, concat());
      SLC_RETURN_IF_ERROR(expect_word("AND"));
      SLC_ASSIGN_OR_RETURN(ExprPtr high, concat());
      e->args.push_back(std::move(low));
      e->args.push_back(std::move(high));
      left = std::move(e);
      continue;
    }
    if (accept_word("LIKE")) {
      auto e = std::make_unique<Expr>(ExprKind::kLike, p);
      e->negated = negated;
      e->args.push_back(std::move(left));
      SLC_ASSIGN_OR_RETURN(ExprPtr pattern, concat());
      e->args.push_back(std::move(pattern));
      left = std::move(e);
      continue;
    }
    if (negated) return error("expected IN, BETWEEN or LIKE after NOT");
    return left;
  }
}

Result<ExprPtr> Parser::concat() {
  SLC_ASSIGN_OR_RETURN(ExprPtr left, additive());
  while (is_symbol("||")) {
    const SourcePos p = next().pos;
    SLC_ASSIGN_OR_RETURN(ExprPtr right, additive());
    left = binary("||", p, std::move(left), std::move(right));
  }
  return left;
}

Result<ExprPtr> Parser::additive() {
  SLC_ASSIGN_OR_RETURN(ExprPtr left, multiplicative());
  while (is_symbol("+") || is_symbol("-")) {
    const Token& op = next();
    SLC_ASSIGN_OR_RETURN(ExprPtr right, multiplicative());
    left = binary(op.text, op.pos, std::move(left), std::move(right));
  }
  return left;
}

Result<ExprPtr> Parser::multiplicative() {
  SLC_ASSIGN_OR_RETURN(ExprPtr left, unary());
  while (is_symbol("*") || is_symbol("/") || is_symbol("%")) {
    const Token& op = next();
    SLC_ASSIGN_OR_RETURN(ExprPtr right, unary());
    left = binary(op.text, op.pos, std::move(left), std::move(right));
  }
  return left;
}

Result<ExprPtr> Parser::unary() {
  if (is_symbol("-") || is_symbol("+")) {
    const Token& op = next();
    SLC_ASSIGN_OR_RETURN(ExprPtr inner, unary());
    if (op.text == "+") return inner;
    // Fold -literal so that INT64_MIN and negative intervals parse.
    if (inner->kind == ExprKind::kLiteral && (inner->literal_kind == LiteralKind::kInteger ||
                                              inner->literal_kind == LiteralKind::kDecimal)) {
      inner->value_text = "-" + inner->value_text;
      inner->pos = op.pos;
      return inner;
    }
    auto e = std::make_unique<Expr>(ExprKind::kUnary, op.pos);
    e->name = "-";
    e->args.push_back(std::move(inner));
    return e;
  }
  return primary();
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
      if (t.text == "(") {
        next();
        SLC_ASSIGN_OR_RETURN(ExprPtr inner, expr());
        SLC_RETURN_IF_ERROR(expect_symbol(")"));
        return inner;
      }
      return error("expected an expression");
    case TokenKind::kEnd:
      return error("expected an expression");
    case TokenKind::kWord:
      break;
  }
  if (is_word("NULL")) return literal(LiteralKind::kNull, next());
  if (is_word("TRUE") || is_word("FALSE")) {
    const Token& b = next();
    auto e = std::make_unique<Expr>(ExprKind::kLiteral, b.pos);
    e->literal_kind = LiteralKind::kBool;
    e->value_text = upper(b.text);
    return e;
  }
  if (is_word("INTERVAL")) return interval();
  if (is_word("TIMESTAMP") && peek(1).kind == TokenKind::kString) {
    next();
    return literal(LiteralKind::kTimestamp, next());
  }
  if (is_word("CASE")) return case_expr();
  if (is_word("CAST")) {
    const SourcePos p = next().pos;
    SLC_RETURN_IF_ERROR(expect_symbol("("));
    auto e = std::make_unique<Expr>(ExprKind::kCast, p);
    SLC_ASSIGN_OR_RETURN(ExprPtr inner, expr());
    e->args.push_back(std::move(inner));
    SLC_RETURN_IF_ERROR(expect_word("AS"));
    SLC_ASSIGN_OR_RETURN(e->cast_type, type_name_here());
    SLC_RETURN_IF_ERROR(expect_symbol(")"));
    return e;
  }
  if (is_word("EXTRACT") && peek(1).kind == TokenKind::kSymbol && peek(1).text == "(") {
    const SourcePos p = next().pos;
    next();
    auto e = std::make_unique<Expr>(ExprKind::kExtract, p);
    if (peek().kind != TokenKind::kWord) return error("expected a field to extract");
    e->name = upper(next().text);
    SLC_RETURN_IF_ERROR(expect_word("FROM"));
    SLC_ASSIGN_OR_RETURN(ExprPtr inner, expr());
    e->args.push_back(std::move(inner));
    SLC_RETURN_IF_ERROR(expect_symbol(")"));
    return e;
  }
  if (reserved().count(upper(t.text))) return error("expected an expression");
  if (peek(1).kind == TokenKind::kSymbol && peek(1).text == "(") return function_call();
  return column_ref();
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
  if (accept_symbol(")")) return e;
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
  return e;
}

Result<ExprPtr> Parser::interval() {
  const SourcePos p = next().pos;
  if (peek().kind != TokenKind::kString && peek().kind != TokenKind::kInteger &&
      peek().kind != TokenKind::kDecimal) {
    return error("expected a quantity after INTERVAL, as in INTERVAL '5' SECOND");
  }
  const Token& amount = next();
  std::string number = amount.text;
  std::string unit;
  // INTERVAL '5 minutes' carries its unit inside the string.
  if (const size_t space = number.find(' '); space != std::string::npos) {
    unit = number.substr(space + 1);
    number = number.substr(0, space);
  } else {
    if (peek().kind != TokenKind::kWord) {
      return error("expected a unit (SECOND, MINUTE, HOUR, DAY, ...) after the interval");
    }
    unit = next().text;
  }
  auto micros = parse_interval_text(number, unit);
  if (!micros.ok()) {
    return Status(micros.status().code(), std::string(micros.status().message()),
                  amount.pos.to_string());
  }
  auto e = std::make_unique<Expr>(ExprKind::kLiteral, p);
  e->literal_kind = LiteralKind::kInterval;
  e->interval_micros = *micros;
  e->value_text = number;
  e->name = upper(unit);
  return e;
}

Result<ExprPtr> Parser::case_expr() {
  const SourcePos p = next().pos;
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
  return e;
}

}  // namespace sluice::sql::parsing
