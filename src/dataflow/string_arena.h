#pragma once
// StringArena: the variable-width bytes of a group store (VARCHAR keys, text MIN/MAX/FIRST/
// LAST, a changelog's last output), stored once each in append-only blocks, referred to by
// (block, offset, length). Bytes once written never change, so a checkpoint image shares the
// blocks as they are: copying an arena copies block pointers and the bytes used, and the
// live arena appends past what the image captured. A replaced string's bytes stay until the
// arena is dropped or compacted (counted as garbage).
//
// Thread: as ChunkedArray: one thread per copy; blocks are shared read-only below the
// captured length.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "dataflow/state_codec.h"
#include "sluice/status.h"

namespace sluice::dataflow {

struct StringRef {
  uint32_t block = 0;
  uint32_t offset = 0;
  uint32_t length = 0;
};

class StringArena {
 public:
  StringRef add(std::string_view s);
  std::string_view get(StringRef r) const {
    if (r.length == 0) return {};
    return {blocks_[r.block].get() + r.offset, r.length};
  }
  // `r` is no longer referred to: its bytes are garbage.
  void release(StringRef r) { garbage_ += r.length; }
  size_t used() const { return used_total_; }
  size_t garbage() const { return garbage_; }
  size_t bytes() const { return capacity_total_ + blocks_.capacity() * 24; }

  void write(StateWriter& w) const;
  Status read(StateReader& r);
  // Whether `r` lies within the bytes read (a damaged reference is SLC-4001, never a read
  // out of bounds).
  bool valid(StringRef r) const {
    return r.length == 0 || (r.block < used_.size() && r.offset <= used_[r.block] &&
                             r.length <= used_[r.block] - r.offset);
  }

 private:
  std::vector<std::shared_ptr<char[]>> blocks_;
  std::vector<uint32_t> used_;
  std::vector<uint32_t> capacity_;
  size_t used_total_ = 0;
  size_t capacity_total_ = 0;
  size_t garbage_ = 0;
};

}  // namespace sluice::dataflow
