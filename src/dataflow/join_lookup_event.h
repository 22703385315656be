#pragma once
// EventLookupJoinOperator (JoinKind::kLookup by event time: FOR SYSTEM_TIME AS OF l.ts): each
// left row joined with the view's version valid at the left row's time, Flink's event-time
// temporal join. The view is versioned by its time column (BoundJoin::right_time, the view's
// event-time column the binder found) and keyed by the join's keys: each row the view emits is
// a version of its key, valid from its time; of a key's versions valid at time t, the one with
// the greatest time at or before t is the answer (ties: the last to arrive). The residual is
// then applied to that pair, as in the ASOF join; inner: no version, or one the residual
// rejects, emits nothing; left outer: the left row with NULL right columns.
//
// A view's delete carries the deleted row's values, whose time is when it became valid, not
// when it stopped; and when it reaches the join depends on batching. So a delete ends its
// version at the view's version clock — the greatest time of the versions it has emitted that
// were not late — as it stands once the next such version (of any key) has come. For an update
// (a delete and an insert, in either order, as one input row of a top-1 or an aggregate makes
// them) that is the new row's time when versions come in time order; when no version follows,
// never. It is a function of the view's changelog alone, and never before a time already
// answered: a version that is not late is at or after the right watermark, which every
// answered left row's time is below. Until it is known the deleted version stays valid (every
// time asked meanwhile is below it). A delete that ends no version the join holds without an
// end (its insert was late, or never came: an inconsistent changelog) changes nothing and is
// counted (OperatorStats::unmatched_deletes); a pruned version has its end already, so a
// consistent changelog never deletes it again.
//
// Determinism, held left rows, late left rows and the amortized prune, as the ASOF join's:
// HeldLeftJoin. The view's inserts behind its watermark are late versions: dropped and counted.
//
// State: the versions per key (JoinVersions with ends) and the waiting left rows. Pruned by
// the left side's bound: a view without deletes (no `_op`) keeps per key its newest version at
// or before the bound and those after it, as the ASOF join; one with deletes keeps every
// version still valid at the bound (a later delete could end a newer one and uncover it).
//
// Thread: the compute thread (JoinOperator).

#include <memory>
#include <string>
#include <vector>

#include "dataflow/join_held_left.h"

namespace sluice::dataflow {

class EventLookupJoinOperator final : public HeldLeftJoin {
 public:
  explicit EventLookupJoinOperator(std::shared_ptr<const sql::BoundJoin> join);

  std::string describe() const override;

 private:
  Status process_right(const RecordBatch& input) override;
  uint32_t pick(uint32_t key, int64_t time) const override;
  void prune(int64_t bound) override;
  void capture_scalars(std::vector<int64_t>& values) const override;
  Status restore_scalars(StateReader& reader) override;

  const bool right_has_op_;               // the view's rows end with `_op` ('insert' / 'delete')
  int64_t version_clock_ = kNoWatermark;  // the greatest time of a version that was not late
};

}  // namespace sluice::dataflow
