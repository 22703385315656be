#pragma once
// bind_top_n: a top-N (bound_top_n.h) from the pieces of SQL it is written with, so that both
// spellings bind through one function:
//   SELECT …, ROW_NUMBER() OVER (PARTITION BY … ORDER BY …) AS rn FROM x QUALIFY rn <= N
//   SELECT * FROM (SELECT …, ROW_NUMBER() OVER (…) AS rn FROM x) WHERE rn <= N   (Flink's)
// Internal to the sql module.
//
// Thread: whoever binds.

#include <string>
#include <string_view>
#include <vector>

#include "sluice/status.h"
#include "sql/ast.h"
#include "sql/bound_top_n.h"
#include "sql/catalog.h"
#include "sql/expr_binder.h"

namespace sluice::sql {

struct TopNPieces {
  // The select list's ROW_NUMBER() OVER (…) call, its output name and position; null (and -1)
  // when the row number is not selected and the predicate holds the call itself.
  const Expr* row_number = nullptr;
  std::string row_number_name;
  int row_number_column = -1;
  // The predicate that bounds it (QUALIFY's, or the outer WHERE of the subquery form), and
  // where its clause begins; null when there is none (refused: the state would be unbounded).
  const Expr* predicate = nullptr;
  SourcePos clause_pos;
  std::string clause = "QUALIFY";  // the clause's name, for messages
};

// Binds the partition and sort keys over `input_scope` (the rows of `input`, after WHERE),
// reads N from the predicate (rn <= N, rn < N, rn = 1, either way round) and finds whether a
// partition key is an upstream window's bound (its partitions then end with the window).
// Errors point at what is refused, saying what is supported.
Result<BoundTopN> bind_top_n(const TopNPieces& pieces, ExprBinder& binder, Scope& input_scope,
                             const Catalog& catalog, std::string_view input);

// An OVER clause's ORDER BY items bound over the input, as a top-N and an OVER frame both sort
// (NULLs first when descending unless NULLS FIRST/LAST says otherwise); ORDER BY NULL refused.
Result<std::vector<TopNSortKey>> bind_sort_keys(const std::vector<OrderItem>& order_by,
                                                ExprBinder& binder, Scope& input_scope);

}  // namespace sluice::sql
