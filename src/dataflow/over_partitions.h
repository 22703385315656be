#pragma once
// OverPartitions: an OVER frame's rows — per partition its kept rows in the frame's order
// (OrderedRowCodec bytes: sort keys, then the other values; equal rows as one entry with its
// copies), and on the watermark the rows waiting for it. Finds the rows around a place (the
// frames a change touches), adds and removes copies, drops a partition's oldest rows, hands
// out the waiting rows a watermark passes, and writes and reads itself for checkpoints.
//
// Kept like an unwindowed GROUP BY's groups: an updating input's rows stay until deleted; on
// the watermark only each partition's last n rows stay (OverOperator trims them).
//
// Layout (the house's compact one): every partition's rows, and the waiting rows, are trees of
// one OrderedRows pool (typed nodes in a ChunkedArray, bytes in a StringArena); partitions are
// typed entries in a ChunkedArray (key bytes in their own arena, a free list for reuse), found
// through a GroupTable that is an index only, rebuilt on restore. A waiting row is kept as its
// bytes followed by its partition's key: their byte order is (row, partition), the order rows
// are released in, and its time (the row's first column) is a prefix of it, so the rows a
// watermark passes are the tree's first ones. Steady state allocates nothing per row.
//
// Checkpoints: capture() copies chunk and block pointers (O(chunks), shared copy-on-write);
// the Frozen copy is written on the checkpoint thread in bulk; read() loads it back in bulk and
// checks every link and reference, and every row against the codec, before use.
//
// Thread: the owning operator's (the compute thread); a Frozen copy is written on any one
// thread.

#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "dataflow/chunked_array.h"
#include "dataflow/group_table.h"
#include "dataflow/ordered_row_codec.h"
#include "dataflow/ordered_rows.h"
#include "dataflow/state_codec.h"
#include "dataflow/string_arena.h"
#include "sluice/status.h"
#include "sluice/value.h"

namespace sluice::dataflow {

class OverPartitions {
 public:
  static constexpr uint32_t kNone = UINT32_MAX;

  // Written to checkpoints as its bytes: no padding.
  struct Partition {
    StringRef key;
    uint32_t next_free;      // on the free list: the next free partition; kNone otherwise
    OrderedRows::Tree rows;  // empty: free
  };
  static_assert(std::has_unique_object_representations_v<Partition>);

  // The state as it was at capture(), shared copy-on-write with the live one.
  struct Frozen {
    OrderedRows::Frozen rows;
    ChunkedArray<Partition> partitions;
    StringArena keys;
    uint32_t free = kNone;
    int64_t live = 0;  // partitions
    OrderedRows::Tree waiting;
    void write(StateWriter& w) const;
  };

  // The rows around a place in a partition, as copies (a row with 3 copies stands 3 times).
  // Views into the state: valid until it next changes.
  struct Around {
    std::vector<std::string_view> before;  // in order, the last just before the place
    std::vector<std::string_view> after;   // in order, the first just after it
  };
  // Rows a watermark released: each copy's row and partition key, in the frame's order.
  struct Released {
    struct At {
      size_t begin, row, size;  // in bytes: where it begins, its row's length, and its length
    };
    std::string bytes;
    std::vector<At> rows;
    std::string_view row(size_t i) const {
      return std::string_view(bytes).substr(rows[i].begin, rows[i].row);
    }
    std::string_view partition(size_t i) const {
      const At& a = rows[i];
      return std::string_view(bytes).substr(a.begin + a.row, a.size - a.row);
    }
  };

  // The partition `key`, or kNone.
  uint32_t find(std::string_view key) const;
  // The partition `key`, made empty when new.
  uint32_t get(std::string_view key);

  // Up to `n` copies before and after the place just after `row`'s equal copies in partition
  // p, of which `exclude` are left out (the copy about to be removed).
  void around(uint32_t p, std::string_view row, uint32_t exclude, size_t n, Around& out) const;
  // Copies of `row` held in partition p.
  uint32_t copies(uint32_t p, std::string_view row) const;
  void add(uint32_t p, std::string_view row);
  // Removes one copy of `row` (which must be held), and the partition once empty.
  void remove(uint32_t p, std::string_view row);
  // Keeps only the last `keep` copies of partition p's rows (the partition removed when none).
  void keep_last(uint32_t p, int64_t keep);

  // A row of partition `key` waits for the watermark.
  void wait(std::string_view key, std::string_view row);
  // Moves the waiting rows whose time (their first column, by `codec`) is before `watermark`
  // into `out`, in the frame's order (then by partition).
  Status release(int64_t watermark, const OrderedRowCodec& codec, Released& out);

  // Rewrites the arenas without removed bytes once they outweigh the live ones; call it
  // between operations (views taken before are no longer valid).
  void maybe_compact();

  int64_t rows() const { return kept_; }  // copies, in every partition
  int64_t waiting() const { return waiting_.copies; }
  int64_t partitions() const { return live_; }
  // Roughly the memory held (see bytes() in the .cc).
  int64_t bytes() const;

  Frozen capture() const;
  // Reads what Frozen::write wrote, each row checked to decode with `codec`. A damaged state is
  // SLC-4001 and leaves this empty.
  Status read(StateReader& r, const OrderedRowCodec& codec);

 private:
  static uint64_t hash(std::string_view key);
  void free_partition(uint32_t p);
  void clear();

  OrderedRows rows_;
  ChunkedArray<Partition> partitions_;
  StringArena keys_;
  uint32_t free_ = kNone;
  int64_t live_ = 0;
  OrderedRows::Tree waiting_;
  int64_t kept_ = 0;
  GroupTable index_;
  std::string scratch_;
  std::vector<Value> values_;
};

}  // namespace sluice::dataflow
