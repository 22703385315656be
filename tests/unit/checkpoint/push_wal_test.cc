#include "checkpoint/push_wal.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "sluice/batch_builder.h"
#include "support/temp_dir.h"

namespace sluice::checkpoint {
namespace {

namespace fs = std::filesystem;

class PushWalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = tmp_ / "wal";  // not created: the code under test makes it
  }

  RecordBatch rows(int64_t first, int64_t count) {
    BatchBuilder b(schema_);
    for (int64_t i = first; i < first + count; ++i) {
      b.column(0).append_int64(i);
      i % 3 == 0 ? b.column(1).append_null() : b.column(1).append_string("é" + std::to_string(i));
    }
    return b.finish();
  }
  std::vector<int64_t> replayed(PushWal& wal, int64_t from) {
    std::vector<int64_t> ids;
    EXPECT_TRUE(wal.replay(from,
                           [&](RecordBatch b, int64_t) {
                             for (int64_t r = 0; r < b.num_rows(); ++r)
                               ids.push_back(b.column(0).int64_value(r));
                             return Status::Ok();
                           })
                    .ok());
    return ids;
  }

  sluice::testing::TempDir tmp_{"sluice_wal_"};
  fs::path dir_;
  SchemaPtr schema_ =
      make_schema({{"id", DataType::kInt64, false}, {"s", DataType::kVarchar, true}});
};

TEST_F(PushWalTest, EncodesEveryValueAndNull) {
  const RecordBatch batch = rows(0, 7);
  auto back = PushWal::decode(PushWal::encode(batch), schema_);
  ASSERT_TRUE(back.ok()) << back.status().to_string();
  EXPECT_TRUE(back->column(0).equals(batch.column(0)));
  EXPECT_TRUE(back->column(1).equals(batch.column(1)));
  EXPECT_FALSE(PushWal::decode(PushWal::encode(batch).substr(3), schema_).ok());
}

TEST_F(PushWalTest, ReplaysWhatCameAfterAnOffsetAcrossReopenAndATornTail) {
  int64_t after_first = 0;
  {
    auto wal = PushWal::open(dir_.string(), schema_).value();
    after_first = wal->append(rows(0, 5)).value();
    const int64_t end = wal->append(rows(5, 5)).value();
    ASSERT_TRUE(wal->sync(end).ok());
    ASSERT_TRUE(wal->sync(after_first).ok());  // already durable: no wait
  }
  {  // A crash in the middle of the next append leaves half a record.
    std::ofstream out(dir_ / "segment-00000000000000000000.log", std::ios::app | std::ios::binary);
    out << "\x40\x00\x00\x00garbage";
  }
  auto wal = PushWal::open(dir_.string(), schema_).value();
  EXPECT_EQ(replayed(*wal, 0).size(), 10u);
  EXPECT_EQ(replayed(*wal, after_first), (std::vector<int64_t>{5, 6, 7, 8, 9}));
  // Appends continue after the last whole record.
  ASSERT_TRUE(wal->append(rows(10, 1)).ok());
  EXPECT_EQ(replayed(*wal, after_first).size(), 6u);
}

TEST_F(PushWalTest, RollsSegmentsAndDropsThoseBeforeACheckpoint) {
  auto wal = PushWal::open(dir_.string(), schema_, 256).value();
  std::vector<int64_t> offsets;
  for (int i = 0; i < 20; ++i) offsets.push_back(wal->append(rows(i * 10, 10)).value());
  ASSERT_TRUE(wal->sync(offsets.back()).ok());
  const auto segments = [&] {
    return std::distance(fs::directory_iterator(dir_), fs::directory_iterator{});
  };
  const auto before = segments();
  EXPECT_GT(before, 3);
  wal->drop_before(offsets[15]);
  EXPECT_LT(segments(), before);
  // Everything after the checkpoint's offset is still there.
  const std::vector<int64_t> ids = replayed(*wal, offsets[15]);
  ASSERT_EQ(ids.size(), 40u);
  EXPECT_EQ(ids.front(), 160);
}

}  // namespace
}  // namespace sluice::checkpoint
