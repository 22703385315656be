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
// not re-encoded on the way through), each a run sorted by (time, values) when it comes (most
// batches come sorted by time: one pass checks, and only rows of equal time are sorted), and a
// min-heap of the runs by their next row. Releasing merges the runs: the best run gives rows
// until its next one passes the second-best run's, so the heap is touched once per piece, not
// per row, and a piece is applied as it lies in its batch (the batch itself, a slice of it, or
// its rows gathered column by column). capture() shares the runs with the image, which encodes
// the waiting rows (JoinRowCodec) when it is written. Rows of equal time are ordered by their
// values (tie_order.h: any order of the values would do, as long as it is one order).
//
// Thread: the compute thread only; an image from capture() may be written on any one thread.

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "dataflow/join_row_codec.h"
#include "dataflow/operator.h"
#include "dataflow/tie_order.h"
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

  // A held input batch: its rows in (time, values) order (`order`; none when the batch came in
  // that order), of which [0, next) have been applied. `order` never changes once made, so an
  // image shares it.
  struct Run {
    RecordBatch rows;
    std::shared_ptr<const std::vector<uint32_t>> order;
    std::vector<TieOrder::View> views;  // its columns, for ties_
    uint32_t next = 0;
    uint32_t size = 0;
    uint32_t row(uint32_t i) const { return order ? (*order)[i] : i; }
  };

 private:
  // Rows [begin, end) of a run's order, applied together.
  struct Piece {
    uint64_t run;
    uint32_t begin;
    uint32_t end;
  };

  // Keeps `input` as a run, sorted.
  void hold(const RecordBatch& input);
  // Applies every held row final at `watermark_`, in (time, values) order.
  Status release(std::vector<RecordBatch>& out);
  // Adds rows [begin, end) of run `number` to the release, cut where a batch of
  // kReleaseBatchRows ends (chunk_ends_).
  void add_piece(uint64_t number, uint32_t begin, uint32_t end);
  // The rows of pieces_[first, last) as one batch: shared, not copied, when they are one piece
  // lying in its batch as it is.
  RecordBatch gather(size_t first, size_t last);
  bool final(int64_t time) const;
  int64_t time_of(const Run& run, uint32_t row) const;
  // <0 when row `ra` of run `a` comes before row `rb` of run `b`, by (time, values).
  int compare(const Run& a, uint32_t ra, const Run& b, uint32_t rb) const;
  // Whether run `a`'s next row comes before run `b`'s (the heap's order).
  bool before(uint64_t a, uint64_t b) const;
  void sift_down(size_t at);
  Run& run(uint64_t number) { return runs_[static_cast<size_t>(number - first_run_)]; }
  const Run& run(uint64_t number) const { return runs_[static_cast<size_t>(number - first_run_)]; }

  std::shared_ptr<const sql::BoundQuery> query_;
  std::unique_ptr<Operator> inner_;
  const int time_column_;
  const int64_t trail_;
  const bool complete_at_trail_;
  const JoinRowCodec codec_;  // every input column, for checkpoints
  const TieOrder ties_;       // the order of rows of equal time
  std::deque<Run> runs_;      // run numbers first_run_, first_run_ + 1, …
  uint64_t first_run_ = 0;
  std::vector<uint64_t> heap_;  // the runs with rows waiting, a min-heap by their next row
  int64_t held_ = 0;            // rows waiting, in every run
  int64_t held_bytes_ = 0;      // the runs' buffers and orders
  int64_t watermark_ = kNoWatermark;
  // Scratch, reused.
  std::vector<Piece> pieces_;
  std::vector<size_t> chunk_ends_;  // where each batch of the release ends in pieces_
  int64_t chunk_rows_ = 0;          // rows in the last, unfinished one
  std::vector<int64_t> times_;
  BatchBuilder batch_;
};

// EXPLAIN's note on a top-N's or OVER frame's input order ("" when its input is one source's):
// the column it is held and ordered by, or that its changes follow its inputs' interleaving.
std::string describe_input_order(const sql::BoundQuery& query);

}  // namespace sluice::dataflow
