#pragma once
// Pipeline: the catalog and the running graph of one database. It executes SQL (DDL,
// SHOW, DESCRIBE, EXPLAIN, ad-hoc SELECT over materialized views) and moves data: a batch
// pushed into a source flows through every stream and view that reads it, in order, and
// out to sinks (filtered by their WHERE) and to the output listener; watermarks follow.
//
// The graph: sources → streams / materialized views (cascades allowed) → sinks. Each query
// node has one input, so its watermark is its input's (joins will take the minimum).
//
// Thread: everything here runs on one thread (the runtime's compute thread, or a test's);
// the pipeline is not synchronized.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "dataflow/operator.h"
#include "sluice/record_batch.h"
#include "sluice/status.h"
#include "sql/ast.h"
#include "sql/catalog.h"
#include "sql/names.h"

namespace sluice::dataflow {

struct ExecResult {
  std::string message;  // "CREATE STREAM vwap", "DROP SINK out", "SELECT 3"
  bool has_rows = false;
  RecordBatch rows;  // SELECT, SHOW, DESCRIBE, EXPLAIN
};

// Receives every batch a stream or view emits and every batch a sink is handed.
using OutputListener =
    std::function<void(const std::string& name, sql::ObjectKind kind, const RecordBatch& batch)>;

class Pipeline {
 public:
  Pipeline();
  ~Pipeline();
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  // Executes exactly one statement.
  Result<ExecResult> execute(std::string_view sql);
  Result<ExecResult> execute(const sql::Statement& statement);

  Status push(std::string_view source, const RecordBatch& batch);
  // Decodes JSON lines against the source's schema; any bad line rejects the whole push.
  Status push_json(std::string_view source, std::string_view lines);
  // Moves a source's watermark forward (never back).
  Status advance_watermark(std::string_view source, int64_t watermark);
  // The source has no more input: its final watermark closes every window downstream.
  Status end_input(std::string_view source);
  Status end_all_inputs();

  // The state of every node (operator state, watermarks, ended inputs, view tables,
  // counters), for a checkpoint. restore() loads it into a pipeline declared by the same
  // statements; a checkpoint of a different pipeline is refused, naming the difference.
  void snapshot(StateWriter& writer) const;
  Status restore(StateReader& reader);

  void set_listener(OutputListener listener) { listener_ = std::move(listener); }
  const sql::Catalog& catalog() const { return catalog_; }
  // The database checkpoints (exactly-once sinks are allowed).
  void set_checkpointing(bool on) { catalog_.set_checkpointing(on); }
  // The connectors the binder looks names up in (not owned); set before the first statement.
  void set_connectors(const sql::ConnectorCatalog* connectors) {
    catalog_.set_connectors(connectors);
  }
  Result<OperatorStats> stats(std::string_view name) const;
  int64_t watermark(std::string_view name) const;
  // The graph as JSON, for tools: {"nodes":[{"name","kind","input","schema"}...]}.
  std::string graph_json() const;

 private:
  struct Node;

  Result<ExecResult> create_source(const sql::Statement& s);
  Result<ExecResult> create_query(const sql::Statement& s);
  Result<ExecResult> create_sink(const sql::Statement& s);
  Result<ExecResult> drop(const sql::Statement& s);
  Result<ExecResult> show(const sql::Statement& s) const;
  Result<ExecResult> describe(const sql::Statement& s) const;
  Result<ExecResult> explain(const sql::Statement& s);
  Result<ExecResult> select(const sql::Statement& s);

  Result<Node*> add_query_node(const std::string& name, sql::ObjectKind kind,
                               std::shared_ptr<const sql::BoundQuery> query, bool anonymous,
                               const std::string& text);
  Node* node(std::string_view name) const;
  void link(Node* node);
  Status feed(Node& node, const RecordBatch& batch);
  Status publish(Node& node, const RecordBatch& batch);
  Status advance(Node& node, int64_t watermark);
  void explain_lines(const Node& node, const std::string& indent,
                     std::vector<std::string>& out) const;
  std::string node_line(const Node& node) const;

  sql::Catalog catalog_;
  std::map<std::string, std::unique_ptr<Node>, sql::NameLess> nodes_;  // by name, any case
  OutputListener listener_;
  std::vector<RecordBatch> scratch_;
  int anonymous_streams_ = 0;
};

}  // namespace sluice::dataflow
