// Files of the data directory damaged on disk: each decoder checks every length and count
// against what remains and answers with an error that names the file (SLC-4001), never a
// crash, an allocation of whatever the bytes say, or a silent cut that drops good records.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "checkpoint/data_dir.h"
#include "checkpoint/manifest_store.h"
#include "checkpoint/push_wal.h"
#include "checkpoint/record_log.h"
#include "dataflow/state_codec.h"
#include "sluice/batch_builder.h"
#include "support/temp_dir.h"

namespace sluice::checkpoint {
namespace {

namespace fs = std::filesystem;

std::string read_all(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_all(const fs::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

Manifest manifest(uint64_t epoch) {
  Manifest m;
  m.epoch = epoch;
  return m;
}

class DamagedFiles : public ::testing::Test {
 protected:
  // A log of three records, "one", "two", "three".
  fs::path three_records() {
    const fs::path path = tmp_ / "log";
    RecordLog log(path.string());
    EXPECT_TRUE(log.open([](std::string_view, int64_t) { return Status::Ok(); }).ok());
    for (const char* r : {"one", "two", "three"}) EXPECT_TRUE(log.append(r).ok());
    EXPECT_TRUE(log.sync().ok());
    return path;
  }
  static Result<std::vector<std::string>> records(const fs::path& path) {
    RecordLog log(path.string());
    std::vector<std::string> out;
    SLC_RETURN_IF_ERROR(log.open([&](std::string_view record, int64_t) {
                             out.emplace_back(record);
                             return Status::Ok();
                           })
                            .status());
    return out;
  }

  sluice::testing::TempDir tmp_{"sluice_damaged_"};
  SchemaPtr schema_ =
      make_schema({{"id", DataType::kInt64, false}, {"s", DataType::kVarchar, true}});
};

// ---- record log (catalog.log, push-log segments) ---------------------------------------------

TEST_F(DamagedFiles, ARecordLogCutsATornTail) {
  const fs::path path = three_records();
  const auto size = fs::file_size(path);
  fs::resize_file(path, size - 2);  // the last append cut short
  auto got = records(path);
  ASSERT_TRUE(got.ok()) << got.status().to_string();
  EXPECT_EQ(*got, (std::vector<std::string>{"one", "two"}));
  EXPECT_LT(fs::file_size(path), size - 2);
}

TEST_F(DamagedFiles, ARecordLogCutsAZeroFilledTail) {
  const fs::path path = three_records();
  std::ofstream(path, std::ios::binary | std::ios::app) << std::string(64, '\0');
  auto got = records(path);
  ASSERT_TRUE(got.ok()) << got.status().to_string();
  EXPECT_EQ(got->size(), 3u);
}

// A record that fails its checksum with good records after it is damage: cutting there would
// drop "two" and "three" without a word.
TEST_F(DamagedFiles, ARecordLogRefusesDamageInTheMiddle) {
  const fs::path path = three_records();
  std::string bytes = read_all(path);
  bytes[8] ^= 0x20;  // "one" becomes "One"
  write_all(path, bytes);
  auto got = records(path);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), ErrorCode::kDataCorrupt);
  EXPECT_NE(got.status().message().find(path.string()), std::string_view::npos);
  EXPECT_EQ(read_all(path), bytes) << "the damaged file is left as it was";
}

// ---- push-log records ------------------------------------------------------------------------

TEST_F(DamagedFiles, APushLogRecordWithMoreRowsThanBytesIsAnError) {
  BatchBuilder b(schema_);
  b.column(0).append_int64(1);
  b.column(1).append_string("x");
  std::string record = PushWal::encode(b.finish());
  for (int64_t rows : {int64_t{1} << 40, INT64_MAX, int64_t{-1}}) {
    std::memcpy(record.data(), &rows, 8);
    auto batch = PushWal::decode(record, schema_);
    ASSERT_FALSE(batch.ok());
    EXPECT_EQ(batch.status().code(), ErrorCode::kDataCorrupt) << rows;
  }
  dataflow::StateWriter w;  // one row whose string claims 2^40 bytes
  w.i64(1);
  w.u8(1);
  w.i64(7);
  w.u8(1);
  w.i64(int64_t{1} << 40);
  auto batch = PushWal::decode(w.bytes(), schema_);
  ASSERT_FALSE(batch.ok());
  EXPECT_EQ(batch.status().code(), ErrorCode::kDataCorrupt);
}

TEST_F(DamagedFiles, ADamagedPushLogRecordNamesItsSegment) {
  const fs::path dir = tmp_ / "wal";
  {
    auto wal = PushWal::open(dir.string(), schema_).value();
    BatchBuilder b(schema_);
    b.column(0).append_int64(1);
    b.column(1).append_string("x");
    const int64_t end = wal->append(b.finish()).value();
    ASSERT_TRUE(wal->sync(end).ok());
  }
  // The record's row count, past its checksum's reach: re-sealed so only the decoder sees it.
  const fs::path segment = dir / "segment-00000000000000000000.log";
  std::string bytes = read_all(segment);
  std::string record = bytes.substr(8);
  const int64_t rows = int64_t{1} << 40;
  std::memcpy(record.data(), &rows, 8);
  fs::remove(segment);
  {
    RecordLog log(segment.string());
    ASSERT_TRUE(log.open([](std::string_view, int64_t) { return Status::Ok(); }).ok());
    ASSERT_TRUE(log.append(record).ok());
  }
  auto wal = PushWal::open(dir.string(), schema_).value();
  Status s = wal->replay(0, [](RecordBatch, int64_t) { return Status::Ok(); });
  EXPECT_EQ(s.code(), ErrorCode::kDataCorrupt) << s.to_string();
  EXPECT_NE(s.to_string().find(segment.string()), std::string::npos) << s.to_string();
}

// ---- manifests -------------------------------------------------------------------------------

TEST_F(DamagedFiles, AManifestNamingAStateFileOutsideItsDirectoryIsDamage) {
  for (const char* name : {"../../etc/passwd", "/etc/passwd", "sub/state.bin", "..", ""}) {
    Manifest m;
    m.epoch = 3;
    m.state_file = name;
    auto back = ManifestStore::from_json(ManifestStore::to_json(m));
    ASSERT_FALSE(back.ok()) << name;
    EXPECT_EQ(back.status().code(), ErrorCode::kDataCorrupt) << name;
  }
  // In a store, such a manifest is passed over with its reason, never opened.
  ManifestStore store((tmp_ / "checkpoints").string());
  ASSERT_TRUE(store.open().ok());
  ASSERT_TRUE(store.write(manifest(1), "state one").ok());
  Manifest evil;
  evil.epoch = 2;
  evil.state_file = "../secret";
  write_all(tmp_ / "checkpoints" / ManifestStore::manifest_name(2), ManifestStore::to_json(evil));
  auto loaded = store.load_latest();
  ASSERT_TRUE(loaded.ok() && loaded->checkpoint.has_value());
  EXPECT_EQ(loaded->checkpoint->manifest.epoch, 1u);
  ASSERT_EQ(loaded->skipped.size(), 1u);
  EXPECT_NE(loaded->skipped[0].find("not a plain file name"), std::string::npos)
      << loaded->skipped[0];
}

TEST_F(DamagedFiles, EveryManifestDamagedKeepsTheReasons) {
  ManifestStore store((tmp_ / "checkpoints").string());
  ASSERT_TRUE(store.open().ok());
  ASSERT_TRUE(store.write(manifest(1), "s").ok());
  ASSERT_TRUE(store.write(manifest(2), "s").ok());
  for (uint64_t e : {1, 2}) write_all(tmp_ / "checkpoints" / ManifestStore::manifest_name(e), "{}");
  auto loaded = store.load_latest();
  ASSERT_TRUE(loaded.ok());
  EXPECT_FALSE(loaded->checkpoint.has_value());
  ASSERT_EQ(loaded->skipped.size(), 2u);
  EXPECT_NE(loaded->skipped[0].find(ManifestStore::manifest_name(2)), std::string::npos);
}

TEST_F(DamagedFiles, WhatSinksStagedRoundTripsThroughTheManifest) {
  Manifest m;
  m.epoch = 9;
  m.state_file = "state-9.bin";
  m.sinks["out"] = sink::StagedEpoch{"/x/.staging/epoch-9.jsonl", 2000, 22890, 0xdeadbeef};
  m.sinks["pg \"q\""] = sink::StagedEpoch{"sluice:public.t:pg:9", 5, 0, 0};
  auto back = ManifestStore::from_json(ManifestStore::to_json(m));
  ASSERT_TRUE(back.ok()) << back.status().to_string();
  ASSERT_EQ(back->sinks.size(), 2u);
  const sink::StagedEpoch& out = back->sinks.at("out");
  EXPECT_EQ(out.location, "/x/.staging/epoch-9.jsonl");
  EXPECT_EQ(out.rows, 2000);
  EXPECT_EQ(out.bytes, 22890);
  EXPECT_EQ(out.crc32c, 0xdeadbeefu);
  EXPECT_EQ(back->sinks.at("pg \"q\"").rows, 5);
}

// ---- the epoch lease -------------------------------------------------------------------------

TEST_F(DamagedFiles, AGarbageEpochLeaseIsAnErrorNamingTheFile) {
  const fs::path data = tmp_ / "data";
  ASSERT_TRUE(DataDir::open(data.string()).ok());  // writes a lease
  for (const char* garbage : {"12x\n", "\xff\xfe", "", "-5\n", "99999999999999999999999\n"}) {
    write_all(data / "epoch.lease", garbage);
    auto dir = DataDir::open(data.string());
    ASSERT_FALSE(dir.ok()) << garbage;
    EXPECT_EQ(dir.status().code(), ErrorCode::kDataCorrupt);
    EXPECT_NE(dir.status().message().find((data / "epoch.lease").string()), std::string_view::npos)
        << dir.status().to_string();
  }
  write_all(data / "epoch.lease", "4096\n");
  auto dir = DataDir::open(data.string());
  ASSERT_TRUE(dir.ok()) << dir.status().to_string();
  EXPECT_EQ((*dir)->first_epoch(), 4096u);
}

}  // namespace
}  // namespace sluice::checkpoint
