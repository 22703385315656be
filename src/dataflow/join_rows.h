#pragma once
// JoinRows: the rows one side of a join keeps, waiting for rows of the other side to match.
//
// Layout: each row encoded once, as a fixed-width record — its state (removed, or how many
// rows of the other side it has matched: a left outer join pads a row that has none), the
// link to the previous row with its key, its key's hash, a NULL bit per field, then each
// stored column's value (8 bytes, 16 for a DECIMAL, a 12-byte string reference for a
// VARCHAR) and each computed key's (a key that is a stored column is compared in place) — in
// chunks of kRowsPerChunk rows. A string longer than 8 bytes lives in its chunk's own string
// bytes, so a chunk freed frees its strings. No Value or std::string per row, no allocation
// per row (one per chunk); a probe touches one record per row it visits.
//
// Index: a GroupTable from the key's hash to the newest row with that key; each row links to
// the previous one with the same key (a chain, newest first), so a probe walks only its key's
// rows. Deferred (set_deferred_index, the interval and window joins): rows are added without
// touching the index — an insert costs two cache misses (the slot, the chain head's record),
// most of an add's time — and the newest ones, not yet indexed, are scanned instead (their
// hashes compared in arrival order, newest first, so a probe visits the same rows in the same
// order either way). before_probes() indexes them once the scans would cost more: each row
// added earns kScanPerIndex row visits of scanning, and a batch of probes that would spend
// more than what was earned indexes the rows instead. So a side probed rarely (Nexmark q7's
// bids, probed once per 10 s window by its maximum) is never indexed, and one probed often is
// indexed in bulk, at most about twice the cost of indexing each row as it arrives.
// Removed rows stay in their chains, skipped, until their memory comes back:
//   - rows arrive almost in time order and mostly leave in arrival order: once every row of
//     the oldest chunks is removed, those chunks are freed whole (chains stop at the first
//     freed row: every row before it is removed too);
//   - removed rows elsewhere (out of order, deleted by an updating input) are dropped by
//     compaction, which rewrites the live rows when the removed ones reach half of them.
// The index is never checkpointed: restore rebuilds it from the stored hashes.
//
// Removal by time (expire): the rows whose time lies before a limit, found without a scan of
// every row: the store keeps how far behind the newest row so far a row has ever arrived
// (`disorder`), so a sweep from the oldest live row stops where no later row can lie before
// the limit.
//
// Checkpoints: freeze() copies the chunk pointers (cost in proportion to the chunks, not the
// rows); the live store copies a chunk an image still holds before it next writes it
// (copy-on-write), so the image keeps the rows as they were and is written later, in bulk, on
// any one thread. read() takes the chunks back and rebuilds the index.
//
// Thread: the compute thread; a Frozen copy is written on any one thread.

#include <algorithm>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "dataflow/group_table.h"
#include "dataflow/operator.h"
#include "dataflow/state_codec.h"
#include "dataflow/string_arena.h"
#include "sluice/column.h"
#include "sluice/column_builder.h"
#include "sluice/status.h"

namespace sluice::dataflow {

class JoinRows {
 public:
  static constexpr uint32_t kNone = UINT32_MAX;
  // A row's state: removed, or the count of its matches (>= 0).
  static constexpr int32_t kRemoved = -1;
  static constexpr uint32_t kRowsPerChunk = 512;

  // A chunk: kRowsPerChunk records and the strings of their fields longer than 8 bytes.
  struct Chunk {
    std::vector<uint8_t> records;  // rows * width bytes
    std::string strings;
  };

  // The checkpointed part (copyable: copies share chunks).
  struct Frozen {
    std::vector<std::shared_ptr<Chunk>> chunks;  // null: freed (every row removed)
    uint32_t rows = 0;
    int64_t live = 0;
    int64_t newest = INT64_MIN;        // the latest time added
    int64_t disorder = 0;              // how far behind `newest` a row has ever been added
    uint32_t front = 0;                // rows before it are all removed
    int64_t front_newest = INT64_MIN;  // the latest time of the rows before `front`

    // i64 rows, width, live, newest, disorder, front, front_newest; then per chunk held its
    // records' and its strings' bytes (freed chunks: empty).
    void write(StateWriter& w, uint32_t width) const;
  };

  // `types`: the stored columns; `time_column`: the stored column that is the row's time
  // (a TIMESTAMP), -1 for none (every time 0). `key_columns[i]`: the stored column key i is,
  // or -1 for a computed key, kept beside the row, of type key_types[i].
  JoinRows(const std::vector<DataType>& types, int time_column, std::vector<int> key_columns,
           const std::vector<DataType>& key_types);

  // Row visits of a scan one row's index entry is worth: an index insert is two cache misses,
  // a scan visit one sequential read.
  static constexpr int64_t kScanPerIndex = 8;

  // Defers the index (see above): the caller calls before_probes() before each batch of probes.
  void set_deferred_index() { deferred_ = true; }
  // `probes` probes are about to be made: indexes the rows not yet indexed when scanning them
  // that many times would cost more than the scans they have earned.
  void before_probes(int64_t probes);

  // Rows held, removed ones included (until compaction).
  uint32_t size() const { return data_.rows; }
  int64_t live_rows() const { return data_.live; }
  bool live(uint32_t i) const { return state(i) != kRemoved; }
  int64_t time(uint32_t i) const { return time_field_ < 0 ? 0 : load_i64(i, time_field_); }
  int32_t matches(uint32_t i) const { return state(i); }
  void set_matches(uint32_t i, int32_t n);

  // Adds row `row` of `columns` (the stored columns of a batch) whose key is row `row` of
  // `keys` (no NULL; hashed `hash`, as hash_column from kKeySeed), with `matches`.
  uint32_t add(const std::vector<const Column*>& columns, const std::vector<Column>& keys,
               int64_t row, uint64_t hash, int32_t matches);
  // Calls fn(i) for every live row whose key equals row `row` of `keys`, newest first.
  template <typename Fn>
  void for_each_with_key(const std::vector<Column>& keys, int64_t row, uint64_t hash,
                         Fn&& fn) const {
    // The rows not yet indexed are the newest: scanned first, newest first.
    const auto tag = static_cast<uint32_t>(hash >> 32);
    for (uint32_t i = size(), begin = unindexed_begin(); i > begin;) {
      --i;
      if (load<uint32_t>(i, kHashAt) == tag && live(i) && key_equals(keys, row, i)) fn(i);
    }
    uint32_t i = table_.find(hash, [&](uint32_t at) { return key_equals(keys, row, at); });
    // Rows before `front` are all removed (and may be freed): the chain's rest is too.
    for (; i != kNone && i >= data_.front; i = next(i)) {
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
    int64_t newest = data_.front_newest;  // the latest time of the rows before i
    for (uint32_t i = data_.front; i < size(); ++i) {
      // Every row from i on lies at or after newest - disorder: once that reaches the limit
      // none of them expires.
      int64_t floor;
      if (!all && newest != INT64_MIN && !__builtin_sub_overflow(newest, data_.disorder, &floor) &&
          floor >= limit) {
        break;
      }
      const int64_t t = time(i);
      if (live(i) && (all || t < limit)) {
        fn(i);
        remove(i);
      }
      newest = std::max(newest, t);
      if (i == data_.front && !live(i)) {
        ++data_.front;
        data_.front_newest = newest;
      }
    }
  }
  // Gives back the memory of removed rows: frees the oldest chunks once every row in them is
  // removed, and rewrites the records without the removed rows when those reach half the live
  // ones. Row numbers held may no longer be valid: call it between operations, once what
  // refers to removed rows (a batch of NULL-padded rows being built) is done.
  void reclaim();

  // Appends stored column c of row i to `out`.
  void append_value(ColumnBuilder& out, size_t c, uint32_t i) const;
  // Appends stored column c of each of `rows` (kNone: a NULL) to `out`, in order: one switch on
  // the type for them all, a VARCHAR's bytes reserved first.
  void append_rows(ColumnBuilder& out, size_t c, std::span<const uint32_t> rows) const;
  // The length of VARCHAR column c of row i (0 when NULL).
  uint32_t string_length(size_t c, uint32_t i) const {
    return is_null(i, c) ? 0 : load<uint32_t>(i, fields_[c].offset);
  }

  Frozen freeze() const;
  uint32_t width() const { return width_; }
  // Replaces the rows with those Frozen::write wrote; a damaged state is SLC-4001.
  Status read(StateReader& r);
  // Bytes of the chunks and the index.
  int64_t bytes() const;
  // Keys in the index (whether a side was indexed, for tests).
  uint32_t index_entries() const { return table_.size(); }

 private:
  struct Field {
    DataType type;
    uint32_t offset;
  };
  // A record: i32 state, u32 next, u32 hash (upper half), NULL bits, then the fields.
  static constexpr uint32_t kStateAt = 0;
  static constexpr uint32_t kNextAt = 4;
  static constexpr uint32_t kHashAt = 8;
  static constexpr uint32_t kNullsAt = 12;

  const uint8_t* record(uint32_t i) const {
    return data_.chunks[i / kRowsPerChunk]->records.data() +
           static_cast<size_t>(i % kRowsPerChunk) * width_;
  }
  // Row i's record, for writing: its chunk copied first if an image still holds it.
  uint8_t* writable(uint32_t i);
  Chunk& writable_chunk(uint32_t c);
  template <typename T>
  T load(uint32_t i, uint32_t at) const {
    T v;
    std::memcpy(&v, record(i) + at, sizeof v);
    return v;
  }
  int32_t state(uint32_t i) const { return load<int32_t>(i, kStateAt); }
  uint32_t next(uint32_t i) const { return load<uint32_t>(i, kNextAt); }
  int64_t load_i64(uint32_t i, int field) const {
    return load<int64_t>(i, fields_[static_cast<size_t>(field)].offset);
  }
  bool is_null(uint32_t i, size_t field) const {
    return (record(i)[kNullsAt + field / 8] >> (field % 8)) & 1;
  }
  std::string_view string_at(uint32_t i, size_t field) const;
  // Field f of row i equals row `row` of `column` (NULL equals NULL; -0.0 0.0; NaN NaN).
  bool field_equals(uint32_t i, size_t f, const Column& column, int64_t row) const;
  bool fields_equal(uint32_t a, uint32_t b, size_t f) const;
  bool key_equals(const std::vector<Column>& keys, int64_t row, uint32_t at) const;
  // Writes row `row` of `column` into field f of the record at `out` (in chunk `chunk`).
  void store(uint8_t* out, Chunk& chunk, size_t f, const Column& column, int64_t row);
  // Links row i into its key's chain.
  void index(uint32_t i);
  // Indexes the rows not yet indexed (the live ones; removed ones are in no chain).
  void index_unindexed();
  // The first row not yet indexed that may be live.
  uint32_t unindexed_begin() const { return std::max(indexed_, data_.front); }
  void rebuild_index();
  // Frees the chunks every row of which lies before `front`.
  void free_front();

  std::vector<Field> fields_;   // the stored columns, then the computed keys
  std::vector<size_t> key_at_;  // per key: its field
  int time_field_ = -1;
  uint32_t width_ = 0;
  Frozen data_;
  uint32_t freed_rows_ = 0;  // rows in freed chunks
  GroupTable table_;
  bool deferred_ = false;
  uint32_t indexed_ = 0;  // rows before it have been indexed (or were removed first)
  int64_t credits_ = 0;   // row visits of scanning earned by the rows not yet indexed
};

// A join's checkpoint state: both sides' rows and watermarks —
//   u8 format (1), i64 left watermark, i64 right watermark, the left rows, the right rows —
// frozen at capture() and written later, on any one thread.
class JoinStateImage final : public StateImage {
 public:
  JoinStateImage(const int64_t watermarks[2], const JoinRows& left, const JoinRows& right)
      : watermarks_{watermarks[0], watermarks[1]},
        left_(left.freeze()),
        right_(right.freeze()),
        widths_{left.width(), right.width()} {}
  void write(StateWriter& w) const override;

 private:
  const int64_t watermarks_[2];
  const JoinRows::Frozen left_;
  const JoinRows::Frozen right_;
  const uint32_t widths_[2];
};

// Reads what a JoinStateImage wrote back into `watermarks`, `left` and `right`.
Status read_join_state(StateReader& r, int64_t watermarks[2], JoinRows& left, JoinRows& right);

}  // namespace sluice::dataflow
