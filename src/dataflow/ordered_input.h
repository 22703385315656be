#pragma once
// OrderedInput: an order-sensitive operator (a top-N, an OVER frame run as changes) whose input
// interleaves two or more sources (sql/input_order.h, InputOrder::kHeld), fed its rows in a
// canonical order instead of the order the source threads' timing made: every row is held until
// the watermark guarantees that no row at or before its time can still come (time + trail <
// watermark; <= for an upstream window's bounds, whose rows come before the watermark reaches
// them; or the input ended), then the held rows that are final are applied, sorted by
// (time, row bytes), before the operator hears the watermark. Rows equal in both are the same
// row, so their order changes nothing. Every row released later has a larger time than any
// released before it (it was not final when they were), so the operator sees one sequence,
// sorted, whatever the batching and the watermarks' steps: its change stream is a function of
// the input. The cost is latency: a row waits until the watermark passes its time + trail.
//
// A row that arrives already final (an input that was idle and left out of the watermark came
// back behind it) is applied at the end of its batch, in the same order among that batch's.
//
// State: the held rows, a min-heap by (time, arrival) of JoinRowCodec bytes in an arena
// (JoinPendingRows); captured copy-on-write before the wrapped operator's own state.
//
// Thread: the compute thread only; an image from capture() may be written on any one thread.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "dataflow/join_pending.h"
#include "dataflow/join_row_codec.h"
#include "dataflow/operator.h"
#include "sluice/batch_builder.h"
#include "sql/bound_query.h"

namespace sluice::dataflow {

class OrderedInput final : public Operator {
 public:
  // `inner` runs `query` (whose input_order is kHeld).
  OrderedInput(std::shared_ptr<const sql::BoundQuery> query, std::unique_ptr<Operator> inner);

  Status process(const RecordBatch& input, std::vector<RecordBatch>& out) override;
  Status on_watermark(int64_t watermark, std::vector<RecordBatch>& out) override;
  void snapshot(StateWriter& writer) const override;
  Status restore(StateReader& reader) override;
  std::unique_ptr<StateImage> capture() const override;
  // The wrapped operator's, plus the held rows (groups) and their bytes.
  StateStats state_stats() const override;
  std::string describe() const override { return inner_->describe(); }

  int64_t held_rows() const { return held_.size(); }

 private:
  // Applies every held row final at `watermark_`, in (time, bytes) order.
  Status release(std::vector<RecordBatch>& out);
  bool final(int64_t time) const;

  std::shared_ptr<const sql::BoundQuery> query_;
  std::unique_ptr<Operator> inner_;
  const int time_column_;
  const int64_t trail_;
  const bool complete_at_trail_;
  const JoinRowCodec codec_;  // every input column
  JoinPendingRows held_;
  int64_t next_arrival_ = 0;
  int64_t watermark_ = kNoWatermark;
  // Scratch, reused.
  std::string row_;
  struct Released {
    int64_t time;
    std::string_view row;
  };
  std::vector<Released> released_;
  BatchBuilder batch_;
};

// EXPLAIN's note on a top-N's or OVER frame's input order ("" when its input is one source's):
// the column it is held and ordered by, or that its changes follow its inputs' interleaving.
std::string describe_input_order(const sql::BoundQuery& query);

}  // namespace sluice::dataflow
