#include "runtime/state_budget.h"

namespace sluice::runtime {

Status StateBudget::check(const dataflow::Graph& graph) const {
  if (max_bytes_ <= 0) return Status::Ok();
  int64_t total = 0;
  const dataflow::Node* largest = nullptr;
  int64_t largest_bytes = 0;
  graph.for_each_node([&](const dataflow::Node& n) {
    const int64_t bytes = n.operator_state().bytes + n.table_state().bytes;
    total += bytes;
    if (bytes > largest_bytes) {
      largest = &n;
      largest_bytes = bytes;
    }
  });
  if (total <= max_bytes_ || largest == nullptr) return Status::Ok();
  const dataflow::StateStats op = largest->operator_state();
  const dataflow::StateStats table = largest->table_state();
  std::string holds = std::to_string(largest_bytes) + " bytes of state (";
  holds += std::to_string(op.groups) + " groups";
  if (largest->has_table()) holds += ", " + std::to_string(table.groups) + " distinct rows";
  holds += ")";
  std::string who = std::string(largest->kind_label()) + " '" + largest->name() + "'";
  if (!largest->step_of().empty()) who += " (a step of '" + largest->step_of() + "')";
  return Status(ErrorCode::kStateMemoryExceeded,
                who + " holds " + holds + "; all operators and views hold " +
                    std::to_string(total) +
                    " bytes, over state.memory.max = " + std::to_string(max_bytes_) + " bytes");
}

}  // namespace sluice::runtime
