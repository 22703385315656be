// Checkpoints are a function of the state: equal states write equal images. Arrays of typed
// entries are written as their bytes (ChunkedArray::write), so an entry made from equal values
// must have equal bytes whatever the memory held before — no padding byte left as it was. Each
// entry is made as the state makes it (aggregate initialization, which leaves padding alone)
// over memory filled with two different bytes.

#include <gtest/gtest.h>

#include <cstring>
#include <new>
#include <string>

#include "dataflow/join_pending.h"
#include "dataflow/join_versions.h"

namespace sluice::dataflow {
namespace {

// The bytes of a T made with `fields` in memory first filled with `fill`.
template <typename T, typename... Fields>
std::string bytes_made_over(unsigned char fill, Fields... fields) {
  alignas(T) unsigned char memory[sizeof(T)];
  std::memset(memory, fill, sizeof memory);
  const T* made = new (memory) T{fields...};
  return std::string(reinterpret_cast<const char*>(made), sizeof(T));
}

StringRef ref(uint32_t length, uint32_t block, uint32_t offset) {
  StringRef r;
  r.length = length;
  r.block = block;
  r.offset = offset;
  return r;
}

TEST(StateLayout, EqualJoinVersionsHaveEqualBytes) {
  using Version = JoinVersions::Version;
  EXPECT_EQ(bytes_made_over<Version>(0x00, int64_t{7}, int64_t{3}, ref(20, 1, 40), 5u, 2u),
            bytes_made_over<Version>(0xff, int64_t{7}, int64_t{3}, ref(20, 1, 40), 5u, 2u));
}

TEST(StateLayout, EqualJoinKeysHaveEqualBytes) {
  using Key = JoinVersions::Key;
  EXPECT_EQ(bytes_made_over<Key>(0x00, uint64_t{99}, ref(12, 0, 8), 4u, 1u),
            bytes_made_over<Key>(0xff, uint64_t{99}, ref(12, 0, 8), 4u, 1u));
}

TEST(StateLayout, EqualWaitingLeftRowsHaveEqualBytes) {
  using Entry = JoinPendingRows::Entry;
  EXPECT_EQ(bytes_made_over<Entry>(0x00, int64_t{1}, int64_t{2}, ref(9, 0, 0), ref(3, 0, 0),
                                   uint64_t{5}, uint64_t{0}),
            bytes_made_over<Entry>(0xff, int64_t{1}, int64_t{2}, ref(9, 0, 0), ref(3, 0, 0),
                                   uint64_t{5}, uint64_t{0}));
}

}  // namespace
}  // namespace sluice::dataflow
