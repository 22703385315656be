#pragma once
// DistinctSet: one group's COUNT(DISTINCT x) values, compactly: the values' encodings
// (append_key's bytes) stored once each in one string, found through an open-addressing
// table of offsets — about 20 bytes for a BIGINT, not a node and a std::string each.
//
// Thread: one thread per set; a group store shares sets with images by shared pointer and
// copies a shared set before inserting into it.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "dataflow/state_codec.h"
#include "sluice/status.h"

namespace sluice::dataflow {

class DistinctSet {
 public:
  // Adds an encoded value; false if it was there.
  bool insert(std::string_view encoded);
  size_t size() const { return count_; }
  size_t bytes() const { return data_.capacity() + table_.capacity() * 4 + sizeof(*this); }
  template <typename F>
  void for_each(F&& f) const {
    for (size_t at = 0; at < data_.size();) {
      const std::string_view item = at_offset(static_cast<uint32_t>(at));
      f(item);
      at += 4 + item.size();
    }
  }

  // Its values, each with its length: a set written and read back is equal.
  void write(StateWriter& w) const;
  Status read(StateReader& r);

 private:
  std::string_view at_offset(uint32_t offset) const;
  void grow();

  std::string data_;             // [uint32 length][bytes], one record per value
  std::vector<uint32_t> table_;  // offset + 1 into data_; 0 is empty; a power of two
  uint32_t count_ = 0;
};

}  // namespace sluice::dataflow
