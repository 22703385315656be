#pragma once
// The syntax tree the parser produces. Every node keeps the position it came from, so the
// binder's errors can point at it. Names are as written (case is folded by lookups).
//
// A tree is at most kMaxExpressionDepth levels deep (the parser refuses deeper ones), so code
// may walk it recursively. A flat chain of one precedence level (a + b - c …, a AND b AND …)
// is one node with all its operands, however long.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "sluice/data_type.h"
#include "sql/lexer.h"

namespace sluice::sql {

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;
struct OverClause;

// How many levels an expression may nest: each pair of parentheses, operator, function call,
// CASE, CAST, EXTRACT, IN list, NOT and unary sign around an operand is one level; a leaf is
// one. Past it the parser refuses the statement (SLC-1008), so that neither it nor the binder,
// the evaluation or a destructor can run out of stack. Sized to keep a whole statement's worst
// case well inside a default thread stack in a sanitizer build (docs/sql.md, "Limits").
inline constexpr int kMaxExpressionDepth = 500;

// An operator of a kBinary chain, as written.
struct Operator {
  std::string text;  // + - * / % || = <> < <= > >= AND OR
  SourcePos pos;
};

enum class ExprKind {
  kLiteral,   // value_text + literal_kind
  kColumn,    // name (qualifier optional)
  kStar,      // * in a select list (qualifier.* too) or COUNT(*)
  kUnary,     // op: "-", "NOT"
  kBinary,    // args[0] ops[0] args[1] ops[1] args[2] …: a flat chain of one precedence level
              // (AND; OR; ||; + -; * / %), evaluated left to right; a comparison has two args
  kFunction,  // name(args), distinct for COUNT(DISTINCT x)
  kCase,      // args: [operand?] when/then pairs, else; see case_* fields
  kCast,      // args[0] AS cast_type
  kIsNull,    // args[0] IS [NOT] NULL (negated)
  kInList,    // args[0] [NOT] IN (args[1..])
  kBetween,   // args[0] [NOT] BETWEEN args[1] AND args[2]
  kLike,      // args[0] [NOT] LIKE args[1]; name "ILIKE" for ILIKE
  kExtract,   // EXTRACT(name FROM args[0])
};

enum class LiteralKind { kNull, kBool, kInteger, kDecimal, kString, kInterval, kTimestamp };

struct Expr {
  ExprKind kind;
  SourcePos pos;
  std::string name;       // column, function, unary operator, extract field
  std::string qualifier;  // table.column
  LiteralKind literal_kind = LiteralKind::kNull;
  std::string value_text;  // literal text (strings unescaped)
  int64_t interval_micros = 0;
  bool negated = false;   // NOT IN, IS NOT NULL, NOT BETWEEN, NOT LIKE
  bool distinct = false;  // COUNT(DISTINCT x)
  bool has_case_operand = false;
  bool has_else = false;
  DataType cast_type = DataType::kInt64;
  std::vector<ExprPtr> args;
  ExprPtr filter;             // kFunction: an aggregate's FILTER (WHERE filter)
  std::vector<Operator> ops;  // kBinary: ops[i] stands between args[i] and args[i + 1]
  int levels = 1;             // nesting levels of this subtree, its own parentheses included

  // kFunction: a window function's OVER (...) (ROW_NUMBER's, for a top-N).
  std::unique_ptr<OverClause> over;

  // Out of line (ast.cc), where OverClause is complete: clang instantiates the members'
  // destructors in the constructor.
  Expr(ExprKind k, SourcePos p);
  // The expression as SQL text (used for default column names and EXPLAIN); a chain prints as
  // the left-nested binary operations it stands for: ((a + b) - c).
  std::string to_sql() const;
  // Where each node's text lies in a rendering: [begin, end) offsets.
  using Spans = std::unordered_map<const Expr*, std::pair<size_t, size_t>>;
  // Appends to_sql() to `out` in one pass; records every node's span when `spans` is given.
  void append_sql(std::string& out, Spans* spans = nullptr) const;
};

struct SelectItem {
  ExprPtr expr;
  std::string alias;  // empty when none
};

enum class EmitMode { kDefault, kOnWindowClose, kOnUpdate, kChanges };

// ORDER BY expr [ASC | DESC] [NULLS FIRST | LAST]: an output column's name or ordinal, or an
// expression. Without NULLS, NULLs sort as larger than every value (PostgreSQL): last
// ascending, first descending.
struct OrderItem {
  ExprPtr expr;
  bool descending = false;
  std::optional<bool> nulls_first;
};
// A window function's OVER (PARTITION BY e, … ORDER BY e [ASC|DESC] [NULLS …], … [frame]):
// ROW_NUMBER() without a frame (top-N), or an aggregate with ROWS BETWEEN n PRECEDING AND
// CURRENT ROW (an OVER frame); every other frame is refused by the parser where it is written.
// The most rows an OVER frame reaches back: a change recomputes the frames of the n rows after it.
inline constexpr int64_t kMaxRowsPreceding = 1000;
struct OverClause {
  SourcePos pos;  // of OVER
  std::vector<ExprPtr> partition_by;
  std::vector<OrderItem> order_by;
  int64_t rows_preceding = -1;  // the frame's n; -1 when the OVER has no frame
  SourcePos frame_pos;          // of ROWS
};

// "ON WINDOW CLOSE", "ON UPDATE", "CHANGES"; empty for kDefault. The one spelling of each mode.
const char* emit_mode_name(EmitMode mode);

struct SelectStmt;

// How two FROM items are joined, as written. RIGHT, FULL, CROSS, NATURAL and the comma are
// refused by the parser (docs/sql.md, "Joins").
enum class JoinSyntax {
  kInner,     // [INNER] JOIN
  kLeft,      // LEFT [OUTER] JOIN
  kAsof,      // ASOF JOIN (DuckDB's form)
  kAsofLeft,  // ASOF LEFT JOIN
};
// "JOIN", "LEFT JOIN", "ASOF JOIN", "ASOF LEFT JOIN".
const char* join_syntax_name(JoinSyntax join);

struct FromItem;
using FromPtr = std::unique_ptr<FromItem>;

// One item of FROM: a catalog object or WITH name, a subquery, or a join of two items (joins
// nest to the left: a JOIN b JOIN c is (a JOIN b) JOIN c).
struct FromItem {
  enum class Kind { kTable, kSubquery, kJoin };
  // Out of line (ast.cc), where SelectStmt is complete: clang instantiates the members'
  // destructors in the constructor.
  FromItem(Kind k, SourcePos p);
  ~FromItem();

  Kind kind;
  SourcePos pos;      // the name, the '(' of a subquery, or the first word of the join
  std::string name;   // kTable: a source, stream, view or WITH name
  std::string alias;  // kTable: optional; kSubquery: required
  SourcePos alias_pos;
  std::unique_ptr<SelectStmt> subquery;  // kSubquery
  // kTable, the right side of a lookup join: FOR SYSTEM_TIME AS OF <system_time> (Flink's form).
  ExprPtr system_time;
  SourcePos system_time_pos;  // the FOR
  // kJoin: left JOIN right ON on [RETENTION INTERVAL …].
  JoinSyntax join = JoinSyntax::kInner;
  FromPtr left;
  FromPtr right;
  ExprPtr on;
  ExprPtr retention;  // RETENTION INTERVAL …: how long a regular join keeps rows (a literal)

  // What qualified names call it: the alias, else the name (empty for a join).
  const std::string& reference() const { return alias.empty() ? name : alias; }
  void append_sql(std::string& out) const;
};

// WITH name AS (query): a query the statement's FROM items (and later WITH items) may name.
struct CommonTableExpr {
  std::string name;
  SourcePos pos;
  std::unique_ptr<SelectStmt> query;
};

struct SelectStmt {
  SourcePos pos;
  std::vector<CommonTableExpr> with;  // WITH …, in order (each sees the ones before it)
  bool distinct = false;              // SELECT DISTINCT (SELECT ALL is the default)
  SourcePos distinct_pos;
  std::vector<SelectItem> items;
  FromPtr from;  // a source, stream or view [AS alias], a subquery, or joins of them
  ExprPtr where;
  std::vector<ExprPtr> group_by;  // may contain one TUMBLE/HOP/SESSION call
  ExprPtr having;
  ExprPtr qualify;  // QUALIFY: a filter on the select list's window function (top-N)
  SourcePos qualify_pos;
  std::optional<int64_t> allowed_lateness_micros;
  EmitMode emit = EmitMode::kDefault;
  SourcePos emit_pos;
  // ORDER BY, LIMIT, OFFSET: ad-hoc SELECTs only (the binder refuses them on a stream).
  std::vector<OrderItem> order_by;
  SourcePos order_pos;
  std::optional<int64_t> limit;  // LIMIT n (LIMIT ALL: none)
  SourcePos limit_pos;
  std::optional<int64_t> offset;
  SourcePos offset_pos;
  // … UNION ALL <union_all[0]> UNION ALL …: the SELECTs after this one (without WITH, ORDER BY
  // or LIMIT of their own: those written after the last apply to the whole union).
  std::vector<std::unique_ptr<SelectStmt>> union_all;
  std::vector<SourcePos> union_pos;  // each UNION keyword
  // FROM names one catalog object or WITH name (no join, no subquery): that item, else null.
  const FromItem* single_table() const {
    return from && from->kind == FromItem::Kind::kTable ? from.get() : nullptr;
  }
  std::string to_sql() const;
  void append_sql(std::string& out) const;
};

struct Option {
  std::string key;  // lower-cased, dotted: queue.capacity
  std::string value;
  SourcePos pos;
};

struct ColumnDef {
  std::string name;
  DataType type;
  bool not_null = false;
  SourcePos pos;
};

enum class StatementKind {
  kCreateSource,
  kCreateStream,
  kCreateView,
  kCreateSink,
  kDrop,
  kShow,
  kDescribe,
  kExplain,
  kCheckpoint,
  kSelect,
};

enum class ObjectKind { kSource, kStream, kView, kSink };
// CREATE and DROP: the statements a data_dir's catalog log records.
bool changes_catalog(StatementKind kind);
const char* object_kind_name(ObjectKind kind);  // "source", "stream", "materialized view", "sink"

struct Statement {
  Statement(StatementKind k, SourcePos p) : kind(k), pos(p) {}

  StatementKind kind;
  SourcePos pos;
  std::string name;
  SourcePos name_pos;
  bool if_not_exists = false;
  bool if_exists = false;
  // CREATE SOURCE
  std::vector<ColumnDef> columns;
  std::string watermark_column;
  ExprPtr watermark_expr;
  SourcePos watermark_pos;
  // CREATE SOURCE / SINK options; for a sink, `connector` is the INTO name.
  std::vector<Option> options;
  std::string connector;
  SourcePos connector_pos;
  // CREATE STREAM / VIEW / SINK AS / ad-hoc SELECT / EXPLAIN query
  std::unique_ptr<SelectStmt> query;
  // CREATE SINK name FROM stream [WHERE expr]
  std::string sink_from;
  SourcePos sink_from_pos;
  ExprPtr sink_where;
  // DROP / SHOW
  ObjectKind object = ObjectKind::kSource;
  std::string show_what;  // SOURCES, STREAMS, MATERIALIZED VIEWS, SINKS, PIPELINE, CHECKPOINTS
  std::string text;       // the statement's own SQL text
};

}  // namespace sluice::sql
