#pragma once
// An ad-hoc SELECT: a one-shot query over the current rows of materialized views, with what a
// continuous query's FROM takes (joins, subqueries, WITH, UNION ALL). Its plan runs with the
// continuous path's own nodes and operators, in a graph of its own: each view read becomes a
// bounded source holding the view's rows, the statement's steps (sql/bound_plan.h) and its
// query go below them, every source ends at once (which flushes windows and a left join's NULL
// rows), and the query's node keeps its result as a view keeps its rows (a changelog — a left
// join's NULL rows retracted as matches come, an aggregate's updates — folded into its current
// rows). Then the finishing steps only a complete result takes (adhoc_result.h).
//
// The views' rows are one consistent point: the compute thread runs statements between its
// cycles, never while a batch is half through the graph.
//
// Thread: a function; runs on the compute thread (or a test's), which owns the graph it reads.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "dataflow/graph.h"
#include "sluice/record_batch.h"
#include "sluice/status.h"
#include "sql/ast.h"
#include "sql/catalog.h"

namespace sluice::dataflow {

// Checks the state the SELECT's own graph holds against the database's budget (the runtime's
// state.memory.max); called after each batch of view rows goes through, so a join too large to
// answer fails with the budget's error instead of running out of memory. Empty: no budget.
using AdhocStateCheck = std::function<Status(const Graph&)>;

// What an ad-hoc SELECT runs: its query bound over the views' current rows (every view a bounded
// source of its table's schema, in `snapshot`), and the views it reads, in the order it reads
// them. EXPLAIN SELECT shows it; run_adhoc_select runs it.
struct AdhocPlan {
  sql::Catalog snapshot;
  std::shared_ptr<const sql::BoundQuery> query;
  std::vector<std::string> views;
};

// `select` is the statement's query; `catalog` and `graph` the database's (read only).
// Reading anything but materialized views (and WITH names) is refused, as are the joins a
// snapshot has no meaning for (ASOF, FOR SYSTEM_TIME AS OF, RETENTION), each saying why. NOW()
// is the statement's time, read here.
Result<AdhocPlan> bind_adhoc_select(const sql::SelectStmt& select, const sql::Catalog& catalog,
                                    const Graph& graph);

// Whether `select` reads a source or a stream (anywhere: a join, a subquery, a WITH item): the
// SELECT of a continuous query, which runs only as CREATE … AS it (and EXPLAIN shows that plan).
bool reads_a_stream(const sql::SelectStmt& select, const sql::Catalog& catalog);

// Binds (bind_adhoc_select) and runs the SELECT.
Result<RecordBatch> run_adhoc_select(const sql::SelectStmt& select, const sql::Catalog& catalog,
                                     const Graph& graph, const AdhocStateCheck& check_state);

}  // namespace sluice::dataflow
