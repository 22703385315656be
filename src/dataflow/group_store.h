#pragma once
// GroupStore: the groups of one window of a TUMBLE/HOP query (or all groups of an unwindowed
// or SESSION query) as typed arrays indexed by group: the GROUP BY keys, each aggregate's
// state, a changelog's last output row, and a session's bounds. Variable-width bytes are in
// the store's arena. A closed window's store is dropped whole, so its memory returns at once.
//
// Copying a store is cheap (chunk pointers, see ChunkedArray): a checkpoint image is a copy,
// and the live store copies a chunk before writing to one the image still holds.
//
// Thread: as ChunkedArray.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "dataflow/agg_columns.h"
#include "dataflow/chunked_array.h"
#include "dataflow/string_arena.h"
#include "dataflow/value_slots.h"
#include "sql/bound_query.h"

namespace sluice::dataflow {

// What every store of one operator holds (made once from the query). Stores, and so
// checkpoint images, share it and through it the query, whose aggregate calls they point to:
// an image outlives neither.
struct GroupLayout {
  std::shared_ptr<const sql::BoundQuery> query;
  std::vector<DataType> key_types;
  std::vector<DataType> output_types;  // a changelog's last output row; empty without one
  bool sessions = false;               // groups carry their own bounds and arrival order
  bool panes = false;  // HOP by panes (hop_slices.h): groups carry their arrival order
  // Over an input that emits changes: aggregates take rows back (AggColumns), groups count
  // their rows and are freed (live = 0) when none is left.
  bool retracting = false;
};

class GroupStore {
 public:
  explicit GroupStore(std::shared_ptr<const GroupLayout> layout);

  uint32_t size() const { return size_; }
  // Appends a group with no keys set and empty states; returns its index.
  uint32_t add_group();
  // Empties group g's states and changelog output, for reuse (sessions).
  void reset_group(uint32_t g);
  // A hash of group g's keys equal to what hash_column gives for equal row keys.
  uint64_t key_hash(uint32_t g) const;
  size_t bytes() const;
  // Replaced strings (a changelog's changing output, a text MAX that moves) leave garbage in
  // the arena; once it is most of the arena, the live strings move to a new one.
  void compact_strings();

  void write(StateWriter& w) const;
  Status read(StateReader& r);

  StringArena arena;
  std::vector<ValueSlots> keys;
  std::vector<AggColumns> aggs;
  ChunkedArray<uint8_t> emitted;        // changelog: last_output is what downstream holds
  std::vector<ValueSlots> last_output;  // changelog: one per output column
  ChunkedArray<int64_t> starts, ends;   // sessions
  ChunkedArray<uint64_t> order;         // sessions, panes: arrival order, for emission order
  ChunkedArray<uint8_t> live;           // sessions, retracting: 0 for a free slot
  ChunkedArray<int64_t> rows;           // retracting: the group's rows (inserts less deletes)

 private:
  std::shared_ptr<const GroupLayout> layout_;
  uint32_t size_ = 0;
};

}  // namespace sluice::dataflow
