#pragma once
// AsofJoinOperator (JoinKind::kAsof): each left row joined with the right row of the same key
// whose time is the greatest at or before the left row's (and, with a tolerance, no older than
// the left row's time less it). Of right rows at the same time, the one that came last in the
// right input's order wins. The residual (the rest of ON) is then applied to that one pair: it
// does not choose among right rows (docs/joins_temporal.md says why). Inner: no pair, or a
// pair the residual rejects, emits nothing; left outer: the left row with NULL right columns.
//
// Determinism, held left rows, late rows and the amortized prune: HeldLeftJoin. Right rows are
// kept per key in time order and pruned to what a future left row can still pick: rows older
// than the left side's bound less the tolerance, or (no tolerance) all but the newest at or
// below that bound. Late right rows are dropped and counted.
//
// Thread: the compute thread (JoinOperator).

#include <memory>
#include <string>

#include "dataflow/join_held_left.h"

namespace sluice::dataflow {

class AsofJoinOperator final : public HeldLeftJoin {
 public:
  explicit AsofJoinOperator(std::shared_ptr<const sql::BoundJoin> join);

  std::string describe() const override;

 private:
  Status process_right(const RecordBatch& input) override;
  uint32_t pick(uint32_t key, int64_t time) const override;
  void prune(int64_t bound) override;
};

}  // namespace sluice::dataflow
