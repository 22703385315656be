// Split offsets (a Kafka source's partitions) among a checkpoint's source offsets: each source
// finds its own splits, not a neighbour's whose name starts like its own; the committed ones
// reach a source once per commit.
#include "runtime/split_offsets.h"

#include <gtest/gtest.h>

namespace sluice::runtime {
namespace {

std::shared_ptr<SourceRuntime> source_named(const std::string& name, uint32_t id) {
  auto def = std::make_shared<sql::SourceDef>();
  def->name = name;
  return std::make_shared<SourceRuntime>(id, def, 1000, Overflow::kBlock);
}

TEST(SplitOffsets, EachSourceFindsItsOwnSplits) {
  const std::map<std::string, int64_t> offsets = {
      {"k", 0},   {split_offset_key("k", "t/0"), 17}, {split_offset_key("k", "t/1"), 4},
      {"k2", 99}, {split_offset_key("k2", "t/0"), 5}, {"file", 1234}};
  EXPECT_EQ(splits_of("k", offsets), (std::map<std::string, int64_t>{{"t/0", 17}, {"t/1", 4}}));
  EXPECT_EQ(splits_of("k2", offsets), (std::map<std::string, int64_t>{{"t/0", 5}}));
  EXPECT_TRUE(splits_of("file", offsets).empty());
  EXPECT_TRUE(splits_of("absent", offsets).empty());
}

TEST(SplitOffsets, CommittedSplitsReachTheirSourceOncePerCommit) {
  auto k = source_named("k", 0);
  auto file = source_named("file", 1);
  uint64_t generation = 0;
  std::map<std::string, int64_t> got;
  EXPECT_FALSE(k->committed_splits_since(generation, got));
  publish_committed_splits({k, file}, {{"k", 0}, {split_offset_key("k", "t/0"), 8}, {"file", 3}});
  ASSERT_TRUE(k->committed_splits_since(generation, got));
  EXPECT_EQ(got, (std::map<std::string, int64_t>{{"t/0", 8}}));
  EXPECT_FALSE(k->committed_splits_since(generation, got));  // nothing new since
  uint64_t file_generation = 0;
  EXPECT_FALSE(file->committed_splits_since(file_generation, got));  // no splits: not touched
}

}  // namespace
}  // namespace sluice::runtime
