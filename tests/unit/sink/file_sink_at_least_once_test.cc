// The file sink in at-least-once mode when its part file is removed while open: it must not
// count rows as written that are on no disk.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "connectors/file/file_sink.h"
#include "sluice/batch_builder.h"
#include "support/temp_dir.h"

namespace sluice::sink {
namespace {

using connectors::file::FileSinkOptions;
using connectors::file::make_file_sink;

namespace fs = std::filesystem;

class FileSinkAtLeastOnce : public ::testing::Test {
 protected:
  std::unique_ptr<Sink> open_sink(int64_t roll_bytes = 128 << 20) {
    FileSinkOptions o;
    o.directory = dir_.string();
    o.roll_bytes = roll_bytes;
    auto sink = make_file_sink(o);
    EXPECT_TRUE(
        sink->open(SinkContext{"out", schema_, std::chrono::milliseconds(1000), false}).ok());
    return sink;
  }
  RecordBatch rows(int64_t first, int64_t count) {
    BatchBuilder b(schema_);
    for (int64_t i = first; i < first + count; ++i) b.column(0).append_int64(i);
    return b.finish();
  }
  size_t lines_on_disk() const {
    size_t n = 0;
    for (const auto& e : fs::directory_iterator(dir_)) {
      std::ifstream in(e.path());
      for (std::string line; std::getline(in, line);) ++n;
    }
    return n;
  }

  sluice::testing::TempDir tmp_{"sluice_file_sink_"};
  fs::path dir_ = tmp_ / "out";
  SchemaPtr schema_ = make_schema({{"n", DataType::kInt64, false}});
};

TEST_F(FileSinkAtLeastOnce, ADeletedDirectoryIsAnErrorAtFlushNotRowsWritten) {
  auto sink = open_sink();
  ASSERT_TRUE(sink->write(rows(0, 100)).ok());
  ASSERT_TRUE(sink->flush().ok());
  EXPECT_EQ(lines_on_disk(), 100u);
  fs::remove_all(dir_);
  ASSERT_TRUE(sink->write(rows(100, 100)).ok()) << "buffered: nothing is written yet";
  const Status flushed = sink->flush();
  EXPECT_EQ(flushed.code(), ErrorCode::kIoError);
  EXPECT_NE(flushed.message().find("part-000000.jsonl is gone"), std::string::npos)
      << flushed.to_string();
  // The loss is for good: a retry, an empty flush and close all say so.
  EXPECT_EQ(sink->flush().code(), ErrorCode::kIoError);
  EXPECT_EQ(sink->close().code(), ErrorCode::kIoError);
}

TEST_F(FileSinkAtLeastOnce, APartReplacedUnderItsNameIsDetectedAtTheRoll) {
  auto sink = open_sink(/*roll_bytes=*/64);  // every flush after the first rolls
  ASSERT_TRUE(sink->write(rows(0, 10)).ok());
  ASSERT_TRUE(sink->flush().ok());
  const fs::path part = dir_ / "part-000000.jsonl";
  ASSERT_TRUE(fs::exists(part));
  fs::remove(part);
  std::ofstream(part) << "someone else's file\n";  // same name, another file
  // The part is past its size: this write goes out at once, rolling to the next part.
  const Status rolled = sink->write(rows(10, 10));
  EXPECT_EQ(rolled.code(), ErrorCode::kIoError) << rolled.to_string();
  EXPECT_NE(rolled.message().find("removed or replaced"), std::string::npos) << rolled.to_string();
}

TEST_F(FileSinkAtLeastOnce, AnUntouchedDirectoryFlushesAndRollsAsBefore) {
  auto sink = open_sink(/*roll_bytes=*/64);
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(sink->write(rows(i * 10, 10)).ok());
    ASSERT_TRUE(sink->flush().ok());
  }
  ASSERT_TRUE(sink->close().ok());
  EXPECT_EQ(lines_on_disk(), 50u);
}

}  // namespace
}  // namespace sluice::sink
