#pragma once
// RecordLog: an append-only file of checksummed records ([length u32][crc32c u32][bytes]),
// the shape of the catalog log and of each push-WAL segment. open() reads every whole record
// and cuts a torn tail (a crash in the middle of an append: a last record that runs past the
// end or fails its checksum) off the file, so appends continue after the last good record. A
// record that fails its checksum with more records after it is damage, not a torn tail:
// open() fails (SLC-4001) rather than drop what follows. append() writes; sync() makes the
// appended records durable. The file is created readable by its owner only (0600).
//
// Thread: one owner; callers serialize.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "sluice/status.h"

namespace sluice::checkpoint {

// One record as framed in a log's bytes. Reading a frame and checking its checksum are two
// steps, so a decoder can be fed every framed record, intact or not (the fuzz targets).
struct RecordFrame {
  std::string_view record;
  uint32_t crc = 0;     // as stored
  size_t end = 0;       // the position after the frame
  bool intact() const;  // the stored checksum matches the record
};

// The frame that starts at `at` in `bytes`; nullopt when fewer bytes are left than it needs
// (a torn tail).
std::optional<RecordFrame> read_frame(std::string_view bytes, size_t at);

class RecordLog {
 public:
  explicit RecordLog(std::string path) : path_(std::move(path)) {}
  ~RecordLog();
  RecordLog(const RecordLog&) = delete;
  RecordLog& operator=(const RecordLog&) = delete;

  // Opens (creating) the file and calls `each` for every whole record, with the file position
  // after it. Returns the number of torn bytes cut off the end.
  Result<int64_t> open(const std::function<Status(std::string_view record, int64_t end)>& each);
  // Appends one record; returns the file position after it.
  Result<int64_t> append(std::string_view record);
  Status sync();
  int64_t size() const { return size_; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  int fd_ = -1;
  int64_t size_ = 0;
  std::string scratch_;
};

}  // namespace sluice::checkpoint
