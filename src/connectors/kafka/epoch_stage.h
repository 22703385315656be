#pragma once
// EpochStage: the exactly-once kafka sink's durable copy of each epoch's messages, one file per
// epoch under <data_dir>/kafka/<sink>/, epoch-<20 digits>.msgs. librdkafka cannot resume a
// transaction a killed process left open: the next producer's init_transactions aborts it. An
// epoch the manifest decided whose transaction was aborted so is sent again from this copy
// (kafka_sink.cc, "Exactly-once").
//
// A file is the epoch's messages in order, each: one flags byte (1: has a key, 2: a tombstone),
// the key's length (4 bytes, little-endian) and bytes, the value's length and bytes. finish()
// fsyncs it and its directory and reports its rows, size and CRC-32C, which the checkpoint's
// manifest records; read() checks them again before anything is sent.
//
// Thread: the sink's thread.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sink/sink.h"
#include "sluice/status.h"

namespace sluice::connectors::kafka {

class EpochStage {
 public:
  explicit EpochStage(std::string directory) : directory_(std::move(directory)) {}
  ~EpochStage();
  EpochStage(const EpochStage&) = delete;
  EpochStage& operator=(const EpochStage&) = delete;

  // Makes the directory (and its parent), owner-only.
  Status create_directory();
  std::string path(uint64_t epoch) const;

  // Starts the file of `epoch` (replacing one a failed run left).
  Status begin(uint64_t epoch);
  bool active() const { return fd_ >= 0; }
  // Appends one message; written out in large pieces. A failed write shows at finish().
  void add(std::optional<std::string_view> key, std::optional<std::string_view> value);
  // Writes the rest, fsyncs file and directory, closes: what was staged.
  Result<sink::StagedEpoch> finish();
  // Closes and deletes the file being written, if any.
  void abandon();

  // The staged epochs on disk, in order.
  Result<std::vector<uint64_t>> epochs() const;
  Status remove(uint64_t epoch) const;
  // Calls `message` for each message of the staged epoch, in order, after checking the file:
  // whole records, and the size and CRC-32C of `expected` when given. A missing or damaged file
  // is SLC-4003.
  Status read(uint64_t epoch, const sink::StagedEpoch* expected,
              const std::function<Status(std::optional<std::string_view> key,
                                         std::optional<std::string_view> value)>& message) const;

 private:
  Status write_out();

  std::string directory_;
  int fd_ = -1;
  std::string path_;
  std::string buffer_;
  Status write_error_;
  int64_t rows_ = 0;
  int64_t bytes_ = 0;
  uint32_t crc_ = 0;
};

}  // namespace sluice::connectors::kafka
