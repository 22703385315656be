#pragma once
// Parser: a recursive-descent parser over the lexer's tokens. Statements (CREATE / DROP / SHOW /
// DESCRIBE / EXPLAIN / SELECT / CHECKPOINT) are parsed in parser.cc, expressions (by precedence
// climbing) in expression_parser.cc. Internal to the sql module; parser.h is the interface.
//
// Thread: a value used by one thread at a time.

#include <strings.h>

#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "sluice/status.h"
#include "sql/ast.h"
#include "sql/lexer.h"
#include "sql/names.h"

namespace sluice::sql::parsing {

inline bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

inline std::string upper(std::string_view s) {
  return to_upper(s);
}
inline std::string lower(std::string_view s) {
  return to_lower(s);
}

// Words that end an expression or select item and so cannot be bare aliases.
const std::unordered_set<std::string>& reserved();

class Parser {
 public:
  Parser(std::vector<Token> tokens, std::string_view sql) : tokens_(std::move(tokens)), sql_(sql) {}

  Result<std::vector<Statement>> statements();

  Result<ExprPtr> lone_expression();

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
  static std::string describe(const Token& t);
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
  static std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
  }

  // ---- statements ----------------------------------------------------------------------
  Result<Statement> statement();

  Status if_not_exists(Statement& s);

  Result<Statement> create_source(SourcePos pos);

  Result<DataType> type_name_here();

  Status options(std::vector<Option>& out);

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

  Result<Statement> create_sink(SourcePos pos);

  Result<ObjectKind> object_kind();

  Result<Statement> drop(SourcePos pos);

  Result<Statement> show(SourcePos pos);

  // ---- SELECT --------------------------------------------------------------------------
  Result<std::unique_ptr<SelectStmt>> select();
  Result<std::unique_ptr<SelectStmt>> nested_select(const std::string& what);
  // One SELECT … FROM … [WHERE] [GROUP BY] [HAVING] [ALLOW LATENESS] [EMIT]: a UNION ALL branch.
  Result<std::unique_ptr<SelectStmt>> select_core();
  Result<FromPtr> from_items();
  Result<FromPtr> from_item();
  bool is_alias() const;
  // Why a join word that is not supported (RIGHT, FULL, CROSS, NATURAL) is refused.
  static std::string refused_join(std::string_view word);
  Status order_limit(SelectStmt& q);
  // A non-negative integer literal: LIMIT's or OFFSET's count.
  Result<int64_t> row_count(std::string_view clause);

  // ---- expressions: precedence climbing ------------------------------------------------
  // How tightly operators bind, loosest first.
  enum Precedence { kOr = 1, kAnd, kNot, kComparison, kConcat, kAdditive, kMultiplicative };

  Result<ExprPtr> expr() { return operators(kOr); }

  // The precedence of the operator at the current token; 0 when none continues an expression.
  int operator_level() const;

  // An operand, then every operator that binds at `min` or tighter.
  Result<ExprPtr> operators(int min);

  // NOT …, or a unary expression.
  Result<ExprPtr> operand(int min);

  Result<ExprPtr> chain(int level, ExprPtr first);

  // One comparison or postfix form (IS [NOT] NULL, [NOT] IN, BETWEEN, LIKE) around `left`.
  Result<ExprPtr> comparison(ExprPtr left);

  Result<ExprPtr> compare(ExprPtr left);

  Result<ExprPtr> in_list(ExprPtr left, SourcePos p, bool negated);
  Result<ExprPtr> distinct_from(ExprPtr left, bool negated);

  Result<ExprPtr> unary();

  Result<ExprPtr> negative_number(SourcePos minus);

  Result<ExprPtr> literal(LiteralKind kind, const Token& t);

  Result<ExprPtr> primary();

  Result<ExprPtr> parenthesized();

  Result<ExprPtr> boolean();

  Result<ExprPtr> cast();

  Result<ExprPtr> extract();
  Result<ExprPtr> typed_literal();

  Result<ExprPtr> column_ref();

  Result<ExprPtr> function_call();
  // A window function's OVER (...) after `call` (expression_parser.cc): ROW_NUMBER() with
  // PARTITION BY and ORDER BY only (top-N), or COUNT/SUM/AVG/MIN/MAX with a frame
  // ROWS BETWEEN n PRECEDING AND CURRENT ROW; other window functions and frames refused where
  // written.
  Status over_clause(Expr& call);
  // The frame of an aggregate's OVER, from ROWS (`over.rows_preceding`, `over.frame_pos`).
  Status rows_frame(OverClause& over);
  // One ORDER BY item: expr [ASC | DESC] [NULLS FIRST | LAST].
  Result<OrderItem> order_item();
  Result<ExprPtr> position();

  Result<ExprPtr> interval();

  Result<ExprPtr> case_expr();

  // ---- nesting (kMaxExpressionDepth, ast.h) ---------------------------------------------
  // Opens one level for the construct at `at` (a parenthesis, a function's arguments, CASE,
  // CAST, EXTRACT, an IN list, a unary sign, NOT) before parsing what it nests, so that the
  // recursion stops at the limit whatever the input; a Level closes it on scope exit.
  Status deeper(SourcePos at);
  struct Level {
    int& depth;
    ~Level() { --depth; }
  };
  // Sets e's levels from its operands' and refuses it past the limit. This catches the depth
  // that loops build without recursing (x IS NULL IS NULL …, a = b = c …).
  Result<ExprPtr> measured(ExprPtr e);
  // One more level around `e` that makes no node of its own: parentheses, a unary plus.
  Status enclose(Expr& e, SourcePos at);
  static Status too_deep(SourcePos at);

  int depth_ = 0;  // constructs open around the token being parsed
  std::vector<Token> tokens_;
  std::string_view sql_;
  size_t pos_ = 0;
};

}  // namespace sluice::sql::parsing
