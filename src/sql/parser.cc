#include "sql/parser.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <vector>

#include "sql/parser_core.h"
#include "sql/top_n_idiom.h"

namespace sluice::sql {
namespace parsing {

// Words that end an expression or select item and so cannot be bare aliases.
const std::unordered_set<std::string>& reserved() {
  static const std::unordered_set<std::string> words = {
      "SELECT", "FROM", "WHERE", "GROUP", "BY",    "HAVING",  "EMIT",  "AS",       "AND",
      "OR",     "NOT",  "IN",    "IS",    "NULL",  "BETWEEN", "LIKE",  "CASE",     "WHEN",
      "THEN",   "ELSE", "END",   "CAST",  "INTO",  "WITH",    "ON",    "ALLOW",    "CREATE",
      "DROP",   "JOIN", "ORDER", "LIMIT", "UNION", "TRUE",    "FALSE", "INTERVAL", "QUALIFY"};
  return words;
}

Result<std::vector<Statement>> Parser::statements() {
  std::vector<Statement> out;
  while (true) {
    while (accept_symbol(";")) {
    }
    if (peek().kind == TokenKind::kEnd) break;
    const size_t start = peek().offset;
    SLC_ASSIGN_OR_RETURN(Statement s, statement());
    const size_t end = peek().kind == TokenKind::kEnd ? sql_.size() : peek().offset;
    s.text = std::string(trim(sql_.substr(start, end - start)));
    out.push_back(std::move(s));
    if (peek().kind != TokenKind::kEnd && !is_symbol(";")) {
      return error("expected ';' or the end of the statement");
    }
  }
  return out;
}

Result<ExprPtr> Parser::lone_expression() {
  SLC_ASSIGN_OR_RETURN(ExprPtr e, expr());
  if (peek().kind != TokenKind::kEnd) return error("unexpected text after the expression");
  return e;
}

std::string Parser::describe(const Token& t) {
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

// ---- statements ----------------------------------------------------------------------
Result<Statement> Parser::statement() {
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
    if (is_word("SELECT") || is_word("WITH")) {
      SLC_ASSIGN_OR_RETURN(s.query, select());
    } else {
      s.name_pos = peek().pos;
      SLC_ASSIGN_OR_RETURN(s.name, identifier("a name or a SELECT to explain"));
    }
    return s;
  }
  if (accept_word("CHECKPOINT")) return Statement{StatementKind::kCheckpoint, pos};
  if (is_word("SELECT") || is_word("WITH")) {
    Statement s{StatementKind::kSelect, pos};
    SLC_ASSIGN_OR_RETURN(s.query, select());
    return s;
  }
  return error(
      "expected a statement (CREATE, DROP, SHOW, DESCRIBE, EXPLAIN, SELECT or CHECKPOINT)");
}

Status Parser::if_not_exists(Statement& s) {
  if (accept_word("IF")) {
    SLC_RETURN_IF_ERROR(expect_word("NOT"));
    SLC_RETURN_IF_ERROR(expect_word("EXISTS"));
    s.if_not_exists = true;
  }
  s.name_pos = peek().pos;
  SLC_ASSIGN_OR_RETURN(s.name, identifier("a name"));
  return Status::Ok();
}

Result<Statement> Parser::create_source(SourcePos pos) {
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

Result<DataType> Parser::type_name_here() {
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
                      "' (types: BOOLEAN, INT, BIGINT, DOUBLE, DECIMAL(p, s), VARCHAR, DATE, "
                      "TIMESTAMP, INTERVAL)",
                  t.pos.to_string());
  }
  next();
  if (*type == DataType::kVarchar && accept_symbol("(")) {  // VARCHAR(n): length ignored
    if (peek().kind != TokenKind::kInteger) return error("expected a length");
    next();
    SLC_RETURN_IF_ERROR(expect_symbol(")"));
  }
  if (*type == DataType::kDecimal && accept_symbol("(")) {  // DECIMAL(p) is DECIMAL(p, 0)
    const SourcePos at = peek().pos;
    int64_t precision = 0, scale = 0;
    if (peek().kind != TokenKind::kInteger) return error("expected a precision");
    precision = std::strtoll(next().text.c_str(), nullptr, 10);
    if (accept_symbol(",")) {
      if (peek().kind != TokenKind::kInteger) return error("expected a scale");
      scale = std::strtoll(next().text.c_str(), nullptr, 10);
    }
    SLC_RETURN_IF_ERROR(expect_symbol(")"));
    if (std::string why = check_decimal(precision, scale); !why.empty()) {
      return Status(ErrorCode::kSqlSyntax, why, at.to_string());
    }
    type = DataType::Decimal(static_cast<int>(precision), static_cast<int>(scale));
  }
  if (*type == DataType::kTimestamp && accept_word("WITH")) {  // TIMESTAMP WITH TIME ZONE
    SLC_RETURN_IF_ERROR(expect_word("TIME"));
    SLC_RETURN_IF_ERROR(expect_word("ZONE"));
  }
  return *type;
}

Status Parser::options(std::vector<Option>& out) {
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

Result<Statement> Parser::create_sink(SourcePos pos) {
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

Result<ObjectKind> Parser::object_kind() {
  if (accept_word("SOURCE")) return ObjectKind::kSource;
  if (accept_word("STREAM")) return ObjectKind::kStream;
  if (accept_word("SINK")) return ObjectKind::kSink;
  if (accept_word("MATERIALIZED")) {
    SLC_RETURN_IF_ERROR(expect_word("VIEW"));
    return ObjectKind::kView;
  }
  return error("expected SOURCE, STREAM, MATERIALIZED VIEW or SINK");
}

Result<Statement> Parser::drop(SourcePos pos) {
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

Result<Statement> Parser::show(SourcePos pos) {
  Statement s{StatementKind::kShow, pos};
  if (accept_word("SOURCES")) {
    s.show_what = "SOURCES";
  } else if (accept_word("STREAMS")) {
    s.show_what = "STREAMS";
  } else if (accept_word("SINKS")) {
    s.show_what = "SINKS";
  } else if (accept_word("PIPELINE")) {
    s.show_what = "PIPELINE";
  } else if (accept_word("CHECKPOINTS")) {
    s.show_what = "CHECKPOINTS";
  } else if (accept_word("MATERIALIZED")) {
    SLC_RETURN_IF_ERROR(expect_word("VIEWS"));
    s.show_what = "MATERIALIZED VIEWS";
  } else {
    return error("expected SOURCES, STREAMS, MATERIALIZED VIEWS, SINKS, PIPELINE or CHECKPOINTS");
  }
  return s;
}

// ---- SELECT --------------------------------------------------------------------------
namespace {

// Words that begin a join after a FROM item: never a table alias.
bool starts_join(std::string_view word) {
  for (const char* w :
       {"JOIN", "INNER", "LEFT", "RIGHT", "FULL", "CROSS", "NATURAL", "OUTER", "ASOF"}) {
    if (iequals(word, w)) return true;
  }
  return false;
}

}  // namespace

// [WITH name AS (query), …] SELECT … [UNION ALL SELECT …]… [ORDER BY …] [LIMIT …] [OFFSET …]
Result<std::unique_ptr<SelectStmt>> Parser::select() {
  std::vector<CommonTableExpr> with;
  if (accept_word("WITH")) {
    do {
      CommonTableExpr cte;
      cte.pos = peek().pos;
      SLC_ASSIGN_OR_RETURN(cte.name, identifier("a name for the WITH query"));
      SLC_RETURN_IF_ERROR(expect_word("AS"));
      SLC_ASSIGN_OR_RETURN(cte.query, nested_select("WITH " + cte.name + " AS"));
      with.push_back(std::move(cte));
    } while (accept_symbol(","));
  }
  SLC_ASSIGN_OR_RETURN(std::unique_ptr<SelectStmt> q, select_core());
  q->with = std::move(with);
  while (is_word("UNION")) {
    const SourcePos at = next().pos;
    if (!accept_word("ALL")) {
      return Status(ErrorCode::kUnsupported,
                    "UNION without ALL is not supported: removing duplicates from an unbounded "
                    "input would keep every row forever; use UNION ALL (and SELECT DISTINCT "
                    "over it, or GROUP BY, to remove duplicates)",
                    at.to_string());
    }
    if (!is_word("SELECT")) return error("expected SELECT after UNION ALL");
    SLC_ASSIGN_OR_RETURN(std::unique_ptr<SelectStmt> branch, select_core());
    q->union_all.push_back(std::move(branch));
    q->union_pos.push_back(at);
  }
  SLC_RETURN_IF_ERROR(order_limit(*q));
  return q;
}

// '(' query ')' where a query nests (a subquery in FROM, a WITH item): one level deeper.
Result<std::unique_ptr<SelectStmt>> Parser::nested_select(const std::string& what) {
  const SourcePos open = peek().pos;
  SLC_RETURN_IF_ERROR(expect_symbol("("));
  if (!is_word("SELECT") && !is_word("WITH")) return error("expected SELECT after " + what + " (");
  SLC_RETURN_IF_ERROR(deeper(open));
  const Level level{depth_};
  SLC_ASSIGN_OR_RETURN(std::unique_ptr<SelectStmt> q, select());
  SLC_RETURN_IF_ERROR(expect_symbol(")"));
  return q;
}

Result<std::unique_ptr<SelectStmt>> Parser::select_core() {
  const Token* bare_alias = nullptr;
  auto q = std::make_unique<SelectStmt>();
  q->pos = peek().pos;
  SLC_RETURN_IF_ERROR(expect_word("SELECT"));
  if (is_word("DISTINCT")) {
    q->distinct_pos = next().pos;
    q->distinct = true;
    if (is_word("ON")) {
      return Status(ErrorCode::kUnsupported,
                    "SELECT DISTINCT ON (...) is not supported; use SELECT DISTINCT or GROUP BY",
                    peek().pos.to_string());
    }
  } else if (is_word("ALL") && !is_word("FROM", 1) && !is_word("AS", 1) &&
             !(peek(1).kind == TokenKind::kSymbol &&
               (peek(1).text == "," || peek(1).text == "."))) {
    next();  // SELECT ALL: the default, duplicates kept
  }
  do {
    SelectItem item;
    if (is_symbol("*")) {
      item.expr = std::make_unique<Expr>(ExprKind::kStar, next().pos);
    } else if (peek(1).kind == TokenKind::kSymbol && peek(1).text == "." &&
               peek(2).kind == TokenKind::kSymbol && peek(2).text == "*") {
      const SourcePos p = peek().pos;
      SLC_ASSIGN_OR_RETURN(std::string qualifier, identifier("a table name before '.*'"));
      next();
      next();
      item.expr = std::make_unique<Expr>(ExprKind::kStar, p);
      item.expr->qualifier = std::move(qualifier);
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
  SLC_ASSIGN_OR_RETURN(q->from, from_items());
  if (accept_word("WHERE")) {
    SLC_ASSIGN_OR_RETURN(q->where, expr());
    fuse_top_n_idiom(*q);  // FROM (… ROW_NUMBER() OVER … AS rn …) WHERE rn <= N: a top-N
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
  if (is_word("QUALIFY")) {  // DuckDB's and Snowflake's filter on window functions (top-N)
    q->qualify_pos = next().pos;
    SLC_ASSIGN_OR_RETURN(q->qualify, expr());
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
  return q;
}

// The first FROM item, then each join onto it (left-deep: each join one nesting level).
Result<FromPtr> Parser::from_items() {
  SLC_ASSIGN_OR_RETURN(FromPtr left, from_item());
  const int depth_before = depth_;
  while (true) {
    const Token& at = peek();
    std::optional<JoinSyntax> join;
    if (is_symbol(",")) {
      return Status(ErrorCode::kUnsupported,
                    "a comma between FROM items (a cross join) is not supported: a join of "
                    "streams needs JOIN … ON with an equality of keys or a time bound",
                    at.pos.to_string());
    }
    if (at.kind != TokenKind::kWord || !starts_join(at.text)) break;
    if (accept_word("JOIN")) {
      join = JoinSyntax::kInner;
    } else if (accept_word("INNER")) {
      SLC_RETURN_IF_ERROR(expect_word("JOIN"));
      join = JoinSyntax::kInner;
    } else if (accept_word("LEFT")) {
      accept_word("OUTER");
      SLC_RETURN_IF_ERROR(expect_word("JOIN"));
      join = JoinSyntax::kLeft;
    } else if (accept_word("ASOF")) {
      join = JoinSyntax::kAsof;
      if (accept_word("LEFT")) {
        accept_word("OUTER");
        join = JoinSyntax::kAsofLeft;
      }
      SLC_RETURN_IF_ERROR(expect_word("JOIN"));
    } else {
      return Status(ErrorCode::kUnsupported, refused_join(at.text), at.pos.to_string());
    }
    SLC_RETURN_IF_ERROR(deeper(at.pos));  // closed below, once the whole chain is parsed
    auto j = std::make_unique<FromItem>(FromItem::Kind::kJoin, at.pos);
    j->join = *join;
    j->left = std::move(left);
    SLC_ASSIGN_OR_RETURN(j->right, from_item());
    if (is_word("USING")) {
      return Status(ErrorCode::kUnsupported,
                    "JOIN … USING (…) is not supported; write ON a.k = b.k",
                    peek().pos.to_string());
    }
    if (!is_word("ON")) return error("expected ON and the join's condition");
    next();
    SLC_ASSIGN_OR_RETURN(j->on, expr());
    if (accept_word("RETENTION")) {
      SLC_ASSIGN_OR_RETURN(j->retention, primary());
      if (j->retention->kind != ExprKind::kLiteral ||
          j->retention->literal_kind != LiteralKind::kInterval) {
        return Status(ErrorCode::kSqlSyntax, "RETENTION needs an INTERVAL literal",
                      j->retention->pos.to_string());
      }
    }
    left = std::move(j);
  }
  depth_ = depth_before;
  return left;
}

std::string Parser::refused_join(std::string_view word) {
  const std::string w = upper(word);
  if (w == "RIGHT") {
    return "RIGHT JOIN is not supported: swap the two sides and write LEFT JOIN";
  }
  if (w == "FULL") {
    return "FULL OUTER JOIN is not supported: a streaming full join would keep both sides' "
           "unmatched rows and retract them later; write a LEFT JOIN (or two, with UNION ALL)";
  }
  if (w == "CROSS") {
    return "CROSS JOIN is not supported: a join of streams needs JOIN … ON with an equality of "
           "keys or a time bound";
  }
  if (w == "NATURAL") return "NATURAL JOIN is not supported; write JOIN … ON a.k = b.k";
  return "expected JOIN, INNER JOIN, LEFT [OUTER] JOIN or ASOF [LEFT] JOIN, found '" +
         std::string(word) + "'";
}

// name [FOR SYSTEM_TIME AS OF expr] [[AS] alias], or (query) [AS] alias.
Result<FromPtr> Parser::from_item() {
  const SourcePos at = peek().pos;
  if (is_symbol("(")) {
    auto item = std::make_unique<FromItem>(FromItem::Kind::kSubquery, at);
    SLC_ASSIGN_OR_RETURN(item->subquery, nested_select("'(' in FROM: a subquery is"));
    item->alias_pos = peek().pos;
    accept_word("AS");
    if (!is_alias()) {
      return Status(
          ErrorCode::kSqlSyntax,
          "a subquery in FROM needs an alias: (SELECT …) AS name, found " + describe(peek()),
          peek().pos.to_string());
    }
    item->alias_pos = peek().pos;
    item->alias = next().text;
    return item;
  }
  auto item = std::make_unique<FromItem>(FromItem::Kind::kTable, at);
  SLC_ASSIGN_OR_RETURN(item->name, identifier("a source, stream or view name"));
  if (is_word("FOR") && is_word("SYSTEM_TIME", 1)) {
    item->system_time_pos = next().pos;
    next();
    SLC_RETURN_IF_ERROR(expect_word("AS"));
    SLC_RETURN_IF_ERROR(expect_word("OF"));
    SLC_ASSIGN_OR_RETURN(item->system_time, operators(kConcat));
  }
  if (accept_word("AS")) {
    item->alias_pos = peek().pos;
    SLC_ASSIGN_OR_RETURN(item->alias, identifier("an alias for " + item->name));
  } else if (is_alias()) {
    item->alias_pos = peek().pos;
    item->alias = next().text;
  }
  return item;
}

// Whether the next token can be a FROM item's alias written without AS.
bool Parser::is_alias() const {
  if (peek().kind == TokenKind::kQuotedIdent) return true;
  return peek().kind == TokenKind::kWord && !reserved().count(upper(peek().text)) &&
         !starts_join(peek().text) && !is_word("OFFSET") && !is_word("USING") &&
         !is_word("RETENTION") && !(is_word("FOR") && is_word("SYSTEM_TIME", 1));
}

// ORDER BY ..., then LIMIT and OFFSET in either order (as PostgreSQL takes them). Parsed for
// every SELECT; the binder decides where they apply (ad-hoc SELECTs only).
Status Parser::order_limit(SelectStmt& q) {
  if (is_word("ORDER")) {
    q.order_pos = next().pos;
    SLC_RETURN_IF_ERROR(expect_word("BY"));
    do {
      SLC_ASSIGN_OR_RETURN(OrderItem item, order_item());
      q.order_by.push_back(std::move(item));
    } while (accept_symbol(","));
  }
  for (int i = 0; i < 2; ++i) {
    if (!q.limit && is_word("LIMIT")) {
      q.limit_pos = next().pos;
      if (accept_word("ALL")) {
        q.limit = INT64_MAX;
        continue;
      }
      SLC_ASSIGN_OR_RETURN(q.limit, row_count("LIMIT"));
    } else if (!q.offset && is_word("OFFSET")) {
      q.offset_pos = next().pos;
      SLC_ASSIGN_OR_RETURN(q.offset, row_count("OFFSET"));
      (void)(accept_word("ROW") || accept_word("ROWS"));
    }
  }
  return Status::Ok();
}

Result<OrderItem> Parser::order_item() {
  OrderItem item;
  SLC_ASSIGN_OR_RETURN(item.expr, expr());
  if (accept_word("DESC")) {
    item.descending = true;
  } else {
    accept_word("ASC");
  }
  if (accept_word("NULLS")) {
    if (accept_word("FIRST")) {
      item.nulls_first = true;
    } else if (accept_word("LAST")) {
      item.nulls_first = false;
    } else {
      return error("expected FIRST or LAST after NULLS");
    }
  }
  return item;
}

Result<int64_t> Parser::row_count(std::string_view clause) {
  const Token& t = peek();
  if (is_symbol("-") && peek(1).kind == TokenKind::kInteger) {
    return Status(ErrorCode::kSqlInvalidQuery, std::string(clause) + " must not be negative",
                  t.pos.to_string());
  }
  int64_t n = 0;
  if (t.kind == TokenKind::kInteger) {
    const auto [end, ec] = std::from_chars(t.text.data(), t.text.data() + t.text.size(), n);
    if (ec == std::errc() && end == t.text.data() + t.text.size()) {
      next();
      return n;
    }
  }
  return error("expected a row count (a non-negative integer) after " + std::string(clause));
}

}  // namespace parsing

Result<std::vector<Statement>> parse_statements(std::string_view sql, SourcePos start) {
  SLC_ASSIGN_OR_RETURN(std::vector<Token> tokens, tokenize(sql, start));
  parsing::Parser parser(std::move(tokens), sql);
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
  parsing::Parser parser(std::move(tokens), sql);
  return parser.lone_expression();
}

}  // namespace sluice::sql
