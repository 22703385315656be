#pragma once
// Introspection: the statements that read the catalog and the graph without changing them —
// SHOW SOURCES / STREAMS / MATERIALIZED VIEWS / PIPELINE, DESCRIBE, EXPLAIN, an ad-hoc SELECT
// over a materialized view's current rows — and the graph as JSON for tools. (SHOW SINKS, with
// the sink tasks' live metrics, belongs to the runtime's sink registry.)
//
// Thread: the compute thread (or a test's) only.

#include <string>
#include <vector>

#include "columnar/json_writer.h"
#include "dataflow/adhoc_select.h"
#include "dataflow/graph.h"
#include "sluice/query_result.h"
#include "sql/ast.h"
#include "sql/catalog.h"

namespace sluice::dataflow {

class Introspection {
 public:
  Introspection(const sql::Catalog& catalog, const Graph& graph)
      : catalog_(catalog), graph_(graph) {}

  Result<QueryResult> show(const sql::Statement& s) const;
  Result<QueryResult> describe(const sql::Statement& s) const;
  // EXPLAIN name: the graph from the sources down to the object and below it. EXPLAIN SELECT:
  // what the ad-hoc SELECT would run (bind_adhoc_select), refused as it would be.
  Result<QueryResult> explain(const sql::Statement& s) const;
  // An ad-hoc SELECT (adhoc_select.h); `check_state` bounds what its own graph holds.
  Result<QueryResult> select(const sql::Statement& s,
                             const AdhocStateCheck& check_state = {}) const;
  // Writes the member "nodes": [{"name","kind","input","outputs","plan","step_of","rows_in",
  // "rows_out","late_rows","unmatched_deletes","idle","state_groups","state_bytes","table_rows"}]
  // into the object the caller has open: every object, each after its steps ("step_of": the
  // object; null for an object itself).
  void write_nodes(JsonWriter& writer) const;

 private:
  // "stream vwap: tumble(...)", "join s$1: interval inner join …": one node as EXPLAIN
  // prints it.
  std::string node_line(const Node& node) const;
  void explain_below(const Node& node, const std::string& indent,
                     std::vector<std::string>& out) const;
  // From the sources down to `node`, one line each, indented; a node with several inputs
  // starts a new block after its inputs' (its line names them). Returns how deep `node`'s
  // line is indented, in steps of three.
  size_t explain_chain(const Node* node, std::vector<std::string>& out) const;
  // EXPLAIN's line for each join, union and subquery step.
  void explain_steps(const std::vector<sql::PlanStep>& steps,
                     std::vector<std::string>& lines) const;
  // Every object's steps, then the object: the nodes SHOW PIPELINE and the JSON list.
  std::vector<const Node*> listed_nodes() const;

  const sql::Catalog& catalog_;
  const Graph& graph_;
};

}  // namespace sluice::dataflow
