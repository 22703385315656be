#pragma once
// The top-N idiom of Flink and RisingWave,
//   SELECT … FROM (SELECT …, ROW_NUMBER() OVER (…) AS rn FROM x) [AS] t WHERE rn <= N
// read as the subquery's QUALIFY rn <= N: the outer WHERE's conjunct on the row number moves
// into the subquery, so the binder sees one bounded top-N (bind_top_n), exactly as if QUALIFY
// had been written. Only `rn <= N`, `rn < N` and `rn = N` (either way round, `rn` plain or
// qualified by the subquery's alias, N an integer literal) move; anything else is left where it
// is, and an unbounded ROW_NUMBER is then refused by the binder as it would be without this.
//
// Thread: whoever parses; works on the statement's own tree.

#include "sql/ast.h"

namespace sluice::sql {

// Rewrites `select` (and nothing else: the parser calls it for every SELECT it reads).
void fuse_top_n_idiom(SelectStmt& select);

}  // namespace sluice::sql
