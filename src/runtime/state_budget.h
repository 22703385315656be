#pragma once
// StateBudget: the database's memory budget for operator state and view tables
// (`state.memory.max`, DatabaseOptions::state_memory_max). The compute thread checks it after
// each batch it pushes through the graph and each watermark it advances — never per row: a
// check reads every node's state_stats(), which are kept as the state changes (O(nodes)).
// Past the budget the pipeline fails with SLC-6001 naming the largest node and its size,
// rather than the system killing the process when memory runs out; committed checkpoints are
// untouched.
//
// Thread: the compute thread.

#include <cstdint>

#include "dataflow/graph.h"
#include "sluice/status.h"

namespace sluice::runtime {

class StateBudget {
 public:
  // `max_bytes` 0: no budget (check() is then free).
  explicit StateBudget(int64_t max_bytes) : max_bytes_(max_bytes) {}

  bool enabled() const { return max_bytes_ > 0; }
  // OK while the state of every node together is within the budget.
  Status check(const dataflow::Graph& graph) const;

 private:
  const int64_t max_bytes_;
};

}  // namespace sluice::runtime
