#pragma once
// What a lookup join needs of its view (docs/joins_temporal.md, "Lookup join"):
//   - FOR SYSTEM_TIME AS OF PROCTIME() asks for the view's rows as each left row arrives
//     (Flink's processing-time lookup), an explicit opt-in: the answer depends on how the
//     view's changes and the left rows interleave;
//   - FOR SYSTEM_TIME AS OF l.ts asks for the view's version valid at l.ts (Flink's event-time
//     temporal join). The view is then versioned by its version time: its first TIMESTAMP
//     column that is an event-time column by the rule every join's time columns follow
//     (event_time.h: a source's watermark column passed through, any column when no watermark
//     is declared upstream, or the window_end of an upstream window without lateness), so that
//     which versions are late is a function of the input. A view whose changelog depends on
//     how its input was batched — an aggregate emitting per batch (EMIT CHANGES or ON UPDATE,
//     docs/sql.md "Watermarks and late rows") — has no such column, and versioning it would not
//     be deterministic: refused, saying what to write instead.
//
// Thread: whoever binds; pure functions over the catalog.

#include <string>
#include <vector>

#include "sluice/schema.h"
#include "sluice/status.h"
#include "sql/ast.h"
#include "sql/catalog.h"

namespace sluice::sql {

// Whether FOR SYSTEM_TIME AS OF's expression is PROCTIME().
bool is_proctime(const Expr& system_time);

// The version time of view `view` (its rows `schema`; `change_column` its `_op`, or -1): a
// column of `schema`. kSqlInvalidQuery saying why when it has none (the caller adds the
// position, the view's name).
Result<int> view_version_time(const Catalog& catalog, const std::string& view, const Schema& schema,
                              int change_column, const std::vector<PlanStep>* steps);

}  // namespace sluice::sql
