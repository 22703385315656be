#include "dataflow/join_operator.h"

#include "dataflow/join_asof.h"
#include "dataflow/join_interval.h"
#include "dataflow/join_lookup.h"
#include "dataflow/join_lookup_event.h"
#include "dataflow/join_regular.h"

namespace sluice::dataflow {

Result<std::unique_ptr<JoinOperator>> make_join_operator(
    std::shared_ptr<const sql::BoundJoin> join) {
  switch (join->kind) {
    // One case per kind, returning its operator.
    case sql::JoinKind::kAsof:
      if (join->left_updating || join->right_updating) {
        return Status(ErrorCode::kUnsupported,
                      "an ASOF join's inputs must be append-only streams; '" + join->sql +
                          "' reads one that updates (a changelog)");
      }
      return std::unique_ptr<JoinOperator>(std::make_unique<AsofJoinOperator>(join));
    case sql::JoinKind::kLookup:
      if (join->left_updating) {
        return Status(ErrorCode::kUnsupported,
                      "a lookup join's left input must be an append-only stream; '" + join->sql +
                          "' reads one that updates (a changelog)");
      }
      if (join->processing_time) {
        return std::unique_ptr<JoinOperator>(std::make_unique<LookupJoinOperator>(join));
      }
      if (join->left_time < 0 || join->right_time < 0) {
        return Status(ErrorCode::kUnsupported,
                      "a lookup join by event time needs the left side's AS OF column and the "
                      "view's version time; '" +
                          join->sql + "' has no " +
                          (join->left_time < 0 ? "AS OF column" : "version time"));
      }
      return std::unique_ptr<JoinOperator>(std::make_unique<EventLookupJoinOperator>(join));
    case sql::JoinKind::kInterval:
    case sql::JoinKind::kWindow:
      return IntervalJoinOperator::make(std::move(join));
    case sql::JoinKind::kRegular:
      return RegularJoinOperator::make(std::move(join));
    default:
      break;
  }
  return Status(ErrorCode::kUnsupported,
                std::string(sql::join_kind_name(join->kind)) + " joins are not built yet");
}

}  // namespace sluice::dataflow
