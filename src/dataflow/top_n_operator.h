#pragma once
// TopNOperator: a query's top-N (sql/bound_top_n.h): ROW_NUMBER() OVER (PARTITION BY …
// ORDER BY …) kept to rows 1 … N of each partition. Over an append-only input (the binder
// refuses updating ones) it keeps per partition only the N best rows, and emits the changes
// of the result (`_op` 'insert' / 'delete') as a row enters the top N and the N-th leaves it —
// with the row number selected, also a delete and an insert for each row whose number moved
// (Flink's and RisingWave's append-only top-N).
//
// Order: by the sort keys; rows equal in every sort key by all their output columns (ascending,
// NULLs last), then by arrival: the earlier row ranks first. Arrival is the input's row order
// (source order), so the result is a function of the input's rows, never of its batching.
//
// Windows: when a partition key is an upstream window's window_start or window_end (Nexmark
// q5/q9), a window's partitions live in a store of their own, dropped whole once the watermark
// passes the window's end (BoundTopN::window_end_offset); a row for a dropped window is late:
// dropped and counted. Otherwise there is one store, kept for good (N rows per partition).
//
// State: per store, partitions and rows in chunked arrays, a row's values (its sort keys, then
// its output columns) and a partition's key encoded once in a string arena; each partition's
// rows form a list, worst first (a row below a full top N costs one comparison). capture() shares
// all of it copy-on-write with its image; the index (partition key hash → partition) is rebuilt on
// restore.
//
// Thread: the compute thread only; an image from capture() may be written on any one thread.

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "dataflow/chunked_array.h"
#include "dataflow/group_table.h"
#include "dataflow/operator.h"
#include "dataflow/string_arena.h"
#include "sluice/batch_builder.h"
#include "sluice/value.h"
#include "sql/bound_query.h"

namespace sluice::dataflow {

class TopNOperator final : public Operator {
 public:
  explicit TopNOperator(std::shared_ptr<const sql::BoundQuery> query);
  ~TopNOperator() override;

  Status process(const RecordBatch& input, std::vector<RecordBatch>& out) override;
  // In place when it reads only input columns as they are (no WHERE, nothing computed).
  Status process_rows(const RecordBatch& input, std::span<const uint32_t> rows,
                      std::vector<RecordBatch>& out) override;
  bool reads_rows_in_place() const override { return in_place_; }
  Status on_watermark(int64_t watermark, std::vector<RecordBatch>& out) override;
  void snapshot(StateWriter& writer) const override;
  Status restore(StateReader& reader) override;
  std::unique_ptr<StateImage> capture() const override;
  // groups: rows kept (in every partition); bytes: the stores' arrays, arenas and indexes.
  StateStats state_stats() const override;
  std::string describe() const override;

  // Partitions held (every store), for tests of pruning.
  int64_t partitions() const;

  static constexpr uint32_t kNone = UINT32_MAX;
  // Written to checkpoints as their bytes (ChunkedArray::write), so without padding: an
  // uninitialized byte would make two equal states write different images.
  struct Partition {
    uint64_t hash = 0;
    StringRef key;          // the partition keys' values, encoded
    uint32_t head = kNone;  // the worst row kept (the list runs worst first)
    uint32_t count = 0;
    uint32_t unused = 0;
  };
  struct Row {
    StringRef values;       // sort keys, then output columns (without the row number), encoded
    uint32_t next = kNone;  // the next row of its partition (or of the free list)
    uint64_t arrival = 0;
  };
  static_assert(std::has_unique_object_representations_v<Partition> &&
                std::has_unique_object_representations_v<Row>);
  // One window's partitions (or all of them): what an image holds.
  struct StoreData {
    ChunkedArray<Partition> partitions;
    ChunkedArray<Row> rows;
    StringArena arena;
    uint32_t free_rows = kNone;
    int64_t live_rows = 0;
  };
  struct Store {
    StoreData data;
    GroupTable index;  // partition key hash → partition; never checkpointed
  };

 private:
  // A row of the input being ranked: its sort keys, and its output values read from the
  // batch only once needed (most rows lose to a full top N on the sort keys alone).
  struct Candidate {
    std::vector<Value> sort;
    std::vector<Value> output;
    const std::vector<Column>* columns = nullptr;  // the output columns of the batch
    int64_t index = 0;                             // its row in them
    bool loaded = false;                           // output holds its values
    uint64_t arrival = 0;

    const std::vector<Value>& values() {
      if (!loaded) {
        for (size_t k = 0; k < output.size(); ++k) {
          output[k] = Value::from_column((*columns)[k], index);
        }
        loaded = true;
      }
      return output;
    }
  };

  // Ranks rows order[0 … n) of `rows` (rows 0 … n when `order` is null), in that order.
  Status rank_rows(const RecordBatch& rows, const uint32_t* order, int64_t n,
                   std::vector<RecordBatch>& out);
  Status rank(Store& store, std::string_view key, uint64_t hash, Candidate& row);
  uint32_t partition_of(Store& store, std::string_view key, uint64_t hash);
  // <0 when `row` ranks before stored row `r`, >0 after (never 0: arrival breaks ties).
  int compare(const StoreData& store, Candidate& row, uint32_t r);
  // Appends a change of kept row `r` (its output values, row number `number`) to the pending
  // output.
  Status emit_kept(const StoreData& store, uint32_t r, int64_t number, bool insert);
  // The same for row `row` of the batch's output columns, copied from them (no Value made).
  void emit_row(const std::vector<Column>& columns, int64_t row, int64_t number, bool insert);
  // The change's row number and `_op`, after its values.
  void emit_tail(int64_t number, bool insert);
  // Keeps `row`, its values encoded as `encoded`.
  uint32_t add_row(StoreData& store, const Candidate& row, std::string_view encoded);
  void free_row(StoreData& store, uint32_t r);
  // Rewrites a store's arena without the bytes of evicted rows, once they outweigh the rest.
  void compact_if_needed(StoreData& store);
  Result<RecordBatch> finish_output();

  std::shared_ptr<const sql::BoundQuery> query_;
  const sql::BoundTopN& top_;
  const bool in_place_;              // reads_rows_in_place()
  SchemaPtr value_schema_;           // the output without the row number and `_op`
  std::map<int64_t, Store> stores_;  // by the watermark that ends them; kForever: no window
  int64_t watermark_ = kNoWatermark;
  uint64_t next_arrival_ = 0;
  std::vector<uint32_t> selection_;  // reused across batches
  // The pending output: changes in order, appended as they are made.
  BatchBuilder out_;
  // Scratch.
  StateWriter key_writer_;
  StateWriter row_writer_;
  Value compare_scratch_;
  std::string read_scratch_;
};

}  // namespace sluice::dataflow
