#pragma once
// IntervalJoinOperator: the interval join (JoinKind::kInterval) and the window join
// (kWindow), inner or left outer, over two append-only inputs.
//
// A left row at t matches the right rows with the same key whose time s lies in
// [t - lower, t + upper] (a window join: lower = upper = 0 over the rows' window bounds) and
// that the residual accepts. Whichever row of a pair comes second finds the first stored, so
// each pair is emitted once, whatever the interleaving. A row is kept until the other side's
// watermark has passed the last time it could match:
//   left row at t:  until right watermark > t + upper (+ the right window's end offset - 1);
//   right row at s: until left watermark  > s + lower (+ the left window's end offset - 1).
// A row behind its own side's watermark (a window join: whose window has closed on its side,
// end <= watermark) is late: dropped and counted; so is a row with a NULL time. A left outer
// join emits a left row that matched nothing with NULLs when it is dropped — once the right
// watermark has passed it — or at once when its key is NULL (it can never match).
//
// Thread: the compute thread.

#include <memory>
#include <vector>

#include "dataflow/join_operator.h"
#include "dataflow/join_output.h"
#include "dataflow/join_rows.h"
#include "dataflow/join_side.h"

namespace sluice::dataflow {

class IntervalJoinOperator final : public JoinOperator {
 public:
  static Result<std::unique_ptr<JoinOperator>> make(std::shared_ptr<const sql::BoundJoin> join);

  Status process(int side, const RecordBatch& input, std::vector<RecordBatch>& out) override;
  Status on_watermark(int side, int64_t watermark, std::vector<RecordBatch>& out) override;
  std::unique_ptr<StateImage> capture() const override;
  Status restore(StateReader& reader) override;
  StateStats state_stats() const override;
  std::string describe() const override;

 private:
  IntervalJoinOperator(std::shared_ptr<const sql::BoundJoin> join, JoinSide left, JoinSide right,
                       bool with_op);
  JoinRows& rows(int side) { return side == kLeftSide ? left_rows_ : right_rows_; }
  bool outer() const { return join_->type == sql::JoinType::kLeftOuter; }
  // Emits the candidate pairs gathered so far that the residual accepts, marking the left
  // rows among them matched.
  Status flush_pairs(int side, std::vector<RecordBatch>& out);
  Status emit(JoinOutput& output, std::vector<RecordBatch>& out);

  std::shared_ptr<const sql::BoundJoin> join_;
  JoinSide sides_[2];
  JoinRows left_rows_;
  JoinRows right_rows_;
  int64_t watermarks_[2] = {kNoWatermark, kNoWatermark};
  // A row of side X at t is behind X's watermark when t + shift_[X] < it; it matches rows of
  // the other side up to t + reach_[X] (left: upper, right: lower).
  int64_t shift_[2] = {0, 0};
  int64_t reach_[2] = {0, 0};
  JoinOutput pairs_;
  JoinOutput padded_;
  // Reused per batch: the batch prepared, which of the pairs the residual kept, which batch
  // rows matched, and what each row was.
  JoinSide::Batch batch_;
  std::vector<uint32_t> kept_;
  std::vector<uint8_t> matched_;
  std::vector<uint8_t> kinds_;
};

}  // namespace sluice::dataflow
