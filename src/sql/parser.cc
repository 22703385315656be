#include "sql/parser.h"

#include "sql/names.h"

#include <strings.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <unordered_set>
#include <vector>

namespace sluice::sql {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

std::string upper(std::string_view s) {
  return to_upper(s);
}
std::string lower(std::string_view s) {
  return to_lower(s);
}

// Words that end an expression or select item and so cannot be bare aliases.
const std::unordered_set<std::string>& reserved() {
  static const std::unordered_set<std::string> words = {
      "SELECT", "FROM", "WHERE", "GROUP", "BY",    "HAVING",  "EMIT",  "AS",      "AND",
      "OR",     "NOT",  "IN",    "IS",    "NULL",  "BETWEEN", "LIKE",  "CASE",    "WHEN",
      "THEN",   "ELSE", "END",   "CAST",  "INTO",  "WITH",    "ON",    "ALLOW",   "CREATE",
      "DROP",   "JOIN", "ORDER", "LIMIT", "UNION", "TRUE",    "FALSE", "INTERVAL"};
  return words;
}

class Parser {
 public:
  Parser(std::vector<Token> tokens, std::string_view sql) : tokens_(std::move(tokens)), sql_(sql) {}

  Result<std::vector<Statement>> statements() {
    std::vector<Statement> out;
    while (true) {
      while (accept_symbol(";")) {
      }
      if (peek().kind == TokenKind::kEnd) break;
      const size_t start = offset_of(peek().pos);
      SLC_ASSIGN_OR_RETURN(Statement s, statement());
      const size_t end = peek().kind == TokenKind::kEnd ? sql_.size() : offset_of(peek().pos);
      s.text = std::string(trim(sql_.substr(start, end - start)));
      out.push_back(std::move(s));
      if (peek().kind != TokenKind::kEnd && !is_symbol(";")) {
        return error("expected ';' or the end of the statement");
      }
    }
    return out;
  }

  Result<ExprPtr> lone_expression() {
    SLC_ASSIGN_OR_RETURN(ExprPtr e, expr());
    if (peek().kind != TokenKind::kEnd) return error("unexpected text after the expression");
    return e;
  }

 private:
  // ---- token helpers -------------------------------------------------------------------
  const Token& peek(size_t ahead = 0) const {
    return tokens_[std::min(pos_ + ahead, tokens_.size() - 1)];
  }
  const Token& next() {
    const Token& t = tokens_[pos_];
    if (pos_ + 1 < tokens_.size()) ++pos_;
    return t;
  }
  bool is_word(std::string_view w, size_t ahead = 0) const {
    return peek(ahead).kind == TokenKind::kWord && iequals(peek(ahead).text, w);
  }
  bool is_symbol(std::string_view s) const {
    return peek().kind == TokenKind::kSymbol && peek().text == s;
  }
  bool accept_word(std::string_view w) {
    if (!is_word(w)) return false;
    next();
    return true;
  }
  bool accept_symbol(std::string_view s) {
    if (!is_symbol(s)) return false;
    next();
    return true;
  }
  static std::string describe(const Token& t) {
    switch (t.kind) {
      case TokenKind::kEnd:
        return "the end of the input";
      case TokenKind::kString:
        return "string '" + t.text + "'";
      case TokenKind::kQuotedIdent:
        return "\"" + t.text + "\"";
      default:
        return "'" + t.text + "'";
    }
  }
  Status error(std::string what) const {
    return Status(ErrorCode::kSqlSyntax, what + ", found " + describe(peek()),
                  peek().pos.to_string());
  }
  Status expect_word(std::string_view w) {
    if (accept_word(w)) return Status::Ok();
    return error("expected " + std::string(w));
  }
  Status expect_symbol(std::string_view s) {
    if (accept_symbol(s)) return Status::Ok();
    return error("expected '" + std::string(s) + "'");
  }
  Result<std::string> identifier(std::string_view what) {
    const Token& t = peek();
    if (t.kind == TokenKind::kQuotedIdent) return next().text;
    if (t.kind == TokenKind::kWord && !reserved().count(upper(t.text))) return next().text;
    return error("expected " + std::string(what));
  }
  size_t offset_of(SourcePos p) const {
    size_t line = 1, i = 0;
    while (i < sql_.size() && line < static_cast<size_t>(p.line)) {
      if (sql_[i++] == '\n') ++line;
    }
    return std::min(sql_.size(), i + static_cast<size_t>(p.column) - 1);
  }
  static std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
  }

  // ---- statements ----------------------------------------------------------------------
  Result<Statement> statement() {
    const SourcePos pos = peek().pos;
    if (accept_word("CREATE")) {
      if (accept_word("SOURCE")) return create_source(pos);
      if (accept_word("STREAM")) return create_query(pos, StatementKind::kCreateStream);
      if (accept_word("MATERIALIZED")) {
        SLC_RETURN_IF_ERROR(expect_word("VIEW"));
        return create_query(pos, StatementKind::kCreateView);
      }
      if (accept_word("SINK")) return create_sink(pos);
      return error("expected SOURCE, STREAM, MATERIALIZED VIEW or SINK after CREATE");
    }
    if (accept_word("DROP")) return drop(pos);
    if (accept_word("SHOW")) return show(pos);
    if (accept_word("DESCRIBE")) {
      Statement s{StatementKind::kDescribe, pos};
      s.name_pos = peek().pos;
      SLC_ASSIGN_OR_RETURN(s.name, identifier("a name to describe"));
      return s;
    }
    if (accept_word("EXPLAIN")) {
      Statement s{StatementKind::kExplain, pos};
      if (is_word("SELECT")) {
        SLC_ASSIGN_OR_RETURN(s.query, select());
      } else {
        s.name_pos = peek().pos;
        SLC_ASSIGN_OR_RETURN(s.name, identifier("a name or a SELECT to explain"));
      }
      return s;
    }
    if (accept_word("CHECKPOINT")) return Statement{StatementKind::kCheckpoint, pos};
    if (is_word("SELECT")) {
      Statement s{StatementKind::kSelect, pos};
      SLC_ASSIGN_OR_RETURN(s.query, select());
      return s;
    }
    return error(
        "expected a statement (CREATE, DROP, SHOW, DESCRIBE, EXPLAIN, SELECT or CHECKPOINT)");
  }

  Status if_not_exists(Statement& s) {
    if (accept_word("IF")) {
      SLC_RETURN_IF_ERROR(expect_word("NOT"));
      SLC_RETURN_IF_ERROR(expect_word("EXISTS"));
      s.if_not_exists = true;
    }
    s.name_pos = peek().pos;
    SLC_ASSIGN_OR_RETURN(s.name, identifier("a name"));
    return Status::Ok();
  }

  Result<Statement> create_source(SourcePos pos) {
    Statement s{StatementKind::kCreateSource, pos};
    SLC_RETURN_IF_ERROR(if_not_exists(s));
    if (is_word("WITH")) {  // a connector that defines its own columns (nexmark)
      next();
      SLC_RETURN_IF_ERROR(options(s.options));
      return s;
    }
    SLC_RETURN_IF_ERROR(expect_symbol("("));
    do {
      if (is_word("WATERMARK")) {
        s.watermark_pos = next().pos;
        SLC_RETURN_IF_ERROR(expect_word("FOR"));
        SLC_ASSIGN_OR_RETURN(s.watermark_column, identifier("the watermark's column"));
        SLC_RETURN_IF_ERROR(expect_word("AS"));
        SLC_ASSIGN_OR_RETURN(s.watermark_expr, expr());
        continue;
      }
      ColumnDef c;
      c.pos = peek().pos;
      SLC_ASSIGN_OR_RETURN(c.name, identifier("a column name"));
      SLC_ASSIGN_OR_RETURN(c.type, type_name_here());
      if (accept_word("NOT")) {
        SLC_RETURN_IF_ERROR(expect_word("NULL"));
        c.not_null = true;
      } else {
        accept_word("NULL");
      }
      s.columns.push_back(std::move(c));
    } while (accept_symbol(","));
    SLC_RETURN_IF_ERROR(expect_symbol(")"));
    if (accept_word("WITH")) SLC_RETURN_IF_ERROR(options(s.options));
    return s;
  }

  Result<DataType> type_name_here() {
    const Token& t = peek();
    if (t.kind != TokenKind::kWord) return error("expected a type name");
    std::string name = t.text;
    if (iequals(name, "DOUBLE") && is_word("PRECISION", 1)) {
      next();
    } else if (iequals(name, "CHARACTER") && is_word("VARYING", 1)) {
      next();
      name = "VARCHAR";
    }
    auto type = parse_type_name(name);
    if (!type) {
      return Status(ErrorCode::kSqlSyntax,
                    "unknown type '" + t.text +
                        "' (types: BOOLEAN, INT, BIGINT, DOUBLE, VARCHAR, TIMESTAMP, INTERVAL)",
                    t.pos.to_string());
    }
    next();
    if (*type == DataType::kVarchar && accept_symbol("(")) {  // VARCHAR(n): length ignored
      if (peek().kind != TokenKind::kInteger) return error("expected a length");
      next();
      SLC_RETURN_IF_ERROR(expect_symbol(")"));
    }
    if (*type == DataType::kTimestamp && accept_word("WITH")) {  // TIMESTAMP WITH TIME ZONE
      SLC_RETURN_IF_ERROR(expect_word("TIME"));
      SLC_RETURN_IF_ERROR(expect_word("ZONE"));
    }
    return *type;
  }

  Status options(std::vector<Option>& out) {
    SLC_RETURN_IF_ERROR(expect_symbol("("));
    if (accept_symbol(")")) return Status::Ok();
    do {
      Option o;
      o.pos = peek().pos;
      if (peek().kind == TokenKind::kString) {
        o.key = lower(next().text);
      } else {
        SLC_ASSIGN_OR_RETURN(std::string part, option_word());
        o.key = lower(part);
        while (accept_symbol(".")) {
          SLC_ASSIGN_OR_RETURN(std::string more, option_word());
          o.key += "." + lower(more);
        }
      }
      SLC_RETURN_IF_ERROR(expect_symbol("="));
      const Token& v = peek();
      bool negative = false;
      if (is_symbol("-")) {
        negative = true;
        next();
      }
      const Token& value = peek();
      if (value.kind == TokenKind::kString || value.kind == TokenKind::kInteger ||
          value.kind == TokenKind::kDecimal || value.kind == TokenKind::kWord) {
        o.value = (negative ? "-" : "") + next().text;
      } else {
        return Status(ErrorCode::kSqlSyntax, "expected a value for option '" + o.key + "'",
                      v.pos.to_string());
      }
      for (const Option& seen : out) {
        if (seen.key == o.key) {
          return Status(ErrorCode::kSqlInvalidOption, "option '" + o.key + "' is given twice",
                        o.pos.to_string());
        }
      }
      out.push_back(std::move(o));
    } while (accept_symbol(","));
    return expect_symbol(")");
  }

  // Option keys may be any word, reserved or not (e.g. `format`, `on.error`).
  Result<std::string> option_word() {
    if (peek().kind == TokenKind::kWord || peek().kind == TokenKind::kQuotedIdent) {
      return next().text;
    }
    return error("expected an option name");
  }

  Result<Statement> create_query(SourcePos pos, StatementKind kind) {
    Statement s{kind, pos};
    SLC_RETURN_IF_ERROR(if_not_exists(s));
    SLC_RETURN_IF_ERROR(expect_word("AS"));
    SLC_ASSIGN_OR_RETURN(s.query, select());
    return s;
  }

  Result<Statement> create_sink(SourcePos pos) {
    Statement s{StatementKind::kCreateSink, pos};
    SLC_RETURN_IF_ERROR(if_not_exists(s));
    if (accept_word("FROM")) {
      s.sink_from_pos = peek().pos;
      SLC_ASSIGN_OR_RETURN(s.sink_from, identifier("the stream the sink reads"));
      if (accept_word("WHERE")) {
        SLC_ASSIGN_OR_RETURN(s.sink_where, expr());
      }
    } else if (accept_word("AS")) {
      SLC_ASSIGN_OR_RETURN(s.query, select());
    } else {
      return error("expected FROM stream or AS SELECT after the sink's name");
    }
    if (accept_word("INTO")) {
      s.connector_pos = peek().pos;
      SLC_ASSIGN_OR_RETURN(s.connector, option_word());
      s.connector = lower(s.connector);
      if (is_symbol("(")) SLC_RETURN_IF_ERROR(options(s.options));
    } else if (accept_word("WITH")) {
      SLC_RETURN_IF_ERROR(options(s.options));
      for (auto it = s.options.begin(); it != s.options.end(); ++it) {
        if (it->key == "connector") {
          s.connector = lower(it->value);
          s.connector_pos = it->pos;
          s.options.erase(it);
          break;
        }
      }
      if (s.connector.empty()) {
        return Status(ErrorCode::kSqlInvalidOption, "a sink needs connector = '...' in WITH (...)",
                      s.pos.to_string());
      }
    } else {
      return error("expected INTO connector (...) or WITH (connector = '...', ...)");
    }
    return s;
  }

  Result<ObjectKind> object_kind() {
    if (accept_word("SOURCE")) return ObjectKind::kSource;
    if (accept_word("STREAM")) return ObjectKind::kStream;
    if (accept_word("SINK")) return ObjectKind::kSink;
    if (accept_word("MATERIALIZED")) {
      SLC_RETURN_IF_ERROR(expect_word("VIEW"));
      return ObjectKind::kView;
    }
    return error("expected SOURCE, STREAM, MATERIALIZED VIEW or SINK");
  }

  Result<Statement> drop(SourcePos pos) {
    Statement s{StatementKind::kDrop, pos};
    SLC_ASSIGN_OR_RETURN(s.object, object_kind());
    if (accept_word("IF")) {
      SLC_RETURN_IF_ERROR(expect_word("EXISTS"));
      s.if_exists = true;
    }
    s.name_pos = peek().pos;
    SLC_ASSIGN_OR_RETURN(s.name, identifier("a name"));
    return s;
  }

  Result<Statement> show(SourcePos pos) {
    Statement s{StatementKind::kShow, pos};
    if (accept_word("SOURCES")) {
      s.show_what = "SOURCES";
    } else if (accept_word("STREAMS")) {
      s.show_what = "STREAMS";
    } else if (accept_word("SINKS")) {
      s.show_what = "SINKS";
    } else if (accept_word("PIPELINE")) {
      s.show_what = "PIPELINE";
    } else if (accept_word("MATERIALIZED")) {
      SLC_RETURN_IF_ERROR(expect_word("VIEWS"));
      s.show_what = "MATERIALIZED VIEWS";
    } else {
      return error("expected SOURCES, STREAMS, MATERIALIZED VIEWS, SINKS or PIPELINE");
    }
    return s;
  }

  // ---- SELECT --------------------------------------------------------------------------
  Result<std::unique_ptr<SelectStmt>> select() {
    const Token* bare_alias = nullptr;
    auto q = std::make_unique<SelectStmt>();
    q->pos = peek().pos;
    SLC_RETURN_IF_ERROR(expect_word("SELECT"));
    do {
      SelectItem item;
      if (is_symbol("*")) {
        item.expr = std::make_unique<Expr>(ExprKind::kStar, next().pos);
      } else {
        SLC_ASSIGN_OR_RETURN(item.expr, expr());
      }
      bare_alias = nullptr;
      if (accept_word("AS")) {
        SLC_ASSIGN_OR_RETURN(item.alias, identifier("an alias"));
      } else if (peek().kind == TokenKind::kQuotedIdent ||
                 (peek().kind == TokenKind::kWord && !reserved().count(upper(peek().text)))) {
        bare_alias = &peek();
        item.alias = next().text;
      }
      q->items.push_back(std::move(item));
    } while (accept_symbol(","));
    if (!is_word("FROM") && bare_alias != nullptr && looks_like(bare_alias->text, "FROM")) {
      // `SELECT a FORM t` reads FORM as an alias; point at the misspelling, not at `t`.
      return Status(ErrorCode::kSqlSyntax, "expected FROM, found '" + bare_alias->text + "'",
                    bare_alias->pos.to_string());
    }
    SLC_RETURN_IF_ERROR(expect_word("FROM"));
    q->from_pos = peek().pos;
    SLC_ASSIGN_OR_RETURN(q->from, identifier("a source, stream or view name"));
    if (is_word("JOIN") || is_word("INNER") || is_word("LEFT") || is_symbol(",")) {
      return Status(ErrorCode::kUnsupported, "joins are not supported yet", peek().pos.to_string());
    }
    if (accept_word("WHERE")) {
      SLC_ASSIGN_OR_RETURN(q->where, expr());
    }
    if (accept_word("GROUP")) {
      SLC_RETURN_IF_ERROR(expect_word("BY"));
      do {
        SLC_ASSIGN_OR_RETURN(ExprPtr e, expr());
        q->group_by.push_back(std::move(e));
      } while (accept_symbol(","));
    }
    if (accept_word("HAVING")) {
      SLC_ASSIGN_OR_RETURN(q->having, expr());
    }
    if (accept_word("ALLOW")) {
      SLC_RETURN_IF_ERROR(expect_word("LATENESS"));
      SLC_ASSIGN_OR_RETURN(ExprPtr e, primary());
      if (e->kind != ExprKind::kLiteral || e->literal_kind != LiteralKind::kInterval) {
        return Status(ErrorCode::kSqlSyntax, "ALLOW LATENESS needs an INTERVAL literal",
                      e->pos.to_string());
      }
      q->allowed_lateness_micros = e->interval_micros;
    }
    if (is_word("EMIT")) {
      q->emit_pos = next().pos;
      if (accept_word("ON")) {
        if (accept_word("WINDOW")) {
          SLC_RETURN_IF_ERROR(expect_word("CLOSE"));
          q->emit = EmitMode::kOnWindowClose;
        } else if (accept_word("UPDATE")) {
          q->emit = EmitMode::kOnUpdate;
        } else {
          return error("expected WINDOW CLOSE or UPDATE after EMIT ON");
        }
      } else if (accept_word("CHANGES")) {
        q->emit = EmitMode::kChanges;
      } else {
        return error("expected ON WINDOW CLOSE, ON UPDATE or CHANGES after EMIT");
      }
    }
    if (is_word("ORDER") || is_word("LIMIT")) {
      return Status(ErrorCode::kUnsupported, upper(peek().text) + " is not supported on streams",
                    peek().pos.to_string());
    }
    return q;
  }

  // ---- expressions (lowest precedence first) -------------------------------------------
  Result<ExprPtr> expr() { return or_expr(); }

  ExprPtr binary(std::string op, SourcePos pos, ExprPtr l, ExprPtr r) {
    auto e = std::make_unique<Expr>(ExprKind::kBinary, pos);
    e->name = std::move(op);
    e->args.push_back(std::move(l));
    e->args.push_back(std::move(r));
    return e;
  }

  Result<ExprPtr> or_expr() {
    SLC_ASSIGN_OR_RETURN(ExprPtr left, and_expr());
    while (is_word("OR")) {
      const SourcePos p = next().pos;
      SLC_ASSIGN_OR_RETURN(ExprPtr right, and_expr());
      left = binary("OR", p, std::move(left), std::move(right));
    }
    return left;
  }

  Result<ExprPtr> and_expr() {
    SLC_ASSIGN_OR_RETURN(ExprPtr left, not_expr());
    while (is_word("AND")) {
      const SourcePos p = next().pos;
      SLC_ASSIGN_OR_RETURN(ExprPtr right, not_expr());
      left = binary("AND", p, std::move(left), std::move(right));
    }
    return left;
  }

  Result<ExprPtr> not_expr() {
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

  Result<ExprPtr> comparison() {
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

  Result<ExprPtr> concat() {
    SLC_ASSIGN_OR_RETURN(ExprPtr left, additive());
    while (is_symbol("||")) {
      const SourcePos p = next().pos;
      SLC_ASSIGN_OR_RETURN(ExprPtr right, additive());
      left = binary("||", p, std::move(left), std::move(right));
    }
    return left;
  }

  Result<ExprPtr> additive() {
    SLC_ASSIGN_OR_RETURN(ExprPtr left, multiplicative());
    while (is_symbol("+") || is_symbol("-")) {
      const Token& op = next();
      SLC_ASSIGN_OR_RETURN(ExprPtr right, multiplicative());
      left = binary(op.text, op.pos, std::move(left), std::move(right));
    }
    return left;
  }

  Result<ExprPtr> multiplicative() {
    SLC_ASSIGN_OR_RETURN(ExprPtr left, unary());
    while (is_symbol("*") || is_symbol("/") || is_symbol("%")) {
      const Token& op = next();
      SLC_ASSIGN_OR_RETURN(ExprPtr right, unary());
      left = binary(op.text, op.pos, std::move(left), std::move(right));
    }
    return left;
  }

  Result<ExprPtr> unary() {
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

  Result<ExprPtr> literal(LiteralKind kind, const Token& t) {
    auto e = std::make_unique<Expr>(ExprKind::kLiteral, t.pos);
    e->literal_kind = kind;
    e->value_text = t.text;
    return e;
  }

  Result<ExprPtr> primary() {
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

  Result<ExprPtr> column_ref() {
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

  Result<ExprPtr> function_call() {
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

  Result<ExprPtr> interval() {
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

  Result<ExprPtr> case_expr() {
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

  std::vector<Token> tokens_;
  std::string_view sql_;
  size_t pos_ = 0;
};

}  // namespace

Result<int64_t> parse_interval_text(std::string_view number, std::string_view unit) {
  double amount = 0;
  auto [ptr, ec] = std::from_chars(number.data(), number.data() + number.size(), amount);
  if (ec != std::errc() || ptr != number.data() + number.size()) {
    return Status(ErrorCode::kSqlSyntax,
                  "'" + std::string(number) + "' is not an interval quantity");
  }
  std::string u = upper(unit);
  if (u == "MS") u = "MILLISECOND";
  if (u == "US") u = "MICROSECOND";
  if (u.size() > 1 && u.back() == 'S') u.pop_back();
  double scale;
  if (u == "MICROSECOND" || u == "US") {
    scale = 1;
  } else if (u == "MILLISECOND" || u == "MS") {
    scale = 1e3;
  } else if (u == "SECOND" || u == "SEC") {
    scale = 1e6;
  } else if (u == "MINUTE" || u == "MIN") {
    scale = 60e6;
  } else if (u == "HOUR") {
    scale = 3600e6;
  } else if (u == "DAY") {
    scale = 86400e6;
  } else if (u == "WEEK") {
    scale = 7 * 86400e6;
  } else {
    return Status(ErrorCode::kSqlSyntax,
                  "unknown interval unit '" + std::string(unit) +
                      "' (MICROSECOND, MILLISECOND, SECOND, MINUTE, HOUR, DAY, WEEK; months and "
                      "years vary in length and are not supported)");
  }
  const double micros = std::round(amount * scale);
  if (!(std::fabs(micros) < 9.2e18)) return Status(ErrorCode::kSqlSyntax, "interval out of range");
  return static_cast<int64_t>(micros);
}

Result<std::vector<Statement>> parse_statements(std::string_view sql) {
  SLC_ASSIGN_OR_RETURN(std::vector<Token> tokens, tokenize(sql));
  Parser parser(std::move(tokens), sql);
  return parser.statements();
}

Result<Statement> parse_statement(std::string_view sql) {
  SLC_ASSIGN_OR_RETURN(std::vector<Statement> all, parse_statements(sql));
  if (all.size() != 1) {
    return Status(ErrorCode::kSqlSyntax,
                  "expected exactly one statement, got " + std::to_string(all.size()));
  }
  return std::move(all[0]);
}

Result<ExprPtr> parse_expression(std::string_view sql) {
  SLC_ASSIGN_OR_RETURN(std::vector<Token> tokens, tokenize(sql));
  Parser parser(std::move(tokens), sql);
  return parser.lone_expression();
}

}  // namespace sluice::sql
