#pragma once
// GroupTable: an open-addressing hash table (linear probing) from a group key's hash to the
// group's index in its store. A slot is 8 bytes: the hash's upper 32 bits (which also place
// it, so the table regrows without the keys) and the index + 1 (0: empty). Keys live in the
// store's typed arrays; the caller's `equals` compares them. The table is an index only:
// checkpoints do not write it, restore rebuilds it.
//
// Thread: the compute thread.

#include <cstddef>
#include <cstdint>
#include <vector>

namespace sluice::dataflow {

class GroupTable {
 public:
  static constexpr uint32_t kNotFound = UINT32_MAX;

  // The index of the entry with this hash that `equals(index)` accepts, or kNotFound.
  template <typename Equals>
  uint32_t find(uint64_t hash, Equals&& equals) const {
    if (slots_.empty()) return kNotFound;
    const auto tag = static_cast<uint32_t>(hash >> 32);
    for (size_t i = tag & mask_;; i = (i + 1) & mask_) {
      const uint64_t s = slots_[i];
      if (s == 0) return kNotFound;
      if (static_cast<uint32_t>(s >> 32) == tag) {
        const auto index = static_cast<uint32_t>(s) - 1;
        if (equals(index)) return index;
      }
    }
  }
  // Brings the slot `hash` starts probing at into cache (a batch's lookups prefetch ahead).
  void prefetch(uint64_t hash) const {
    if (!slots_.empty()) __builtin_prefetch(&slots_[(hash >> 32) & mask_]);
  }
  // Room for n entries without regrowing (restore knows how many it will add).
  void reserve(uint32_t n);
  // Adds an entry (its key is not in the table).
  void insert(uint64_t hash, uint32_t index);
  // Removes the entry for `index` (hashed `hash`), if present.
  void erase(uint64_t hash, uint32_t index);
  // Points the entry for `from` (hashed `hash`) at `to`.
  void replace(uint64_t hash, uint32_t from, uint32_t to);
  uint32_t size() const { return count_; }
  size_t bytes() const { return slots_.capacity() * sizeof(uint64_t); }
  void clear();

 private:
  size_t position(uint64_t hash, uint32_t index) const;
  void grow();

  std::vector<uint64_t> slots_;
  size_t mask_ = 0;
  uint32_t count_ = 0;
};

}  // namespace sluice::dataflow
