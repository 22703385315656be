#pragma once
// OverOperator: a query's OVER frame (sql/bound_over.h): COUNT, SUM, AVG, MIN, MAX over ROWS
// BETWEEN n PRECEDING AND CURRENT ROW of each row's partition in the ORDER BY's order.
//
//   - On the watermark (an append-only input ordered by its event time): a row waits until the
//     watermark passes its time, then is emitted (append-only) with the aggregates of its frame;
//     a row behind the watermark is late: dropped and counted. Each partition keeps its last n
//     rows, for the frames of the rows to come. Rows released by one watermark go out in the
//     frame's order (time, then the rest), partition by partition for equal rows.
//   - As changes (an updating input, whose `_op` is consumed, or an order no watermark
//     settles): every row is kept. An insert or delete at a place changes the outputs of that row
//     and of the n rows after it: their old outputs are emitted as deletes, then the new ones as
//     inserts (`_op`).
//
// Order within a partition: OverPartitions' (the ORDER BY keys, then the selected values, then
// the arguments); rows equal in all of them have equal outputs, so arrival need not order them.
// The output is therefore a function of the input's rows, never of its batching.
//
// State: OverPartitions (the kept rows, and on the watermark the rows waiting for it) in the
// compact layout: capture() shares its chunks and arena blocks copy-on-write with the image
// (O(chunks) on the compute thread), which is written later on the checkpoint thread. The state
// is written as format 2 (u8 2, i64 watermark, OverPartitions::Frozen); a checkpoint from a
// sluice that kept the rows in maps (no format byte) is refused (SLC-4001).
//
// Thread: the compute thread only.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "dataflow/operator.h"
#include "dataflow/ordered_row_codec.h"
#include "dataflow/over_partitions.h"
#include "sluice/value.h"
#include "sql/bound_query.h"

namespace sluice::dataflow {

class OverOperator final : public Operator {
 public:
  explicit OverOperator(std::shared_ptr<const sql::BoundQuery> query);

  Status process(const RecordBatch& input, std::vector<RecordBatch>& out) override;
  Status on_watermark(int64_t watermark, std::vector<RecordBatch>& out) override;
  void snapshot(StateWriter& writer) const override;
  Status restore(StateReader& reader) override;
  std::unique_ptr<StateImage> capture() const override;
  // groups: rows kept and rows waiting for the watermark; bytes: roughly what they take.
  StateStats state_stats() const override;
  std::string describe() const override;

  // Partitions held, for tests.
  int64_t partitions() const { return partitions_.partitions(); }
  // The state as it is, for tests of what a capture shares with it.
  OverPartitions::Frozen frozen() const { return partitions_.capture(); }

 private:
  // An insert or delete of `row` in partition `key` (as changes).
  Status change(std::string_view key, std::string_view row, bool insert);
  // Emits the rows the watermark has passed (on the watermark).
  Status release(int64_t watermark);
  // Decodes the rows around a change into seq_, once: before, `middle` (the row changed), after;
  // with_ lists them all, without_ all but `middle`.
  Status load(const OverPartitions::Around& around, std::string_view middle);
  // Appends the outputs of the rows order[from …] of seq_ (each over its frames in `order`) as
  // inserts or deletes.
  Status emit_from(const std::vector<uint32_t>& order, size_t from, bool insert);
  // The aggregate of call `c` over the rows order[lo … hi] of seq_.
  Result<Value> frame_value(size_t c, const std::vector<uint32_t>& order, size_t lo,
                            size_t hi) const;
  // Call `c`'s result from its frame's non-NULL count, MIN/MAX's best value (or null), and sum
  // (dsum for DOUBLE, isum otherwise).
  Result<Value> frame_result(size_t c, int64_t count, const Value* best, double dsum,
                             __int128 isum) const;
  // Whether `call`'s frames can be read off running totals (Running): same results, exactly.
  static bool runs(const sql::OverCall& call);
  // Fills the running totals of the calls that use them over seq_ in `order`.
  void prepare_running(const std::vector<uint32_t>& order);
  // The output built so far as one batch into `out` when `status` is ok; dropped otherwise (a
  // failed batch emits nothing).
  Status flush_output(Status status, std::vector<RecordBatch>& out);
  Result<RecordBatch> finish_output();

  std::shared_ptr<const sql::BoundQuery> query_;
  const sql::BoundOver& over_;
  OrderedRowCodec codec_;         // sort keys, selected values, arguments
  std::vector<int> value_items_;  // the projection's items that are not OVER calls
  std::vector<int> call_at_;      // per output column: its call, or -1
  std::vector<int> arg_of_;       // per call: its argument's place in a row, or -1 (COUNT(*))
  size_t first_value_ = 0;        // where the selected values begin in a row
  bool changes_ = false;          // the output has `_op`
  OverPartitions partitions_;
  int64_t watermark_ = kNoWatermark;
  // The pending output: per row its output values (without `_op`), and insert or delete.
  std::vector<Value> out_values_;
  std::vector<bool> out_inserts_;
  // Scratch.
  std::vector<uint32_t> selection_;
  StateWriter key_writer_;
  std::string row_scratch_;
  OverPartitions::Around around_;
  OverPartitions::Released released_;
  std::vector<std::vector<Value>> seq_;
  // Per call: with `on`, its non-NULL count and sum over order[0 … i) of seq_ at [i], so that a
  // frame costs two subtractions, not a pass over its rows (q6's 11-row frames are read by 11
  // outputs each, twice per change).
  struct Running {
    bool on = false;
    std::vector<int64_t> count;
    std::vector<__int128> sum;
  };
  std::vector<Running> running_;
  std::vector<uint32_t> with_, without_;
};

}  // namespace sluice::dataflow
