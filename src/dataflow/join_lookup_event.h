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
// time asked meanwhile is below it). A delete of a row the join does not hold (late, or
// pruned) changes nothing.
//
// Determinism, as the ASOF join's: a left row is answered once the right watermark has passed
// its time (then no version at or before it can come: it would be late), so the output is a
// function of each input's rows and watermarks, not of their interleaving or batches. Left rows
// wait in a heap (JoinPendingRows) and are answered in (time, arrival) order.
//
// Late rows (behind their side's watermark, or with a NULL time) are dropped and counted: left
// rows, and the view's inserts (late versions). A NULL key matches nothing.
//
// State: the versions per key (JoinVersions with ends) and the waiting left rows. Pruned by
// the left side's bound (the left watermark, or the oldest waiting left row's time, whichever
// is older): a view without deletes (no `_op`) keeps per key its newest version at or before
// the bound and those after it, as the ASOF join; one with deletes keeps every version still
// valid at the bound (a later delete could end a newer one and uncover it).
//
// Thread: the compute thread (JoinOperator).

#include <memory>
#include <string>
#include <vector>

#include "dataflow/join_keys.h"
#include "dataflow/join_operator.h"
#include "dataflow/join_pairs.h"
#include "dataflow/join_pending.h"
#include "dataflow/join_row_codec.h"
#include "dataflow/join_versions.h"

namespace sluice::dataflow {

class EventLookupJoinOperator final : public JoinOperator {
 public:
  explicit EventLookupJoinOperator(std::shared_ptr<const sql::BoundJoin> join);

  Status process(int side, const RecordBatch& input, std::vector<RecordBatch>& out) override;
  Status on_watermark(int side, int64_t watermark, std::vector<RecordBatch>& out) override;
  std::unique_ptr<StateImage> capture() const override;
  Status restore(StateReader& reader) override;
  StateStats state_stats() const override;
  std::string describe() const override;

 private:
  Status process_left(const RecordBatch& input, std::vector<RecordBatch>& out);
  Status process_right(const RecordBatch& input);
  // Adds the pair (or the NULL-extended row) of one left row to pairs_.
  void answer(std::string_view row, std::string_view key, uint64_t hash, bool null_key,
              int64_t time);
  // The oldest time a left row still to be answered can ask for.
  int64_t left_bound() const;
  // Drops versions no left row can get any more (amortized, as the ASOF join's).
  void maybe_prune();

  std::shared_ptr<const sql::BoundJoin> join_;
  const bool right_has_op_;  // the view's rows end with `_op` ('insert' / 'delete')
  JoinRowCodec left_codec_;
  JoinRowCodec right_codec_;  // the view's columns, without `_op`
  JoinKeys left_keys_;
  JoinKeys right_keys_;
  JoinPairs pairs_;
  JoinVersions versions_{/*with_ends=*/true};
  JoinPendingRows waiting_;
  int64_t left_watermark_ = kNoWatermark;
  int64_t right_watermark_ = kNoWatermark;
  int64_t version_clock_ = kNoWatermark;  // the greatest time of a version that was not late
  int64_t left_seq_ = 0;
  int64_t right_seq_ = 0;
  int64_t pruned_at_ = kNoWatermark;  // the bound of the last prune
  int64_t added_since_prune_ = 0;
  std::string row_;  // scratch: one encoded row
};

}  // namespace sluice::dataflow
