#pragma once
// Node: one object of the running graph — a source, a stream, a materialized view or a sink.
// A node takes batches and watermarks from the node it reads (sources: from the intake), and
// hands what it emits to its Output (the router) and to every node downstream, depth-first.
// Each kind is a class of its own (source_node, query_node, view_node, sink_node); the graph
// moves data only through this interface.
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
  // What this node reads (empty for sources).
  virtual const std::string& input() const;

  // A batch from the node upstream.
  virtual Status feed(const RecordBatch& batch) = 0;
  // The upstream watermark reached `watermark`: close what it closes, then pass it on.
  virtual Status advance(int64_t watermark);
  // The node joins a running graph below `upstream`: it starts at upstream's watermark.
  virtual void join_at(int64_t watermark) { watermark_ = watermark; }

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

  void add_downstream(Node* node) { downstream_.push_back(node); }
  void remove_downstream(const Node* node) { std::erase(downstream_, node); }
  const std::vector<Node*>& downstream() const { return downstream_; }
  // Where emitted batches leave the graph (null: nowhere).
  void set_output(Output* output) { output_ = output; }

  int64_t watermark() const { return watermark_; }
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
  // "stream 'x'": for error locations.
  std::string what() const;

  int64_t watermark_ = kNoWatermark;
  int64_t rows_in_ = 0;
  int64_t rows_out_ = 0;

 private:
  const std::string name_;
  const sql::ObjectKind kind_;
  std::vector<Node*> downstream_;
  Output* output_ = nullptr;
};

}  // namespace sluice::dataflow
