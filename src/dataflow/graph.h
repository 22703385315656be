#pragma once
// Graph: the running objects of one database — sources → streams / materialized views
// (cascades allowed) → sinks — as nodes that hold pointers to what reads them. Batches and
// watermarks move through node handles (SourceNode::push, ::advance_watermark, ::end_input);
// nothing is looked up by name on the data path. The graph also frames every node's state for
// a checkpoint.
//
// An object whose query reads a join, a UNION ALL or a subquery (sql::BoundQuery::steps) has
// its steps as nodes of their own, named "<object>$<n>", added before it and removed with it.
// A node with one input takes its input's watermark; one with several, their minimum
// (multi_input_node.h).
//
// The graph owns the processing clock (processing_clock.h): PROCTIME() reads it, and the owner
// of the graph (the compute loop) calls advance_processing_time() when it passes
// next_processing_deadline(), so processing-time windows close even when no rows arrive.
//
// Thread: the compute thread (or a test's) only; not synchronized.

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "dataflow/graph_image.h"
#include "dataflow/join_operator.h"
#include "dataflow/node.h"
#include "dataflow/processing_clock.h"
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

  // Makes a join step's operator (default: make_join_operator).
  using JoinFactory =
      std::function<Result<std::unique_ptr<JoinOperator>>(std::shared_ptr<const sql::BoundJoin>)>;

  // Adding links the node below its inputs (which must exist) at their watermarks. A query's
  // steps are added first, each below its inputs, then the query's own node below the last;
  // when one cannot be made (a join its operator refuses) nothing is added.
  SourceNode* add_source(std::shared_ptr<const sql::SourceDef> definition);
  Result<QueryNode*> add_query(std::shared_ptr<const sql::QueryDef> definition);
  SinkNode* add_sink(std::shared_ptr<const sql::SinkDef> definition);
  // Unlinks and destroys the node and its steps (the catalog makes sure nothing reads it).
  void remove(std::string_view name);
  // Tests: join operators made by `factory` instead (a test double of JoinOperator).
  void set_join_factory(JoinFactory factory) { join_factory_ = std::move(factory); }

  Node* find(std::string_view name) const;
  SourceNode* source(std::string_view name) const;
  // Every node, by name (steps included).
  std::vector<Node*> nodes() const;
  // The step nodes of `object`, in the order they were added (each after its inputs).
  std::vector<Node*> steps_of(std::string_view object) const;
  // Calls fn(const Node&) for every node, by name, without allocating (per-batch checks).
  template <typename Fn>
  void for_each_node(Fn&& fn) const {
    for (const auto& [name, n] : nodes_) fn(static_cast<const Node&>(*n));
  }

  // The state of every node (operator state, watermarks, ended inputs, view tables,
  // counters), for a checkpoint: capture() freezes it now, cheaply (each operator's and view
  // table's own capture), and the image is written later, off the compute thread; snapshot()
  // writes a capture at once. restore() loads it into a graph declared by the same
  // statements; a checkpoint of a different graph (another object or step, a step computing
  // something else) is refused, naming the difference.
  GraphImage capture() const;
  void snapshot(StateWriter& writer) const;
  // Restored processing-time windows keep their ends: they close when the clock passes them (at
  // once when it already has), and the clock starts no earlier than the checkpoint had reached.
  Status restore(StateReader& reader);

  // Processing time. Whether any node closes windows by the clock (O(1): per loop cycle).
  bool has_processing_time() const { return !processing_time_nodes_.empty(); }
  // When the clock next closes a window (µs since 1970; kNoWatermark: at once; kFinalWatermark:
  // none will).
  int64_t next_processing_deadline() const;
  // Reads the clock and closes, in every such node, the windows that ended by then.
  Status advance_processing_time();
  ProcessingClock& processing_clock() { return clock_; }

 private:
  // Links `node` below each of its inputs, port by port, at their watermarks.
  void link(Node* node);
  // Unlinks the node from its inputs and destroys it.
  void erase(std::string_view name);

  std::map<std::string, std::unique_ptr<Node>, sql::NameLess> nodes_;  // by name, any case
  JoinFactory join_factory_;
  ProcessingClock clock_;
  std::vector<Node*> processing_time_nodes_;  // nodes_ whose windows the clock closes
};

}  // namespace sluice::dataflow
