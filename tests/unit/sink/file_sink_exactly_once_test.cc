// The file sink in exactly-once mode: rows are invisible until commit, one part per epoch,
// rollback discards, recover() resolves staged epochs as a manifest decided, close() publishes
// nothing that was not pre-committed. A decided epoch whose staged file is gone or damaged is
// an error, never a silent loss; the sink knows the newest epoch it has published; it never
// publishes over an existing part.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/crc32c.h"
#include "connectors/file/file_sink.h"
#include "sluice/batch_builder.h"
#include "support/temp_dir.h"

namespace sluice::sink {
namespace {

using connectors::file::FileSinkOptions;
using connectors::file::make_file_sink;

namespace fs = std::filesystem;

class FileSinkExactlyOnce : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = tmp_ / "out";  // not created: the code under test makes it
  }

  std::unique_ptr<Sink> open_sink() {
    FileSinkOptions o;
    o.directory = dir_.string();
    auto sink = make_file_sink(o);
    EXPECT_TRUE(
        sink->open(SinkContext{"out", schema_, std::chrono::milliseconds(1000), true}).ok());
    return sink;
  }
  RecordBatch rows(int64_t first, int64_t count) {
    BatchBuilder b(schema_);
    for (int64_t i = first; i < first + count; ++i) b.column(0).append_int64(i);
    return b.finish();
  }
  // Every published line, in part order.
  std::vector<std::string> published() const {
    std::vector<std::string> parts, lines;
    for (const auto& e : fs::directory_iterator(dir_)) {
      if (e.is_regular_file()) parts.push_back(e.path().string());
    }
    std::sort(parts.begin(), parts.end());
    for (const auto& p : parts) {
      std::ifstream in(p);
      for (std::string line; std::getline(in, line);) lines.push_back(line);
    }
    return lines;
  }
  size_t staged() const {
    size_t n = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir_ / ".staging")) ++n;
    return n;
  }

  sluice::testing::TempDir tmp_{"sluice_eo_"};
  fs::path dir_;
  SchemaPtr schema_ = make_schema({{"n", DataType::kInt64, false}});
};

TEST_F(FileSinkExactlyOnce, RowsAppearOnlyAtCommitOnePartPerEpoch) {
  auto sink = open_sink();
  ASSERT_TRUE(sink->begin_epoch(1).ok());
  ASSERT_TRUE(sink->write(rows(0, 3)).ok());
  ASSERT_TRUE(sink->flush().ok());  // a periodic flush stages, it does not publish
  EXPECT_TRUE(published().empty());
  ASSERT_TRUE(sink->pre_commit(1).ok());
  EXPECT_TRUE(published().empty());
  ASSERT_TRUE(sink->begin_epoch(2).ok());
  ASSERT_TRUE(sink->write(rows(3, 2)).ok());
  ASSERT_TRUE(sink->commit(1).ok());
  EXPECT_EQ(published(), (std::vector<std::string>{"{\"n\":0}", "{\"n\":1}", "{\"n\":2}"}));
  ASSERT_TRUE(sink->commit(1).ok());  // idempotent
  ASSERT_TRUE(sink->pre_commit(2).ok());
  ASSERT_TRUE(sink->commit(2).ok());
  EXPECT_EQ(published().size(), 5u);
  EXPECT_TRUE(fs::exists(dir_ / "part-00000000000000000001.jsonl"));
  EXPECT_TRUE(fs::exists(dir_ / "part-00000000000000000002.jsonl"));
  EXPECT_EQ(staged(), 0u);
  ASSERT_TRUE(sink->close().ok());
}

TEST_F(FileSinkExactlyOnce, RollbackDiscardsAndCloseKeepsNothingUnprepared) {
  auto sink = open_sink();
  ASSERT_TRUE(sink->begin_epoch(7).ok());
  ASSERT_TRUE(sink->write(rows(0, 3)).ok());
  ASSERT_TRUE(sink->pre_commit(7).ok());
  ASSERT_TRUE(sink->rollback(7).ok());
  ASSERT_TRUE(sink->rollback(7).ok());  // idempotent
  ASSERT_TRUE(sink->commit(7).ok());    // nothing left to publish
  EXPECT_TRUE(published().empty());
  ASSERT_TRUE(sink->begin_epoch(8).ok());
  ASSERT_TRUE(sink->write(rows(3, 1)).ok());
  ASSERT_TRUE(sink->flush().ok());
  ASSERT_TRUE(sink->close().ok());  // epoch 8 was never pre-committed
  EXPECT_TRUE(published().empty());
  EXPECT_EQ(staged(), 0u);
}

TEST_F(FileSinkExactlyOnce, RecoverCommitsUpToTheManifestAndRollsBackTheRest) {
  {
    auto sink = open_sink();
    for (uint64_t e = 1; e <= 3; ++e) {
      ASSERT_TRUE(sink->begin_epoch(e).ok());
      ASSERT_TRUE(sink->write(rows(static_cast<int64_t>(e) * 10, 2)).ok());
      ASSERT_TRUE(sink->pre_commit(e).ok());
    }
    // A crash: nothing committed, three epochs staged. (Destroyed without close(), as a
    // killed process leaves it: the destructor only releases the file descriptor.)
    sink.reset();
  }
  EXPECT_EQ(staged(), 3u);
  auto sink = open_sink();
  ASSERT_TRUE(sink->recover(2, std::nullopt).ok());  // the manifest reached epoch 2
  EXPECT_EQ(published(),
            (std::vector<std::string>{"{\"n\":10}", "{\"n\":11}", "{\"n\":20}", "{\"n\":21}"}));
  EXPECT_EQ(staged(), 0u);
  ASSERT_TRUE(sink->recover(2, std::nullopt).ok());  // idempotent
  EXPECT_EQ(published().size(), 4u);
  ASSERT_TRUE(sink->close().ok());
}

TEST_F(FileSinkExactlyOnce, PreCommitReportsWhatItStaged) {
  auto sink = open_sink();
  ASSERT_TRUE(sink->begin_epoch(4).ok());
  EXPECT_FALSE(sink->staged_epoch(4).has_value());
  ASSERT_TRUE(sink->write(rows(0, 3)).ok());
  ASSERT_TRUE(sink->flush().ok());
  ASSERT_TRUE(sink->write(rows(3, 2)).ok());
  ASSERT_TRUE(sink->pre_commit(4).ok());
  auto staged = sink->staged_epoch(4);
  ASSERT_TRUE(staged.has_value());
  ASSERT_TRUE(fs::exists(staged->location)) << staged->location;
  std::ifstream in(staged->location, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(staged->rows, 5);
  EXPECT_EQ(staged->bytes, static_cast<int64_t>(bytes.size()));
  EXPECT_EQ(staged->crc32c, crc32c(bytes));
  EXPECT_FALSE(sink->staged_epoch(5).has_value());
  // An epoch without rows stages nothing.
  ASSERT_TRUE(sink->commit(4).ok());
  ASSERT_TRUE(sink->begin_epoch(5).ok());
  ASSERT_TRUE(sink->pre_commit(5).ok());
  EXPECT_FALSE(sink->staged_epoch(5).has_value());
  ASSERT_TRUE(sink->close().ok());
}

TEST_F(FileSinkExactlyOnce, ACommitWhoseStagedFileIsGoneOrShortIsAnError) {
  auto sink = open_sink();
  ASSERT_TRUE(sink->begin_epoch(1).ok());
  ASSERT_TRUE(sink->write(rows(0, 100)).ok());
  ASSERT_TRUE(sink->pre_commit(1).ok());
  const std::string file = sink->staged_epoch(1)->location;
  fs::resize_file(file, fs::file_size(file) / 2);
  Status short_file = sink->commit(1);
  EXPECT_EQ(short_file.code(), ErrorCode::kStagedEpochLost) << short_file.to_string();
  EXPECT_NE(short_file.message().find("100 rows"), std::string_view::npos);
  EXPECT_TRUE(published().empty());
  fs::remove(file);
  Status gone = sink->commit(1);
  EXPECT_EQ(gone.code(), ErrorCode::kStagedEpochLost) << gone.to_string();
  EXPECT_TRUE(published().empty());
}

// At recovery the manifest's record is checked, checksum included.
TEST_F(FileSinkExactlyOnce, RecoveryChecksTheDecidedEpochAgainstTheManifest) {
  std::optional<StagedEpoch> recorded;
  {
    auto sink = open_sink();
    ASSERT_TRUE(sink->begin_epoch(3).ok());
    ASSERT_TRUE(sink->write(rows(0, 10)).ok());
    ASSERT_TRUE(sink->pre_commit(3).ok());
    recorded = sink->staged_epoch(3);
    sink.reset();  // killed after the manifest, before the commit
  }
  ASSERT_TRUE(recorded.has_value());
  const std::string file = recorded->location;
  std::string bytes;
  {
    std::ifstream in(file, std::ios::binary);
    bytes.assign((std::istreambuf_iterator<char>(in)), {});
  }
  std::string flipped = bytes;
  flipped[3] ^= 0x01;  // same size, different bytes
  std::ofstream(file, std::ios::binary | std::ios::trunc) << flipped;
  auto sink = open_sink();
  EXPECT_EQ(sink->recover(3, recorded).code(), ErrorCode::kStagedEpochLost);
  EXPECT_TRUE(published().empty());
  // Whole again, it is published; once published, recovery finds it there.
  std::ofstream(file, std::ios::binary | std::ios::trunc) << bytes;
  ASSERT_TRUE(sink->recover(3, recorded).ok());
  EXPECT_EQ(published().size(), 10u);
  ASSERT_TRUE(sink->recover(3, recorded).ok());
  // A record about another sink's file (same name, another path) is not this sink's business.
  StagedEpoch elsewhere = *recorded;
  elsewhere.location = "/elsewhere/.staging/x";
  ASSERT_TRUE(sink->recover(4, elsewhere).ok());
  ASSERT_TRUE(sink->close().ok());
}

TEST_F(FileSinkExactlyOnce, RecoveryOfADecidedEpochWithNoFileAndNoPartIsAnError) {
  const StagedEpoch recorded{(dir_ / ".staging" / "epoch-00000000000000000006.jsonl").string(),
                             2000, 22890, 1};
  auto sink = open_sink();
  Status s = sink->recover(6, recorded);
  EXPECT_EQ(s.code(), ErrorCode::kStagedEpochLost) << s.to_string();
  EXPECT_NE(s.message().find("2000 rows"), std::string_view::npos) << s.to_string();
}

TEST_F(FileSinkExactlyOnce, TheNewestPublishedEpochIsTheHighestPart) {
  auto sink = open_sink();
  EXPECT_EQ(sink->committed_epoch().value(), 0u);
  for (uint64_t e : {3u, 17u, 9u}) {
    ASSERT_TRUE(sink->begin_epoch(e).ok());
    ASSERT_TRUE(sink->write(rows(0, 1)).ok());
    ASSERT_TRUE(sink->pre_commit(e).ok());
    ASSERT_TRUE(sink->commit(e).ok());
  }
  std::ofstream(dir_ / "part-000042.jsonl") << "{}\n";  // an at-least-once part: not an epoch
  std::ofstream(dir_ / "notes.txt") << "x";
  EXPECT_EQ(sink->committed_epoch().value(), 17u);
  ASSERT_TRUE(sink->close().ok());
}

TEST_F(FileSinkExactlyOnce, APartIsNeverPublishedOverAnExistingFile) {
  fs::create_directories(dir_);
  std::ofstream(dir_ / "part-00000000000000000002.jsonl") << "someone else's\n";
  auto sink = open_sink();
  ASSERT_TRUE(sink->begin_epoch(2).ok());
  ASSERT_TRUE(sink->write(rows(0, 1)).ok());
  ASSERT_TRUE(sink->pre_commit(2).ok());
  Status s = sink->commit(2);
  EXPECT_EQ(s.code(), ErrorCode::kIoError) << s.to_string();
  EXPECT_NE(s.message().find("exists already"), std::string_view::npos) << s.to_string();
  EXPECT_EQ(published(), (std::vector<std::string>{"someone else's"}));
}

}  // namespace
}  // namespace sluice::sink
