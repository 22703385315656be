#pragma once
// OrderedInput: an order-sensitive operator (a top-N, an OVER frame run as changes) whose input
// interleaves two or more sources (sql/input_order.h, InputOrder::kHeld), fed its rows in a
// canonical order instead of the order the source threads' timing made: every row is held until
// the watermark guarantees that no row at or before its time can still come (time + trail <
// watermark; <= for an upstream window's bounds, whose rows come before the watermark reaches
// them; or the input ended), then the held rows that are final are applied, sorted by
// (time, row values), before the operator hears the watermark. Rows equal in both are the same
// row, so their order changes nothing. Every row released later has a larger time than any
// released before it (it was not final when they were), so the operator sees one sequence,
// sorted, whatever the batching and the watermarks' steps: its change stream is a function of
// the input. The cost is latency: a row waits until the watermark passes its time + trail.
//
// A row that arrives already final (an input that was idle and left out of the watermark came
// back behind it) is applied at the end of its batch, in the same order among that batch's.
//
// State: the input batches that still have rows waiting (shared, never copied: the rows are
// not re-encoded on the way through) and a min-heap by time of (time, batch, row) entries in a
// ChunkedArray; a batch goes once its last row is applied. capture() shares both copy-on-write
// with the image, which encodes the waiting rows (JoinRowCodec) when it is written. Rows of
// equal time are sorted by their values when released (compare_rows: each column's null flag,
// then its value's bytes — any order of the values would do, as long as it is one order).
//
// Thread: the compute thread only; an image from capture() may be written on any one thread.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <deque>

#include "dataflow/chunked_array.h"
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

  int64_t held_rows() const { return held_; }

  // A waiting row: its time, then the batch (its number since the start) and row it is in.
  // Never written to a checkpoint as bytes (the image encodes the rows).
  struct Entry {
    int64_t time;
    uint64_t batch;
    int64_t row;
  };

 private:
  struct HeldBatch {
    RecordBatch rows;
    int64_t waiting;  // its rows still in the heap
  };

  // Applies every held row final at `watermark_`, in (time, values) order.
  Status release(std::vector<RecordBatch>& out);
  bool final(int64_t time) const;
  void push(const Entry& e);
  void pop();
  const HeldBatch& batch_of(const Entry& e) const {
    return batches_[static_cast<size_t>(e.batch - first_batch_)];
  }

  std::shared_ptr<const sql::BoundQuery> query_;
  std::unique_ptr<Operator> inner_;
  const int time_column_;
  const int64_t trail_;
  const bool complete_at_trail_;
  const JoinRowCodec codec_;  // every input column, for checkpoints
  std::vector<int> widths_;   // fixed_width of each input column's type (compare_rows)
  ChunkedArray<Entry> heap_;  // [0, held_) is the heap; the tail is spare
  uint32_t held_ = 0;
  std::deque<HeldBatch> batches_;  // batch numbers first_batch_, first_batch_ + 1, …
  uint64_t first_batch_ = 0;
  int64_t held_bytes_ = 0;  // the held batches' buffers
  int64_t watermark_ = kNoWatermark;
  // Scratch, reused.
  std::vector<Entry> released_;
  BatchBuilder batch_;
};

// EXPLAIN's note on a top-N's or OVER frame's input order ("" when its input is one source's):
// the column it is held and ordered by, or that its changes follow its inputs' interleaving.
std::string describe_input_order(const sql::BoundQuery& query);

}  // namespace sluice::dataflow
