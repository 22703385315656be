// The file sink in exactly-once mode: rows are invisible until commit, one part per epoch,
// rollback discards, recover() resolves staged epochs as a manifest decided, close() publishes
// nothing that was not pre-committed.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

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

}  // namespace
}  // namespace sluice::sink
