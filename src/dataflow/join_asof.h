#pragma once
// AsofJoinOperator (JoinKind::kAsof): each left row joined with the right row of the same key
// whose time is the greatest at or before the left row's (and, with a tolerance, no older than
// the left row's time less it). Of right rows at the same time, the one that came last in the
// right input's order wins. The residual (the rest of ON) is then applied to that one pair: it
// does not choose among right rows (docs/joins_temporal.md says why). Inner: no pair, or a
// pair the residual rejects, emits nothing; left outer: the left row with NULL right columns.
//
// Determinism: a left row is answered only once the right watermark has passed its time (then
// no right row that could be closer can come: it would be late), so the answer is a function of
// the inputs, not of how they interleave. Left rows wait in a heap until then and are answered
// in (time, arrival) order. Right rows are kept per key in time order and pruned to what a
// future left row can still pick: rows older than the left side's bound less the tolerance,
// or (no tolerance) all but the newest at or below that bound, where the bound is the left
// watermark or the oldest waiting left row's time, whichever is older.
//
// Late rows (behind their side's watermark, or with a NULL time) are dropped and counted. A
// NULL key matches nothing (an outer join's left row still comes out, NULL-extended).
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

class AsofJoinOperator final : public JoinOperator {
 public:
  explicit AsofJoinOperator(std::shared_ptr<const sql::BoundJoin> join);

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
  // Drops right rows no left row can pick any more (amortized: see join_asof.cc).
  void maybe_prune();

  std::shared_ptr<const sql::BoundJoin> join_;
  JoinRowCodec left_codec_;
  JoinRowCodec right_codec_;
  JoinKeys left_keys_;
  JoinKeys right_keys_;
  JoinPairs pairs_;
  JoinVersions right_;
  JoinPendingRows waiting_;
  int64_t left_watermark_ = kNoWatermark;
  int64_t right_watermark_ = kNoWatermark;
  int64_t left_seq_ = 0;
  int64_t right_seq_ = 0;
  int64_t pruned_at_ = kNoWatermark;  // the bound of the last prune
  int64_t added_since_prune_ = 0;
  std::string row_;  // scratch: one encoded row
};

}  // namespace sluice::dataflow
