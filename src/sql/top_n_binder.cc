#include "sql/top_n_binder.h"

#include <charconv>

#include "sql/event_time.h"

namespace sluice::sql {
namespace {

const char* const kSupported =
    ": top-N keeps rn <= N, rn < N or rn = 1, where rn is the select list's ROW_NUMBER() OVER "
    "(PARTITION BY … ORDER BY …) (or the call itself)";

bool is_call(const Expr& e) {
  return e.kind == ExprKind::kFunction && e.over != nullptr;
}

// Whether `e` stands for the row number: the select item's name, or a ROW_NUMBER() call.
bool names_row_number(const Expr& e, const TopNPieces& pieces) {
  if (is_call(e)) return true;
  return e.kind == ExprKind::kColumn && e.qualifier.empty() && !pieces.row_number_name.empty() &&
         to_lower(e.name) == to_lower(pieces.row_number_name);
}

bool is_integer(const Expr& e) {
  return e.kind == ExprKind::kLiteral && e.literal_kind == LiteralKind::kInteger;
}

// The call, the comparison (as rn <op> k) and k of a predicate the top-N supports.
struct Predicate {
  const Expr* call = nullptr;
  std::string op;
  int64_t k = 0;
};

bool contains_call(const Expr& e) {
  if (is_call(e)) return true;
  for (const ExprPtr& a : e.args) {
    if (contains_call(*a)) return true;
  }
  return false;
}

// Errors about the predicate as a whole point at its clause (a comparison's own position is
// its operator's).
Result<Predicate> read_predicate(const TopNPieces& pieces) {
  const Expr& p = *pieces.predicate;
  const std::string what = pieces.clause + " " + p.to_sql() + " is not supported";
  if (p.kind != ExprKind::kBinary || p.args.size() != 2) {
    return error_at(ErrorCode::kUnsupported, pieces.clause_pos, what + kSupported);
  }
  std::string op = p.ops[0].text;
  const Expr* rn = p.args[0].get();
  const Expr* k = p.args[1].get();
  if (!names_row_number(*rn, pieces) && names_row_number(*k, pieces)) {
    std::swap(rn, k);  // N >= rn is rn <= N
    if (op == "<")
      op = ">";
    else if (op == ">")
      op = "<";
    else if (op == "<=")
      op = ">=";
    else if (op == ">=")
      op = "<=";
  }
  if (!names_row_number(*rn, pieces) || !is_integer(*k) || (op != "<=" && op != "<" && op != "=")) {
    return error_at(ErrorCode::kUnsupported, pieces.clause_pos, what + kSupported);
  }
  Predicate out;
  out.op = op;
  out.call = is_call(*rn) ? rn : nullptr;
  const std::string& digits = k->value_text;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), out.k);
  if (ec != std::errc() || end != digits.data() + digits.size()) {
    return error_at(ErrorCode::kSqlInvalidQuery, k->pos, "top-N's N " + digits + " is too large");
  }
  return out;
}

}  // namespace

Result<BoundTopN> bind_top_n(const TopNPieces& pieces, ExprBinder& binder, Scope& input_scope,
                             const Catalog& catalog, std::string_view input) {
  if (pieces.predicate == nullptr) {
    const SourcePos at = pieces.row_number != nullptr ? pieces.row_number->pos : pieces.clause_pos;
    return error_at(ErrorCode::kSqlInvalidQuery, at,
                    "ROW_NUMBER() OVER (...) without a bound on it (QUALIFY rn <= N) is not "
                    "supported: numbering every row of an unbounded input would keep the whole "
                    "input as state and renumber it as rows arrive. Keep the first N rows");
  }
  if (pieces.row_number == nullptr && !contains_call(*pieces.predicate)) {
    return error_at(ErrorCode::kSqlInvalidQuery, pieces.clause_pos,
                    pieces.clause +
                        " filters on ROW_NUMBER() OVER (...): select it (AS rn) and compare "
                        "rn, or compare the call itself");
  }
  SLC_ASSIGN_OR_RETURN(Predicate p, read_predicate(pieces));
  const Expr* call = pieces.row_number != nullptr ? pieces.row_number : p.call;
  if (p.call != nullptr && pieces.row_number != nullptr &&
      p.call->to_sql() != pieces.row_number->to_sql()) {
    return error_at(ErrorCode::kSqlInvalidQuery, p.call->pos,
                    "this ROW_NUMBER() OVER (...) differs from the select list's (" +
                        pieces.row_number->to_sql() + "); a top-N has one; compare its alias");
  }
  int64_t n = p.k;
  if (p.op == "<") n = p.k - 1;
  if (p.op == "=" && p.k != 1) {
    return error_at(ErrorCode::kUnsupported, pieces.clause_pos,
                    pieces.clause + " rn = " + std::to_string(p.k) +
                        " keeps only each partition's row number " + std::to_string(p.k) +
                        ", not a top-N; use rn <= " + std::to_string(p.k) + " (or rn = 1)");
  }
  if (n < 1) {
    return error_at(ErrorCode::kSqlInvalidQuery, pieces.clause_pos,
                    pieces.clause + " " + pieces.predicate->to_sql() + " keeps no row");
  }
  if (n > kMaxTopN) {
    return error_at(ErrorCode::kSqlInvalidQuery, pieces.clause_pos,
                    "top-N keeps at most " + std::to_string(kMaxTopN) +
                        " rows per partition (each new row is compared with those kept); " +
                        std::to_string(n) + " asked");
  }
  const OverClause& over = *call->over;
  if (over.order_by.empty()) {
    return error_at(ErrorCode::kSqlInvalidQuery, over.pos,
                    "ROW_NUMBER() OVER (...) needs ORDER BY: it says which rows are the top N");
  }
  BoundTopN t;
  t.limit = n;
  t.row_number_column = pieces.row_number_column;
  t.sql = call->to_sql() + " <= " + std::to_string(n);
  for (const ExprPtr& key : over.partition_by) {
    SLC_ASSIGN_OR_RETURN(Bound b, binder.bind(*key, input_scope));
    if (b.untyped_null) {
      return error_at(ErrorCode::kSqlInvalidQuery, key->pos, "cannot partition by NULL");
    }
    if (t.window_key < 0 && b.expr->kind == BoundExpr::Kind::kColumn) {
      if (std::optional<int64_t> offset = window_complete_offset(catalog, input, b.expr->column)) {
        t.window_key = static_cast<int>(t.partition_keys.size());
        t.window_end_offset = *offset;
      }
    }
    t.partition_keys.push_back(b.expr);
  }
  SLC_ASSIGN_OR_RETURN(t.sort_keys, bind_sort_keys(over.order_by, binder, input_scope));
  return t;
}

Result<std::vector<TopNSortKey>> bind_sort_keys(const std::vector<OrderItem>& order_by,
                                                ExprBinder& binder, Scope& input_scope) {
  std::vector<TopNSortKey> keys;
  for (const OrderItem& item : order_by) {
    SLC_ASSIGN_OR_RETURN(Bound b, binder.bind(*item.expr, input_scope));
    if (b.untyped_null) {
      return error_at(ErrorCode::kSqlInvalidQuery, item.expr->pos, "cannot order by NULL");
    }
    TopNSortKey k;
    k.expr = b.expr;
    k.descending = item.descending;
    k.nulls_first = item.nulls_first.value_or(item.descending);
    keys.push_back(std::move(k));
  }
  return keys;
}

}  // namespace sluice::sql
