// SpillFile: what goes in comes back in order, in pieces of any size; clear empties it; the
// file is anonymous from the start (nothing named is left in the temporary directory).
#include "common/spill_file.h"
#include "support/temp_dir.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

namespace sluice {
namespace {

namespace fs = std::filesystem;

std::string read_all(const SpillFile& f, size_t piece) {
  std::string out, buffer;
  for (size_t at = 0;;) {
    auto got = f.read(at, piece, buffer);
    EXPECT_TRUE(got.ok()) << got.status().to_string();
    if (!got.ok() || got->empty()) return out;
    out += *got;
    at += got->size();
  }
}

TEST(SpillFile, GivesBackWhatWasAppendedInPieces) {
  const sluice::testing::TempDir tmp("sluice_spill_");
  const fs::path& dir = tmp.path();
  ::setenv("TMPDIR", dir.c_str(), 1);
  SpillFile f;
  EXPECT_EQ(f.size(), 0u);
  EXPECT_EQ(read_all(f, 7), "");
  std::string expected;
  for (int i = 0; i < 1000; ++i) {
    const std::string part =
        "part " + std::to_string(i) + std::string(static_cast<size_t>(i % 13), '\0');
    ASSERT_TRUE(f.append(part).ok());
    expected += part;
  }
  EXPECT_EQ(f.size(), expected.size());
  EXPECT_TRUE(fs::is_empty(dir)) << "the spill file must be unlinked at once";
  EXPECT_EQ(read_all(f, 7), expected);
  EXPECT_EQ(read_all(f, 1 << 20), expected);
  f.clear();
  EXPECT_EQ(f.size(), 0u);
  EXPECT_EQ(read_all(f, 64), "");
  ASSERT_TRUE(f.append("again").ok());
  EXPECT_EQ(read_all(f, 2), "again");
  ::unsetenv("TMPDIR");
}

TEST(SpillFile, AnUnusableDirectoryIsAnErrorNamingIt) {
  ::setenv("TMPDIR", "/nonexistent/sluice", 1);
  SpillFile f;
  const Status s = f.append("x");
  ::unsetenv("TMPDIR");
  EXPECT_EQ(s.code(), ErrorCode::kIoError);
  EXPECT_NE(s.to_string().find("/nonexistent/sluice"), std::string::npos) << s.to_string();
  EXPECT_EQ(f.size(), 0u);
}

}  // namespace
}  // namespace sluice
