#include "checkpoint/manifest_store.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "common/crc32c.h"
#include "support/temp_dir.h"

namespace sluice::checkpoint {
namespace {

namespace fs = std::filesystem;

class ManifestStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = tmp_ / "checkpoints";  // not created: the code under test makes it
  }
  Manifest manifest(uint64_t epoch) {
    Manifest m;
    m.epoch = epoch;
    m.source_offsets = {{"bid", static_cast<int64_t>(epoch) * 4096}, {"trades \"x\"", 7}};
    return m;
  }
  void clobber(const std::string& name, std::string_view bytes) {
    std::ofstream(dir_ / name, std::ios::binary | std::ios::trunc) << bytes;
  }
  sluice::testing::TempDir tmp_{"sluice_manifest_"};
  fs::path dir_;
};

TEST(Crc32c, KnownValue) {
  EXPECT_EQ(crc32c("123456789"), 0xE3069283u);  // the standard check value
  EXPECT_EQ(crc32c(""), 0u);
  // Longer than a word at a time, with a tail: the standard 32 zero bytes' value.
  EXPECT_EQ(crc32c(std::string(32, '\0')), 0x8A9136AAu);
}

// A checksum can follow a file as it grows: pieces of any length chain to the whole's.
TEST(Crc32c, ChainsAcrossPiecesOfAnyLength) {
  std::string bytes(1000, '\0');
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>(i * 131 + 7);
  const uint32_t whole = crc32c(bytes);
  for (size_t cut : {0, 1, 7, 8, 9, 63, 500, 999, 1000}) {
    const std::string_view all(bytes);
    EXPECT_EQ(crc32c(all.substr(cut), crc32c(all.substr(0, cut))), whole) << cut;
  }
}

TEST_F(ManifestStoreTest, WritesAndLoadsTheNewest) {
  ManifestStore store(dir_.string());
  ASSERT_TRUE(store.open().ok());
  auto none = store.load_latest();
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->checkpoint.has_value());
  EXPECT_TRUE(none->skipped.empty());
  ASSERT_TRUE(store.write(manifest(1), "state one").ok());
  ASSERT_TRUE(store.write(manifest(2), std::string("state\0two", 9)).ok());
  auto latest = store.load_latest();
  ASSERT_TRUE(latest.ok() && latest->checkpoint.has_value());
  EXPECT_EQ(latest->checkpoint->manifest.epoch, 2u);
  EXPECT_EQ(latest->checkpoint->state, std::string("state\0two", 9));
  EXPECT_EQ(latest->checkpoint->manifest.source_offsets.at("bid"), 8192);
  EXPECT_EQ(latest->checkpoint->manifest.source_offsets.at("trades \"x\""), 7);
  EXPECT_TRUE(latest->skipped.empty());
  for (const auto& e : fs::directory_iterator(dir_)) {
    EXPECT_FALSE(e.path().string().ends_with(".tmp")) << "no temp file is left behind";
  }
}

TEST_F(ManifestStoreTest, FallsBackPastCorruptAndPartialCheckpoints) {
  ManifestStore store(dir_.string(), 10);
  ASSERT_TRUE(store.open().ok());
  for (uint64_t e = 1; e <= 5; ++e)
    ASSERT_TRUE(store.write(manifest(e), "state " + std::to_string(e)).ok());
  // 5: the manifest is cut short, as by a crash while writing it without the rename.
  clobber("manifest-00000000000000000005.json", "{\"version\":1,\"epo");
  // 4: one flipped digit: the checksum no longer matches.
  {
    std::ifstream in(dir_ / "manifest-00000000000000000004.json");
    std::string text((std::istreambuf_iterator<char>(in)), {});
    text[text.find("\"epoch\":4") + 8] = '9';
    clobber("manifest-00000000000000000004.json", text);
  }
  // 3: its state file is damaged.
  clobber("state-00000000000000000003.bin", "state X");
  auto latest = store.load_latest();
  ASSERT_TRUE(latest.ok() && latest->checkpoint.has_value());
  EXPECT_EQ(latest->checkpoint->manifest.epoch, 2u);
  EXPECT_EQ(latest->checkpoint->state, "state 2");
  ASSERT_EQ(latest->skipped.size(), 3u);
  EXPECT_NE(latest->skipped[0].find("has no checksum"), std::string::npos) << latest->skipped[0];
  EXPECT_NE(latest->skipped[1].find("checksum mismatch"), std::string::npos) << latest->skipped[1];
  EXPECT_NE(latest->skipped[2].find("missing or damaged"), std::string::npos) << latest->skipped[2];
}

TEST_F(ManifestStoreTest, KeepsOnlyTheNewestN) {
  ManifestStore store(dir_.string(), 3);
  ASSERT_TRUE(store.open().ok());
  for (uint64_t e = 1; e <= 7; ++e) ASSERT_TRUE(store.write(manifest(e), "s").ok());
  EXPECT_EQ(store.epochs(), (std::vector<uint64_t>{7, 6, 5}));
  size_t states = 0;
  for (const auto& e : fs::directory_iterator(dir_))
    states += e.path().filename().string().rfind("state-", 0) == 0;
  EXPECT_EQ(states, 3u);
}

TEST_F(ManifestStoreTest, JsonRoundTripAndVersionCheck) {
  Manifest m = manifest(42);
  m.state_file = "state-x.bin";
  m.state_bytes = 10;
  m.state_crc = 99;
  m.created_at_ms = 1;
  const std::string json = ManifestStore::to_json(m);
  auto back = ManifestStore::from_json(json);
  ASSERT_TRUE(back.ok()) << back.status().to_string();
  EXPECT_EQ(back->epoch, 42u);
  EXPECT_EQ(back->source_offsets, m.source_offsets);
  std::string future = json;
  future.replace(future.find("\"version\":1"), 11, "\"version\":2");
  // Re-seal it so only the version is wrong.
  const size_t at = future.rfind(",\"checksum\":");
  future =
      future.substr(0, at) + ",\"checksum\":" + std::to_string(crc32c(future.substr(0, at))) + "}";
  EXPECT_EQ(ManifestStore::from_json(future).status().code(), ErrorCode::kUnsupported);
}

TEST_F(ManifestStoreTest, UnwritableDirectoryIsAClearError) {
  std::ofstream(dir_.string()) << "a file";
  ManifestStore store((dir_ / "sub").string());
  Status s = store.open();
  EXPECT_EQ(s.code(), ErrorCode::kIoError);
  EXPECT_NE(s.message().find("sub"), std::string_view::npos);
  fs::remove(dir_);
}

}  // namespace
}  // namespace sluice::checkpoint
