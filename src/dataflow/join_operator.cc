#include "dataflow/join_operator.h"

namespace sluice::dataflow {

Result<std::unique_ptr<JoinOperator>> make_join_operator(
    std::shared_ptr<const sql::BoundJoin> join) {
  switch (join->kind) {
    // One case per kind, returning its operator.
    default:
      break;
  }
  return Status(ErrorCode::kUnsupported,
                std::string(sql::join_kind_name(join->kind)) + " joins are not built yet");
}

}  // namespace sluice::dataflow
