#pragma once
// LookupJoinOperator (JoinKind::kLookup, BoundJoin::processing_time: FOR SYSTEM_TIME AS OF
// PROCTIME(), Flink's processing-time lookup join): each left row joined with the rows a
// materialized view holds for its key at the moment the left row is processed ("as of its
// arrival"). The right input is the view's output: its changelog (`_op` 'insert'/'delete', when
// BoundJoin::right_updating) or, for an append-only view, inserts only; the operator keeps, per
// key, the view's current rows (a multiset) and emits append-only rows: a later change of the
// view never retracts or amends a row already joined.
//
// An explicit opt-in: the result depends on how the view's changes and the left rows
// interleave (thread timing when they come from different sources), not on the rows and
// watermarks alone (docs/joins_temporal.md). For one interleaving it is deterministic: batch
// sizes do not matter, and recovery restores the view's rows of the checkpoint. The default,
// FOR SYSTEM_TIME AS OF l.ts, is the event-time join (join_lookup_event.h).
//
// The residual filters each (left row, view row) pair; a left outer join emits a left row
// with NULL right columns when no pair passes. A NULL key matches nothing. Nothing is late: a
// left row is answered as it arrives (BoundJoin::left_time is -1), the view is its state.
//
// Thread: the compute thread (JoinOperator).

#include <memory>
#include <string>
#include <vector>

#include "dataflow/join_keys.h"
#include "dataflow/join_operator.h"
#include "dataflow/join_pairs.h"
#include "dataflow/join_row_codec.h"
#include "dataflow/join_versions.h"

namespace sluice::dataflow {

class LookupJoinOperator final : public JoinOperator {
 public:
  explicit LookupJoinOperator(std::shared_ptr<const sql::BoundJoin> join);

  Status process(int side, const RecordBatch& input, std::vector<RecordBatch>& out) override;
  Status on_watermark(int side, int64_t watermark, std::vector<RecordBatch>& out) override;
  std::unique_ptr<StateImage> capture() const override;
  Status restore(StateReader& reader) override;
  StateStats state_stats() const override;
  std::string describe() const override;

 private:
  Status process_left(const RecordBatch& input, std::vector<RecordBatch>& out);
  Status process_right(const RecordBatch& input);

  std::shared_ptr<const sql::BoundJoin> join_;
  const bool right_has_op_;  // the right rows end with `_op` ('insert' / 'delete')
  JoinRowCodec left_codec_;
  JoinRowCodec right_codec_;  // the view's columns, without `_op`
  JoinKeys left_keys_;
  JoinKeys right_keys_;
  JoinPairs pairs_;
  JoinVersions view_;  // per key, the view's current rows (time 0: newest arrival first)
  int64_t left_watermark_ = kNoWatermark;
  int64_t right_seq_ = 0;
  std::string row_;  // scratch: one encoded row
};

}  // namespace sluice::dataflow
