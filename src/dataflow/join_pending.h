#pragma once
// JoinPendingRows: an ASOF join's left rows waiting for the right side's watermark to pass
// their time (until then a closer right row may still come). A binary min-heap by (time,
// arrival), so they are answered oldest first: the same order on every run. Each entry holds
// the row's and key's bytes in a StringArena; the heap lives in a ChunkedArray whose tail past
// the heap's size is spare (ChunkedArray does not shrink; emptied, it is cleared).
//
// Checkpoints as JoinVersions: capture() copies chunk and block pointers; the frozen copy
// writes the live entries in bulk.
//
// Thread: the compute thread; a Frozen copy is written on any one thread.

#include <cstdint>
#include <string>
#include <string_view>

#include "dataflow/chunked_array.h"
#include "dataflow/join_row_codec.h"
#include "dataflow/state_codec.h"
#include "dataflow/string_arena.h"

namespace sluice::dataflow {

class JoinPendingRows {
 public:
  // Written to checkpoints as its bytes (ChunkedArray::write): no padding.
  struct Entry {
    int64_t time;
    int64_t seq;
    StringRef row;  // JoinRowCodec bytes
    StringRef key;  // JoinKeys bytes
    uint64_t hash;
    uint64_t null_key;  // 1: a NULL key (a left outer join's row that matches nothing)
  };
  static_assert(std::has_unique_object_representations_v<Entry>);

  struct Frozen {
    ChunkedArray<Entry> heap;
    StringArena arena;
    uint32_t size = 0;
    void write(StateWriter& w) const;
  };

  bool empty() const { return d_.size == 0; }
  int64_t size() const { return d_.size; }
  // The oldest entry (not empty()).
  const Entry& top() const { return d_.heap[0]; }
  std::string_view row(const Entry& e) const { return d_.arena.get(e.row); }
  std::string_view key(const Entry& e) const { return d_.arena.get(e.key); }

  void push(int64_t time, int64_t seq, std::string_view row, std::string_view key, uint64_t hash,
            bool null_key);
  // Removes the oldest entry (its bytes stay readable until the next push).
  void pop();
  int64_t bytes() const { return static_cast<int64_t>(d_.heap.bytes() + d_.arena.bytes()); }

  Frozen capture() const { return d_; }
  // Reads what Frozen::write wrote; rows checked against `codec` (SLC-4001 when damaged).
  Status read(StateReader& r, const JoinRowCodec& codec);

 private:
  static bool before(const Entry& a, const Entry& b) {
    return a.time < b.time || (a.time == b.time && a.seq < b.seq);
  }
  void maybe_compact();

  Frozen d_;
};

}  // namespace sluice::dataflow
