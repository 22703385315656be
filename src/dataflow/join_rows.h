#pragma once
// JoinRows: the rows one side of a join keeps, waiting for rows of the other side to match.
//
// Layout: each row's values once, as typed arrays (a ValueSlots per stored column, VARCHAR
// bytes in one StringArena, chunks of ChunkedArray) — no Value or std::string per row, no
// allocation per row — beside its event time and its state (removed, or how many rows of the
// other side it has matched: a left outer join emits a NULL-padded row for a row that has
// none). A key that is a stored column is compared in place; a computed key (an expression)
// is kept in slots of its own. Rows sit in arrival order.
//
// Index: a GroupTable from the key's hash to the newest row with that key; each row links to
// the previous one with the same key (a chain, newest first), so a probe walks only its
// key's rows. Removed rows stay in their chains, skipped, until compaction rewrites the
// arrays without them (when they outnumber the live rows), which is how memory comes back:
// the index is rebuilt, never checkpointed.
//
// Removal by time (expire): the rows whose time lies before a limit, found without a scan of
// every row: rows arrive almost in time order, and the store keeps how far behind the
// newest row so far a row has ever arrived (`disorder`), so a sweep from the oldest live row
// stops where no later row can lie before the limit.
//
// Checkpoints: freeze() copies the arrays (their chunk pointers: cost in proportion to the
// chunks, not the rows); the copy shares them copy-on-write and is written later in bulk, on
// any one thread; read() takes them back and rebuilds the index.
//
// Thread: the compute thread; a Frozen copy is written on any one thread.

#include <cstdint>
#include <memory>
#include <vector>

#include "dataflow/chunked_array.h"
#include "dataflow/group_table.h"
#include "dataflow/operator.h"
#include "dataflow/state_codec.h"
#include "dataflow/string_arena.h"
#include "dataflow/value_slots.h"
#include "sluice/column.h"
#include "sluice/column_builder.h"
#include "sluice/status.h"

namespace sluice::dataflow {

class JoinRows {
 public:
  static constexpr uint32_t kNone = UINT32_MAX;
  // A row's state: removed, or the count of its matches (>= 0).
  static constexpr int32_t kRemoved = -1;

  // The checkpointed part: the rows as typed arrays (copyable: copies share chunks).
  struct Frozen {
    std::vector<ValueSlots> columns;  // the stored columns
    std::vector<ValueSlots> keys;     // the computed keys (those that are not a column)
    StringArena arena;
    ChunkedArray<int64_t> time;
    ChunkedArray<int32_t> state;  // kRemoved or matches
    int64_t live = 0;
    int64_t newest = INT64_MIN;        // the latest time added
    int64_t disorder = 0;              // how far behind `newest` a row has ever been added
    uint32_t front = 0;                // rows before it are all removed
    int64_t front_newest = INT64_MIN;  // the latest time of the rows before `front`

    // u32 rows, i64 live, newest, disorder, front, front_newest, then the arena and arrays.
    void write(StateWriter& w) const;
  };

  // `types`: the stored columns. `key_columns[i]`: the stored column key i is, or -1 for a
  // computed key, kept beside the row, of type key_types[i].
  JoinRows(const std::vector<DataType>& types, std::vector<int> key_columns,
           const std::vector<DataType>& key_types);

  // Rows held, removed ones included (until compaction).
  uint32_t size() const { return data_.time.size(); }
  int64_t live_rows() const { return data_.live; }
  bool live(uint32_t i) const { return data_.state[i] != kRemoved; }
  int64_t time(uint32_t i) const { return data_.time[i]; }
  int32_t matches(uint32_t i) const { return data_.state[i]; }
  void set_matches(uint32_t i, int32_t n) { data_.state.mut(i) = n; }

  // Adds row `row` of `columns` (the stored columns of a batch) whose key is row `row` of
  // `keys` (no NULL; hashed `hash`, as hash_column from kKeySeed), at `time`, with `matches`.
  uint32_t add(const std::vector<const Column*>& columns, const std::vector<Column>& keys,
               int64_t row, uint64_t hash, int64_t time, int32_t matches);
  // Calls fn(i) for every live row whose key equals row `row` of `keys`, newest first.
  template <typename Fn>
  void for_each_with_key(const std::vector<Column>& keys, int64_t row, uint64_t hash,
                         Fn&& fn) const {
    uint32_t i = table_.find(hash, [&](uint32_t at) { return key_equals(keys, row, at); });
    for (; i != kNone; i = next_[i]) {
      if (live(i)) fn(i);
    }
  }
  // A live row with this key whose stored columns equal row `row` of `columns`, or kNone.
  uint32_t find_equal(const std::vector<const Column*>& columns, const std::vector<Column>& keys,
                      int64_t row, uint64_t hash) const;
  void remove(uint32_t i);
  // Removes every live row whose time is before `limit` (every row when `all`), calling
  // fn(i) before each. Rows are removed in arrival order.
  template <typename Fn>
  void expire(int64_t limit, bool all, Fn&& fn) {
    Frozen& d = data_;
    int64_t newest = d.front_newest;  // the latest time of the rows before i
    for (uint32_t i = d.front; i < size(); ++i) {
      // Every row from i on lies at or after newest - disorder: once that reaches the limit
      // none of them expires.
      int64_t floor;
      if (!all && newest != INT64_MIN && !__builtin_sub_overflow(newest, d.disorder, &floor) &&
          floor >= limit) {
        break;
      }
      const int64_t t = d.time[i];
      if (live(i) && (all || t < limit)) {
        fn(i);
        remove(i);
      }
      newest = std::max(newest, t);
      if (i == d.front && !live(i)) {
        ++d.front;
        d.front_newest = newest;
      }
    }
  }
  // Rewrites the arrays without the removed rows when those outnumber the live ones (row
  // numbers change: call it between operations, never while holding them).
  void compact_if_sparse();

  // Appends stored column c of row i to `out`.
  void append_value(ColumnBuilder& out, size_t c, uint32_t i) const {
    data_.columns[c].append_to(out, i, data_.arena);
  }

  Frozen freeze() const { return data_; }
  void write(StateWriter& w) const { data_.write(w); }
  // Replaces the rows with those write() wrote; a damaged state is SLC-4001.
  Status read(StateReader& r);
  // Bytes of the arrays, arena and index.
  int64_t bytes() const;

 private:
  bool key_equals(const std::vector<Column>& keys, int64_t row, uint32_t at) const;
  const ValueSlots& key_slots(size_t k) const {
    return key_columns_[k] >= 0 ? data_.columns[static_cast<size_t>(key_columns_[k])]
                                : data_.keys[static_cast<size_t>(key_index_[k])];
  }
  uint64_t key_hash(uint32_t i) const;
  // Links row i into its key's chain, whose head so far is `head` (kNone: a new key).
  void index(uint32_t i, uint64_t hash, uint32_t head);
  void rebuild_index();
  Frozen empty_like() const;

  std::vector<DataType> types_;
  std::vector<DataType> key_types_;
  std::vector<int> key_columns_;
  std::vector<int> key_index_;  // for a computed key: its place in data_.keys
  Frozen data_;
  GroupTable table_;
  std::vector<uint32_t> next_;  // the previous row with the same key, or kNone
};

// A join's checkpoint state: both sides' rows and watermarks —
//   u8 format (1), i64 left watermark, i64 right watermark, the left rows, the right rows —
// frozen at capture() and written later, on any one thread.
class JoinStateImage final : public StateImage {
 public:
  JoinStateImage(const int64_t watermarks[2], const JoinRows& left, const JoinRows& right)
      : watermarks_{watermarks[0], watermarks[1]}, left_(left.freeze()), right_(right.freeze()) {}
  void write(StateWriter& w) const override;

 private:
  const int64_t watermarks_[2];
  const JoinRows::Frozen left_;
  const JoinRows::Frozen right_;
};

// Reads what a JoinStateImage wrote back into `watermarks`, `left` and `right`.
Status read_join_state(StateReader& r, int64_t watermarks[2], JoinRows& left, JoinRows& right);

}  // namespace sluice::dataflow
