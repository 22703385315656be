#pragma once
// The syntax tree the parser produces. Every node keeps the position it came from, so the
// binder's errors can point at it. Names are as written (case is folded by lookups).

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sluice/data_type.h"
#include "sql/lexer.h"

namespace sluice::sql {

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

enum class ExprKind {
  kLiteral,   // value_text + literal_kind
  kColumn,    // name (qualifier optional)
  kStar,      // * in a select list or COUNT(*)
  kUnary,     // op: "-", "NOT"
  kBinary,    // op: + - * / % || = <> < <= > >= AND OR
  kFunction,  // name(args), distinct for COUNT(DISTINCT x)
  kCase,      // args: [operand?] when/then pairs, else; see case_* fields
  kCast,      // args[0] AS cast_type
  kIsNull,    // args[0] IS [NOT] NULL (negated)
  kInList,    // args[0] [NOT] IN (args[1..])
  kBetween,   // args[0] [NOT] BETWEEN args[1] AND args[2]
  kLike,      // args[0] [NOT] LIKE args[1]
  kExtract,   // EXTRACT(name FROM args[0])
};

enum class LiteralKind { kNull, kBool, kInteger, kDecimal, kString, kInterval, kTimestamp };

struct Expr {
  ExprKind kind;
  SourcePos pos;
  std::string name;       // column, function, operator, extract field
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

  Expr(ExprKind k, SourcePos p) : kind(k), pos(p) {}
  // The expression as SQL text (used for default column names and EXPLAIN).
  std::string to_sql() const;
};

struct SelectItem {
  ExprPtr expr;
  std::string alias;  // empty when none
};

enum class EmitMode { kDefault, kOnWindowClose, kOnUpdate, kChanges };
// "ON WINDOW CLOSE", "ON UPDATE", "CHANGES"; empty for kDefault. The one spelling of each mode.
const char* emit_mode_name(EmitMode mode);

struct SelectStmt {
  SourcePos pos;
  std::vector<SelectItem> items;
  std::string from;  // a source, stream or view
  SourcePos from_pos;
  ExprPtr where;
  std::vector<ExprPtr> group_by;  // may contain one TUMBLE/HOP/SESSION call
  ExprPtr having;
  std::optional<int64_t> allowed_lateness_micros;
  EmitMode emit = EmitMode::kDefault;
  SourcePos emit_pos;
  std::string to_sql() const;
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
  std::string show_what;  // SOURCES, STREAMS, MATERIALIZED VIEWS, SINKS, PIPELINE
  std::string text;       // the statement's own SQL text
};

}  // namespace sluice::sql
