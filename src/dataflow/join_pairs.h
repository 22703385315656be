#pragma once
// JoinPairs: a temporal join's output for a run of left rows, built from their candidate pairs
// and then filtered by the residual (the rest of ON) in one vectorized pass:
//   inner       a pair is emitted when the residual is TRUE;
//   left outer  as inner, and a left row none of whose pairs passes (or that has none) is
//               emitted once with the right columns NULL.
// Rows are the output schema's: the left columns, then the right columns (a temporal join is
// append-only: the binder gives it no `_op`, sql/join_binder.cc). Left rows keep their order;
// a left row's pairs come in the order they were added; the NULL-extended rows of a batch
// follow its pairs.
//
// Thread: the owning operator's (the compute thread).

#include <cstdint>
#include <string_view>
#include <vector>

#include "dataflow/join_row_codec.h"
#include "sluice/batch_builder.h"
#include "sluice/record_batch.h"
#include "sluice/status.h"
#include "sql/bound_plan.h"

namespace sluice::dataflow {

class JoinPairs {
 public:
  JoinPairs(const sql::BoundJoin& join, const JoinRowCodec& left, const JoinRowCodec& right);

  // Starts the next left row (its pairs follow).
  void next_left() { ++left_rows_; }
  // A candidate pair of the current left row.
  void add_pair(std::string_view left_row, std::string_view right_row);
  // The current left row with no candidate (emitted only by a left outer join).
  void add_unmatched(std::string_view left_row);
  bool empty() const { return left_rows_ == 0; }
  // Appends the output (if any) to `out` and starts over.
  Status finish(std::vector<RecordBatch>& out, int64_t& rows_out);

 private:
  const sql::BoundJoin& join_;
  const JoinRowCodec& left_;
  const JoinRowCodec& right_;
  const int right_first_;  // the output column of the first right column
  BatchBuilder builder_;
  int64_t left_rows_ = 0;
  std::vector<uint32_t> left_of_row_;  // per built row: its left row (0-based in this run)
  std::vector<uint8_t> is_pair_;       // per built row: a pair (1) or NULL-extended (0)
  // Scratch reused across runs.
  std::vector<uint32_t> selection_;
  std::vector<uint8_t> answered_;  // per left row: a row of it is kept
  std::vector<uint32_t> keep_;
};

}  // namespace sluice::dataflow
