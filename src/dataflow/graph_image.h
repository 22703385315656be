#pragma once
// GraphImage: the whole graph's checkpoint state as it was at Graph::capture() — per node its
// name and kind, counters and watermarks, and the images of its operator state and view table —
// written later, off the compute thread, in the format Graph::restore reads. The framing lives
// here alone: Graph::snapshot is a capture written at once.
//
// Thread: made on the compute thread; write() runs on any one thread, once.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "dataflow/node.h"
#include "dataflow/operator.h"
#include "dataflow/state_codec.h"

namespace sluice::dataflow {

class GraphImage {
 public:
  struct NodeImage {
    std::string name;
    sql::ObjectKind kind;
    Node::Progress progress;
    std::unique_ptr<StateImage> op;     // null: a node without operator state (empty bytes)
    std::unique_ptr<StateImage> table;  // null: a node without a view table
  };

  void add(NodeImage node) { nodes_.push_back(std::move(node)); }
  void write(StateWriter& writer) const;

 private:
  std::vector<NodeImage> nodes_;  // in the graph's order (by name)
};

}  // namespace sluice::dataflow
