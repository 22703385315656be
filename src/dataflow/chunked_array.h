#pragma once
// ChunkedArray<T>: an array indexed by group, in chunks of 4096 elements each held by a
// shared pointer, so that a checkpoint image is a copy of the array (the chunk pointers: a
// few hundred for a million groups) rather than of the data. Copies share chunks
// copy-on-write: whichever copy writes to a shared chunk first copies it, so the image keeps
// the values it captured while the operator goes on. Only the live copy is ever written.
//
// Thread: a copy is used by one thread, and is made on the thread that writes the original
// (copying clears the original's ownership flags). Copies share chunks across threads (the
// checkpoint thread reads and then drops its image's copy while the compute thread writes its
// own), which is safe because a shared chunk is never written, and a chunk becomes unshared
// only when the other copy's reference is released (CowPtr: a release decrement, paired with
// the acquire load of the count in own()).

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "dataflow/cow_ptr.h"
#include "dataflow/state_codec.h"
#include "sluice/status.h"

namespace sluice::dataflow {

template <typename T>
class ChunkedArray {
 public:
  static constexpr uint32_t kShift = 12;
  static constexpr uint32_t kChunk = 1u << kShift;
  static constexpr uint32_t kMask = kChunk - 1;

  ChunkedArray() = default;
  // A copy (an image) shares every chunk: both copies must check before writing again.
  ChunkedArray(const ChunkedArray& other)
      : chunks_(other.chunks_),
        data_(other.data_),
        exclusive_(other.exclusive_.size(), 0),
        size_(other.size_) {
    std::fill(other.exclusive_.begin(), other.exclusive_.end(), 0);
  }
  ChunkedArray& operator=(const ChunkedArray& other) {
    if (this != &other) *this = ChunkedArray(other);
    return *this;
  }
  ChunkedArray(ChunkedArray&&) noexcept = default;
  ChunkedArray& operator=(ChunkedArray&&) noexcept = default;

  uint32_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  const T& operator[](uint32_t i) const { return data_[i >> kShift][i & kMask]; }

  // Element i, for writing: its chunk is copied first if an image shares it.
  // Always inlined: aggregates update through it once per row (a call cost ~8% of a keyed
  // tumbling aggregate, sql_bench); the copy is the rare path.
  [[gnu::always_inline]] T& mut(uint32_t i) {
    const uint32_t c = i >> kShift;
    if (!exclusive_[c]) [[unlikely]]
      own(c);
    return data_[c][i & kMask];
  }

  void push_back(const T& v) {
    if ((size_ & kMask) == 0) {
      chunks_.push_back(CowPtr<Chunk>::make());
      chunks_.back()->reserve(16);
      data_.push_back(nullptr);
      exclusive_.push_back(1);
    } else if (!exclusive_.back()) {
      own(static_cast<uint32_t>(chunks_.size() - 1));
    }
    chunks_.back()->push_back(v);
    data_.back() = chunks_.back()->data();
    ++size_;
  }

  void clear() {
    chunks_.clear();
    data_.clear();
    exclusive_.clear();
    size_ = 0;
  }

  // Bytes the chunks take (their capacity; a chunk shared with an image is counted by both).
  size_t bytes() const {
    size_t n = chunks_.capacity() * sizeof(CowPtr<Chunk>);
    for (const auto& c : chunks_) n += c->capacity() * sizeof(T) + 32;
    return n;
  }

  // The elements in bulk: a length-prefixed run of their bytes (T is trivially copyable).
  void write(StateWriter& w) const {
    static_assert(std::is_trivially_copyable_v<T>);
    // Every byte of T is a value's (no padding; a floating-point number is its bits): an
    // uninitialized padding byte would make two equal states write different images.
    static_assert(std::has_unique_object_representations_v<T> || std::is_floating_point_v<T>,
                  "a type written as its bytes must have no padding");
    w.i64(static_cast<int64_t>(size_) * static_cast<int64_t>(sizeof(T)));
    for (const auto& c : chunks_) {
      w.raw(std::string_view(reinterpret_cast<const char*>(c->data()), c->size() * sizeof(T)));
    }
  }
  // Replaces the contents with `n` elements written by write(); a run of another length is
  // a damaged state (SLC-4001).
  Status read(StateReader& r, uint32_t n, std::string& scratch) {
    static_assert(std::is_trivially_copyable_v<T>);
    SLC_RETURN_IF_ERROR(r.str(scratch));
    if (scratch.size() != static_cast<size_t>(n) * sizeof(T)) {
      return Status(ErrorCode::kDataCorrupt,
                    "aggregate state is damaged: an array of " + std::to_string(scratch.size()) +
                        " bytes where " + std::to_string(n) + " elements of " +
                        std::to_string(sizeof(T)) + " bytes were expected");
    }
    clear();
    for (uint32_t at = 0; at < n; at += kChunk) {
      const uint32_t k = std::min(kChunk, n - at);
      auto c = CowPtr<Chunk>::make(k);
      std::memcpy(static_cast<void*>(c->data()),
                  scratch.data() + static_cast<size_t>(at) * sizeof(T),
                  static_cast<size_t>(k) * sizeof(T));
      data_.push_back(c->data());
      exclusive_.push_back(1);
      chunks_.push_back(std::move(c));
    }
    size_ = n;
    return Status::Ok();
  }

 private:
  using Chunk = std::vector<T>;

  // Makes chunk c this copy's own: copied if another copy still holds it. Once it is, only
  // copying this array shares it again (and clears the flags), so the check is a flag.
  [[gnu::noinline]] void own(uint32_t c) {
    if (!chunks_[c].unique()) {
      chunks_[c] = CowPtr<Chunk>::make(*chunks_[c]);
      data_[c] = chunks_[c]->data();
    }
    exclusive_[c] = 1;
  }

  std::vector<CowPtr<Chunk>> chunks_;
  std::vector<T*> data_;                    // chunks_[c]->data()
  mutable std::vector<uint8_t> exclusive_;  // chunk c is this copy's alone
  uint32_t size_ = 0;
};

}  // namespace sluice::dataflow
