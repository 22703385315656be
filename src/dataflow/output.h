#pragma once
// Output: where a graph node's batches leave the graph — the router's route for that node,
// which hands them to the node's subscriptions or to its sink's task. A node holds a pointer
// to its output, resolved when the catalog changes, so nothing is looked up per batch.
//
// Thread: deliver() is called on the compute thread only.

#include "sluice/record_batch.h"

namespace sluice::dataflow {

class Output {
 public:
  virtual ~Output() = default;
  // A batch the node emitted (for a sink: the rows its WHERE kept).
  virtual void deliver(const RecordBatch& batch) = 0;
};

}  // namespace sluice::dataflow
