#pragma once
// Ddl: CREATE SOURCE / STREAM / MATERIALIZED VIEW / SINK and DROP — binds the statement
// against the catalog, then adds or removes the object in the catalog and its node in the
// graph, together. Nothing half-exists: a statement that fails changes neither.
//
// Undo paths (a sink whose connector could not open, a source whose log could not open) use
// the typed remove_* calls, never SQL text.
//
// Thread: the compute thread (or a test's) only.

#include <string>
#include <string_view>

#include "dataflow/graph.h"
#include "sluice/query_result.h"
#include "sluice/status.h"
#include "sql/ast.h"
#include "sql/catalog.h"

namespace sluice::dataflow {

class Ddl {
 public:
  Ddl(sql::Catalog& catalog, Graph& graph) : catalog_(catalog), graph_(graph) {}

  Result<QueryResult> create_source(const sql::Statement& s);
  Result<QueryResult> create_query(const sql::Statement& s);  // STREAM or MATERIALIZED VIEW
  Result<QueryResult> create_sink(const sql::Statement& s);
  Result<QueryResult> drop(const sql::Statement& s);

  // Removes an object and its node (a sink also takes its anonymous AS SELECT stream; a
  // query, its step nodes).
  void remove(const std::string& name);

  // A bound query added as a stream or view: its step nodes and its node in the graph, then
  // the catalog entry. When a node cannot be made (a join operator refused) neither changes.
  // create_query's second half; tests add hand-built queries through it.
  Result<std::shared_ptr<const sql::QueryDef>> add_query(
      const std::string& name, sql::ObjectKind kind, std::shared_ptr<const sql::BoundQuery> query,
      bool anonymous, const std::string& text);

 private:
  Status check_new_name(const sql::Statement& s, sql::ObjectKind kind) const;

  sql::Catalog& catalog_;
  Graph& graph_;
};

// "unknown object 'x' (did you mean 'y'?)" at `pos`.
Status unknown_object(std::string_view name, const sql::Catalog& catalog, sql::SourcePos pos);

}  // namespace sluice::dataflow
