#pragma once
// Node: one object of the running graph — a source, a stream, a materialized view or a sink —
// or one step of an object's query (a join, a UNION ALL, a subquery: sql/bound_plan.h).
// A node takes batches and watermarks from the nodes it reads, each on its own port (the
// position of that input in inputs(); sources: from the intake), and hands what it emits to
// its Output (the router) and to every node downstream, depth-first. A one-input node reads
// port 0 and ignores the port. Each kind is a class of its own (source_node, query_node,
// view_node, sink_node, join_node, union_node); the graph moves data only through this
// interface.
//
// Thread: the compute thread (or a test's) only; nodes need no locks.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "dataflow/operator.h"
#include "dataflow/output.h"
#include "dataflow/state_codec.h"
#include "sluice/record_batch.h"
#include "sluice/status.h"
#include "sql/ast.h"

namespace sluice::dataflow {

class Node {
 public:
  Node(std::string name, sql::ObjectKind kind) : name_(std::move(name)), kind_(kind) {}
  virtual ~Node() = default;
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  const std::string& name() const { return name_; }
  sql::ObjectKind kind() const { return kind_; }
  // What this node reads, one name per port in port order (empty for sources).
  virtual std::vector<std::string> inputs() const { return {}; }
  // The object this node is a step of (empty: the node is a catalog object itself).
  virtual const std::string& step_of() const;
  // The kind as SHOW PIPELINE and the graph JSON name it: the object's kind, or a step's
  // ("join", "union", "subquery").
  virtual const char* kind_label() const { return sql::object_kind_name(kind_); }

  // A batch from the node upstream on `port`.
  virtual Status feed(const RecordBatch& batch, int port) = 0;
  // The watermark of the input on `port` reached `watermark`: close what it closes, then pass
  // this node's watermark on.
  virtual Status advance(int64_t watermark, int port);
  // The input on `port` stopped (idle = true) or started again (false) receiving rows for its
  // source's idle.timeout: a node with several inputs leaves an idle one out of its minimum.
  // A one-input node is idle when its input is, and says so downstream.
  virtual Status set_input_idle(bool idle, int port);
  // The node joins a running graph: its input on `port` is at `watermark` (and idle or not).
  // Called once per port, in port order, before any batch.
  virtual void join_input(int port, int64_t watermark, bool idle);
  // Processing time (a query grouped by a processing-time window, query_node.h): whether it
  // is one; when the clock closes its next window (µs since 1970; kNoWatermark: at once, it has
  // not started; kFinalWatermark: never, the default); and the clock reached `now`: close what
  // it closes.
  virtual bool processing_time() const { return false; }
  virtual int64_t next_processing_deadline() const { return kFinalWatermark; }
  virtual Status advance_processing_time(int64_t now) {
    (void)now;
    return Status::Ok();
  }

  // What EXPLAIN prints after "<kind> <name>".
  virtual std::string describe() const = 0;
  virtual OperatorStats stats() const;

  // Checkpoint state, in the format GraphImage frames: the operator's state, then the view
  // table's rows. The captures are frozen now and written later (null: none; a missing table
  // is written as -1).
  virtual std::unique_ptr<StateImage> capture_operator() const { return nullptr; }
  virtual Status restore_operator(StateReader& reader) {
    (void)reader;
    return Status::Ok();
  }
  virtual std::unique_ptr<StateImage> capture_table() const { return nullptr; }
  virtual Status restore_table(StateReader& reader);

  // What the node's operator holds (the memory budget and SHOW PIPELINE read it: O(1)).
  virtual StateStats operator_state() const { return {}; }
  // What its view table holds; groups are the table's distinct rows. {0, 0} without a table.
  virtual StateStats table_state() const { return {}; }
  virtual bool has_table() const { return false; }

  // A node reading this one on `port` (a node may read the same input on two ports).
  struct Link {
    Node* node;
    int port;
  };
  void add_downstream(Node* node, int port) { downstream_.push_back(Link{node, port}); }
  // Every link to `node`.
  void remove_downstream(const Node* node) {
    std::erase_if(downstream_, [node](const Link& l) { return l.node == node; });
  }
  const std::vector<Link>& downstream() const { return downstream_; }
  // Where emitted batches leave the graph (null: nowhere).
  void set_output(Output* output) { output_ = output; }

  int64_t watermark() const { return watermark_; }
  // No rows for the idle timeout of every source above (see set_input_idle).
  bool idle() const { return idle_; }
  int64_t rows_in() const { return rows_in_; }
  int64_t rows_out() const { return rows_out_; }

  // Counters and watermarks every node checkpoints (Graph::snapshot frames them).
  struct Progress {
    int64_t watermark;
    int64_t max_event_time;
    bool ended;
    int64_t rows_in;
    int64_t rows_out;
  };
  virtual Progress progress() const;
  virtual void set_progress(const Progress& p);

 protected:
  // Hands a batch to the output and to every node downstream.
  Status emit(const RecordBatch& batch);
  // Moves this node's watermark and passes it downstream (never back).
  Status advance_downstream(int64_t watermark);
  // Sets this node's idleness and, when it changed, tells every node downstream.
  Status set_idle(bool idle);
  // "stream 'x'": for error locations.
  std::string what() const;

  int64_t watermark_ = kNoWatermark;
  int64_t rows_in_ = 0;
  int64_t rows_out_ = 0;
  bool idle_ = false;  // not checkpointed: a restored source is active until its timeout

 private:
  const std::string name_;
  const sql::ObjectKind kind_;
  std::vector<Link> downstream_;
  Output* output_ = nullptr;
};

}  // namespace sluice::dataflow
