#pragma once
// Graph: the running objects of one database — sources → streams / materialized views
// (cascades allowed) → sinks — as nodes that hold pointers to what reads them. Batches and
// watermarks move through node handles (SourceNode::push, ::advance_watermark, ::end_input);
// nothing is looked up by name on the data path. The graph also frames every node's state for
// a checkpoint.
//
// Each query node has one input, so its watermark is its input's (joins will take the
// minimum).
//
// Thread: the compute thread (or a test's) only; not synchronized.

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "dataflow/graph_image.h"
#include "dataflow/node.h"
#include "dataflow/query_node.h"
#include "dataflow/sink_node.h"
#include "dataflow/source_node.h"
#include "dataflow/state_codec.h"
#include "sql/catalog.h"
#include "sql/names.h"

namespace sluice::dataflow {

class Graph {
 public:
  Graph();
  ~Graph();
  Graph(const Graph&) = delete;
  Graph& operator=(const Graph&) = delete;

  // Adding links the node below its input (which must exist) at the input's watermark.
  SourceNode* add_source(std::shared_ptr<const sql::SourceDef> definition);
  QueryNode* add_query(std::shared_ptr<const sql::QueryDef> definition);
  SinkNode* add_sink(std::shared_ptr<const sql::SinkDef> definition);
  // Unlinks and destroys the node (the catalog makes sure nothing reads it).
  void remove(std::string_view name);

  Node* find(std::string_view name) const;
  SourceNode* source(std::string_view name) const;
  // Every node, by name.
  std::vector<Node*> nodes() const;
  // Calls fn(const Node&) for every node, by name, without allocating (per-batch checks).
  template <typename Fn>
  void for_each_node(Fn&& fn) const {
    for (const auto& [name, n] : nodes_) fn(static_cast<const Node&>(*n));
  }

  // The state of every node (operator state, watermarks, ended inputs, view tables,
  // counters), for a checkpoint: capture() freezes it now, cheaply (each operator's and view
  // table's own capture), and the image is written later, off the compute thread; snapshot()
  // writes a capture at once. restore() loads it into a graph declared by the same
  // statements; a checkpoint of a different graph is refused, naming the difference.
  GraphImage capture() const;
  void snapshot(StateWriter& writer) const;
  Status restore(StateReader& reader);

 private:
  void link(Node* node);

  std::map<std::string, std::unique_ptr<Node>, sql::NameLess> nodes_;  // by name, any case
};

}  // namespace sluice::dataflow
