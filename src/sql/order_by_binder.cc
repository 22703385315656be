#include "sql/order_by_binder.h"

#include <charconv>

#include "sql/names.h"

namespace sluice::sql {
namespace {

// The output column of a select item written as `text`, or -1.
int item_column(const SelectStmt& select, const std::string& text, int input_width) {
  int column = 0;
  for (const SelectItem& item : select.items) {
    if (item.expr->kind == ExprKind::kStar) {
      column += input_width;
      continue;
    }
    if (to_lower(item.expr->to_sql()) == text) return column;
    ++column;
  }
  return -1;
}

}  // namespace

Result<std::vector<Field>> bind_order_by(const SelectStmt& select, ExprBinder& binder, Scope& scope,
                                         const std::vector<Field>& out_fields, BoundQuery& q) {
  std::vector<Field> hidden;
  const int selected = static_cast<int>(out_fields.size());
  for (const OrderItem& o : select.order_by) {
    const Expr& x = *o.expr;
    int column = -1;
    if (x.kind == ExprKind::kLiteral && x.literal_kind == LiteralKind::kInteger) {
      int64_t position = 0;
      const std::string& digits = x.value_text;
      const auto [end, ec] =
          std::from_chars(digits.data(), digits.data() + digits.size(), position);
      if (ec != std::errc() || end != digits.data() + digits.size() || position < 1 ||
          position > selected) {
        return error_at(ErrorCode::kSqlInvalidQuery, x.pos,
                        "ORDER BY position " + digits + " is not in the select list (1 to " +
                            std::to_string(selected) + ")");
      }
      column = static_cast<int>(position - 1);
    } else if (x.kind == ExprKind::kColumn && x.qualifier.empty()) {
      for (int c = 0; c < selected; ++c) {
        if (to_lower(out_fields[static_cast<size_t>(c)].name) == to_lower(x.name)) column = c;
      }
    }
    if (column < 0) column = item_column(select, to_lower(x.to_sql()), scope.input->num_fields());
    if (column < 0) {
      if (select.distinct) {
        return error_at(ErrorCode::kSqlInvalidQuery, x.pos,
                        "with SELECT DISTINCT, ORDER BY " + x.to_sql() +
                            " must be one of the selected columns");
      }
      SLC_ASSIGN_OR_RETURN(Bound b, binder.bind(x, scope));
      BoundExprPtr e = b.untyped_null ? make_literal(Value::Null(DataType::kVarchar)) : b.expr;
      column = selected + static_cast<int>(hidden.size());
      q.projection.push_back(e);
      hidden.push_back(Field{"_order" + std::to_string(hidden.size() + 1), e->type, true});
    }
    // PostgreSQL: NULLs sort as larger than any value unless NULLS FIRST / LAST says.
    q.order_by.push_back(SortKey{column, o.descending, o.nulls_first.value_or(o.descending)});
  }
  q.first_hidden_column = selected;
  q.hidden_columns = static_cast<int>(hidden.size());
  return hidden;
}

}  // namespace sluice::sql
