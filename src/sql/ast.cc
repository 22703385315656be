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

std::string Expr::to_sql() const {
  auto arg = [&](size_t i) { return args[i]->to_sql(); };
  switch (kind) {
    case ExprKind::kLiteral:
      switch (literal_kind) {
        case LiteralKind::kNull:
          return "NULL";
        case LiteralKind::kString: {
          std::string out = "'";
          for (char c : value_text) {
            out.push_back(c);
            if (c == '\'') out.push_back('\'');
          }
          return out + "'";
        }
        case LiteralKind::kInterval:
          return "INTERVAL '" + value_text + "' " + name;
        case LiteralKind::kTimestamp:
          return "TIMESTAMP '" + value_text + "'";
        default:
          return value_text;
      }
    case ExprKind::kColumn:
      return qualifier.empty() ? name : qualifier + "." + name;
    case ExprKind::kStar:
      return "*";
    case ExprKind::kUnary:
      return name == "NOT" ? "NOT " + arg(0) : "-" + arg(0);
    case ExprKind::kBinary:
      return "(" + arg(0) + " " + name + " " + arg(1) + ")";
    case ExprKind::kFunction: {
      std::string out = name + "(";
      if (distinct) out += "DISTINCT ";
      for (size_t i = 0; i < args.size(); ++i) out += (i ? ", " : "") + arg(i);
      return out + ")";
    }
    case ExprKind::kCase: {
      std::string out = "CASE";
      size_t i = 0;
      if (has_case_operand) out += " " + arg(i++);
      const size_t pairs_end = args.size() - (has_else ? 1 : 0);
      for (; i + 1 < pairs_end + 1 && i < pairs_end; i += 2) {
        out += " WHEN " + arg(i) + " THEN " + arg(i + 1);
      }
      if (has_else) out += " ELSE " + args.back()->to_sql();
      return out + " END";
    }
    case ExprKind::kCast:
      return "CAST(" + arg(0) + " AS " + std::string(type_name(cast_type)) + ")";
    case ExprKind::kIsNull:
      return arg(0) + (negated ? " IS NOT NULL" : " IS NULL");
    case ExprKind::kInList: {
      std::string out = arg(0) + (negated ? " NOT IN (" : " IN (");
      for (size_t i = 1; i < args.size(); ++i) out += (i > 1 ? ", " : "") + arg(i);
      return out + ")";
    }
    case ExprKind::kBetween:
      return arg(0) + (negated ? " NOT BETWEEN " : " BETWEEN ") + arg(1) + " AND " + arg(2);
    case ExprKind::kLike:
      return arg(0) + (negated ? " NOT LIKE " : " LIKE ") + arg(1);
    case ExprKind::kExtract:
      return "EXTRACT(" + name + " FROM " + arg(0) + ")";
  }
  return "?";
}

std::string SelectStmt::to_sql() const {
  std::string out = "SELECT ";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += ", ";
    out += items[i].expr->to_sql();
    if (!items[i].alias.empty()) out += " AS " + items[i].alias;
  }
  out += " FROM " + from;
  if (where) out += " WHERE " + where->to_sql();
  if (!group_by.empty()) {
    out += " GROUP BY ";
    for (size_t i = 0; i < group_by.size(); ++i) out += (i ? ", " : "") + group_by[i]->to_sql();
  }
  if (having) out += " HAVING " + having->to_sql();
  if (emit != EmitMode::kDefault) out += std::string(" EMIT ") + emit_mode_name(emit);
  return out;
}

}  // namespace sluice::sql
