#pragma once
// RegularJoinOperator: the regular join (JoinKind::kRegular), inner or left outer, of two
// inputs that may each emit changes (an `_op` column: 'insert' / 'delete').
//
// Both sides' rows are kept; a row matches the other side's rows with the same key that the
// residual accepts. An insert emits the joined rows it makes; a delete removes one stored copy
// of the row and emits a delete of every joined row it had made (Flink / RisingWave
// semantics). A left outer join emits a left row with NULLs while it has no match: it
// retracts that row (delete) when the first match arrives and emits it again (insert) when
// the last match is deleted. The output carries `_op` when the join emits changes (a left
// outer join, or an input that updates); an inner join of append-only inputs emits inserts
// only, without `_op`.
//
// State is unbounded by default. With a retention R (> 0, both sides with a time column), a
// row at t joins only the rows of the other side at times within R of t, and is dropped once
// the other side's watermark has passed t + R; a row behind its own side's watermark is late
// (dropped and counted), as in an interval join. So what joins never depends on when state was
// dropped. A delete of a row already dropped retracts nothing.
//
// The changelog's order depends on how the inputs interleave (as any changelog); what it
// adds up to — the joined rows after all changes — does not.
//
// Thread: the compute thread.

#include <memory>
#include <vector>

#include "dataflow/join_operator.h"
#include "dataflow/join_output.h"
#include "dataflow/join_rows.h"
#include "dataflow/join_side.h"

namespace sluice::dataflow {

class RegularJoinOperator final : public JoinOperator {
 public:
  static Result<std::unique_ptr<JoinOperator>> make(std::shared_ptr<const sql::BoundJoin> join);

  Status process(int side, const RecordBatch& input, std::vector<RecordBatch>& out) override;
  Status on_watermark(int side, int64_t watermark, std::vector<RecordBatch>& out) override;
  std::unique_ptr<StateImage> capture() const override;
  Status restore(StateReader& reader) override;
  StateStats state_stats() const override;
  std::string describe() const override;

 private:
  RegularJoinOperator(std::shared_ptr<const sql::BoundJoin> join, JoinSide left, JoinSide right,
                      bool with_op);
  JoinRows& rows(int side) { return side == kLeftSide ? left_rows_ : right_rows_; }
  bool outer() const { return join_->type == sql::JoinType::kLeftOuter; }
  bool retained() const { return join_->retention > 0; }
  // Finds the pairs each row of the batch makes with the other side's rows and which of
  // them the residual accepts (passed_).
  Status find_pairs(int side, int64_t rows);

  std::shared_ptr<const sql::BoundJoin> join_;
  JoinSide sides_[2];
  JoinRows left_rows_;
  JoinRows right_rows_;
  int64_t watermarks_[2] = {kNoWatermark, kNoWatermark};
  JoinOutput pairs_;   // the candidate pairs, for the residual
  JoinOutput output_;  // what is emitted
  // Reused per batch.
  JoinSide::Batch batch_;
  std::vector<uint8_t> kinds_;
  std::vector<uint32_t> pair_rows_;
  std::vector<uint32_t> pair_stored_;
  std::vector<uint8_t> passed_;
  std::vector<uint32_t> kept_;
};

}  // namespace sluice::dataflow
