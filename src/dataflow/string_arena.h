#pragma once
// StringArena: the variable-width bytes of a group store (VARCHAR keys, text MIN/MAX/FIRST/
// LAST, a changelog's last output), stored once each in append-only blocks, referred to by
// (block, offset, length) — or, up to 8 bytes, held in the reference. Bytes once written never
// change, so a checkpoint image shares the
// blocks as they are: copying an arena copies block pointers and the bytes used, and the
// live arena appends past what the image captured. A replaced string's bytes stay until the
// arena is dropped or compacted (counted as garbage).
//
// Thread: as ChunkedArray: one thread per copy; blocks are shared read-only below the
// captured length.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "dataflow/state_codec.h"
#include "sluice/status.h"

namespace sluice::dataflow {

// A string of up to 8 bytes (most keys) is held in the reference itself, in the 8 bytes of
// block and offset: comparing it needs no arena.
struct StringRef {
  static constexpr uint32_t kInline = 8;
  uint32_t length = 0;
  uint32_t block = 0;
  uint32_t offset = 0;

  bool is_inline() const { return length <= kInline; }
  const char* inline_bytes() const { return reinterpret_cast<const char*>(&block); }
  char* inline_bytes() { return reinterpret_cast<char*>(&block); }
};
static_assert(sizeof(StringRef) == 12 && offsetof(StringRef, offset) == 8);

class StringArena {
 public:
  StringRef add(std::string_view s);
  // The bytes of `r`; for an inline string they are in `r` itself, so the view lasts as long
  // as the reference it was taken from.
  std::string_view get(const StringRef& r) const {
    if (r.is_inline()) return {r.inline_bytes(), r.length};
    return {blocks_[r.block].get() + r.offset, r.length};
  }
  // `r` is no longer referred to: its bytes are garbage.
  void release(const StringRef& r) {
    if (!r.is_inline()) garbage_ += r.length;
  }
  size_t used() const { return used_total_; }
  size_t garbage() const { return garbage_; }
  // After read(), which cannot tell live bytes from garbage: the owner gives the bytes its
  // references hold (live_bytes of each), and the rest is garbage, as it was when the arena was
  // captured (every string added is referred to until released). So a restored state compacts
  // when the uninterrupted one would have.
  void recount_garbage(size_t live) { garbage_ = live <= used_total_ ? used_total_ - live : 0; }
  // The arena bytes of `r` (none when it is inline).
  static size_t live_bytes(const StringRef& r) { return r.is_inline() ? 0 : r.length; }
  size_t bytes() const { return capacity_total_ + blocks_.capacity() * 24; }

  void write(StateWriter& w) const;
  Status read(StateReader& r);
  // Whether `r` lies within the bytes read (a damaged reference is SLC-4001, never a read
  // out of bounds).
  bool valid(const StringRef& r) const {
    return r.is_inline() || (r.block < used_.size() && r.offset <= used_[r.block] &&
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
