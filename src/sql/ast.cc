#include "sql/ast.h"

namespace sluice::sql {

const char* emit_mode_name(EmitMode mode) {
  switch (mode) {
    case EmitMode::kOnWindowClose:
      return "ON WINDOW CLOSE";
    case EmitMode::kOnUpdate:
      return "ON UPDATE";
    case EmitMode::kChanges:
      return "CHANGES";
    case EmitMode::kDefault:
      break;
  }
  return "";
}

bool changes_catalog(StatementKind kind) {
  switch (kind) {
    case StatementKind::kCreateSource:
    case StatementKind::kCreateStream:
    case StatementKind::kCreateView:
    case StatementKind::kCreateSink:
    case StatementKind::kDrop:
      return true;
    default:
      return false;
  }
}

const char* object_kind_name(ObjectKind kind) {
  switch (kind) {
    case ObjectKind::kSource:
      return "source";
    case ObjectKind::kStream:
      return "stream";
    case ObjectKind::kView:
      return "materialized view";
    case ObjectKind::kSink:
      return "sink";
  }
  return "object";
}

namespace {

void append_order_item(const OrderItem& item, std::string& out, Expr::Spans* spans) {
  item.expr->append_sql(out, spans);
  if (item.descending) out += " DESC";
  if (item.nulls_first) out += *item.nulls_first ? " NULLS FIRST" : " NULLS LAST";
}

void append_over(const OverClause& over, std::string& out, Expr::Spans* spans) {
  out += " OVER (";
  for (size_t i = 0; i < over.partition_by.size(); ++i) {
    out += i ? ", " : "PARTITION BY ";
    over.partition_by[i]->append_sql(out, spans);
  }
  for (size_t i = 0; i < over.order_by.size(); ++i) {
    out += i ? ", " : over.partition_by.empty() ? "ORDER BY " : " ORDER BY ";
    append_order_item(over.order_by[i], out, spans);
  }
  if (over.rows_preceding >= 0) {
    out += " ROWS BETWEEN " + std::to_string(over.rows_preceding) + " PRECEDING AND CURRENT ROW";
  }
  out += ")";
}

}  // namespace

std::string Expr::to_sql() const {
  std::string out;
  append_sql(out);
  return out;
}

// One pass appending to one string, so the text of an expression costs time linear in its
// size (returning a string per node would copy each subtree's text once per level above it).
void Expr::append_sql(std::string& out, Spans* spans) const {
  const size_t begin = out.size();
  auto arg = [&](size_t i) { args[i]->append_sql(out, spans); };
  switch (kind) {
    case ExprKind::kLiteral:
      switch (literal_kind) {
        case LiteralKind::kNull:
          out += "NULL";
          break;
        case LiteralKind::kString:
          out += '\'';
          for (char c : value_text) {
            out.push_back(c);
            if (c == '\'') out.push_back('\'');
          }
          out += '\'';
          break;
        case LiteralKind::kInterval:
          out += "INTERVAL '" + value_text + "'";
          if (!name.empty()) out += " " + name;  // empty when the units are in the string
          break;
        case LiteralKind::kTimestamp:
          out += "TIMESTAMP '" + value_text + "'";
          break;
        default:
          out += value_text;
          break;
      }
      break;
    case ExprKind::kColumn:
      if (!qualifier.empty()) out += qualifier + ".";
      out += name;
      break;
    case ExprKind::kStar:
      if (!qualifier.empty()) out += qualifier + ".";
      out += "*";
      break;
    case ExprKind::kUnary:
      out += name == "NOT" ? "NOT " : "-";
      arg(0);
      break;
    case ExprKind::kBinary:
      // A chain prints as the left-nested operations it stands for: ((a + b) - c).
      out.append(args.size() - 1, '(');
      arg(0);
      for (size_t i = 1; i < args.size(); ++i) {
        out += " " + ops[i - 1].text + " ";
        arg(i);
        out += ")";
      }
      break;
    case ExprKind::kFunction:
      if (name == "CURRENT_TIMESTAMP" && args.empty()) {
        out += name;  // as the standard writes it, without parentheses
        break;
      }
      if (name == "POSITION" && args.size() == 2) {
        out += "POSITION(";
        arg(0);
        out += " IN ";
        arg(1);
        out += ")";
        break;
      }
      out += name + "(";
      if (distinct) out += "DISTINCT ";
      for (size_t i = 0; i < args.size(); ++i) {
        if (i) out += ", ";
        arg(i);
      }
      out += ")";
      if (filter) {
        out += " FILTER (WHERE ";
        filter->append_sql(out, spans);
        out += ")";
      }
      if (over) append_over(*over, out, spans);
      break;
    case ExprKind::kCase: {
      out += "CASE";
      size_t i = 0;
      if (has_case_operand) {
        out += " ";
        arg(i++);
      }
      const size_t pairs_end = args.size() - (has_else ? 1 : 0);
      for (; i < pairs_end; i += 2) {
        out += " WHEN ";
        arg(i);
        out += " THEN ";
        arg(i + 1);
      }
      if (has_else) {
        out += " ELSE ";
        arg(args.size() - 1);
      }
      out += " END";
      break;
    }
    case ExprKind::kCast:
      out += "CAST(";
      arg(0);
      out += " AS " + std::string(type_name(cast_type)) + ")";
      break;
    case ExprKind::kIsNull:
      arg(0);
      out += negated ? " IS NOT NULL" : " IS NULL";
      break;
    case ExprKind::kInList:
      arg(0);
      out += negated ? " NOT IN (" : " IN (";
      for (size_t i = 1; i < args.size(); ++i) {
        if (i > 1) out += ", ";
        arg(i);
      }
      out += ")";
      break;
    case ExprKind::kBetween:
      arg(0);
      out += negated ? " NOT BETWEEN " : " BETWEEN ";
      arg(1);
      out += " AND ";
      arg(2);
      break;
    case ExprKind::kLike:
      arg(0);
      out += negated ? " NOT " : " ";
      out += name.empty() ? "LIKE " : name + " ";
      arg(1);
      break;
    case ExprKind::kExtract:
      out += "EXTRACT(" + name + " FROM ";
      arg(0);
      out += ")";
      break;
  }
  if (spans != nullptr) (*spans)[this] = {begin, out.size()};
}

const char* join_syntax_name(JoinSyntax join) {
  switch (join) {
    case JoinSyntax::kInner:
      return "JOIN";
    case JoinSyntax::kLeft:
      return "LEFT JOIN";
    case JoinSyntax::kAsof:
      return "ASOF JOIN";
    case JoinSyntax::kAsofLeft:
      return "ASOF LEFT JOIN";
  }
  return "JOIN";
}

Expr::Expr(ExprKind k, SourcePos p) : kind(k), pos(p) {}
FromItem::FromItem(Kind k, SourcePos p) : kind(k), pos(p) {}
FromItem::~FromItem() = default;

void FromItem::append_sql(std::string& out) const {
  switch (kind) {
    case Kind::kTable:
      out += name;
      if (system_time) {
        out += " FOR SYSTEM_TIME AS OF ";
        system_time->append_sql(out);
      }
      break;
    case Kind::kSubquery:
      out += "(";
      subquery->append_sql(out);
      out += ")";
      break;
    case Kind::kJoin:
      left->append_sql(out);
      out += std::string(" ") + join_syntax_name(join) + " ";
      right->append_sql(out);
      out += " ON ";
      on->append_sql(out);
      if (retention) {
        out += " RETENTION ";
        retention->append_sql(out);
      }
      return;
  }
  if (!alias.empty()) out += " AS " + alias;
}

std::string SelectStmt::to_sql() const {
  std::string out;
  append_sql(out);
  return out;
}

void SelectStmt::append_sql(std::string& out) const {
  for (size_t i = 0; i < with.size(); ++i) {
    out += i ? ", " : "WITH ";
    out += with[i].name + " AS (";
    with[i].query->append_sql(out);
    out += ")";
  }
  if (!with.empty()) out += " ";
  out += distinct ? "SELECT DISTINCT " : "SELECT ";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += ", ";
    items[i].expr->append_sql(out);
    if (!items[i].alias.empty()) out += " AS " + items[i].alias;
  }
  out += " FROM ";
  from->append_sql(out);
  if (where) {
    out += " WHERE ";
    where->append_sql(out);
  }
  if (!group_by.empty()) {
    out += " GROUP BY ";
    for (size_t i = 0; i < group_by.size(); ++i) {
      if (i) out += ", ";
      group_by[i]->append_sql(out);
    }
  }
  if (having) {
    out += " HAVING ";
    having->append_sql(out);
  }
  if (qualify) {
    out += " QUALIFY ";
    qualify->append_sql(out);
  }
  if (emit != EmitMode::kDefault) out += std::string(" EMIT ") + emit_mode_name(emit);
  for (const auto& branch : union_all) {
    out += " UNION ALL ";
    branch->append_sql(out);
  }
  for (size_t i = 0; i < order_by.size(); ++i) {
    out += i ? ", " : " ORDER BY ";
    append_order_item(order_by[i], out, nullptr);
  }
  if (limit) out += " LIMIT " + std::to_string(*limit);
  if (offset) out += " OFFSET " + std::to_string(*offset);
}

}  // namespace sluice::sql
