#include "checkpoint/record_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/crc32c.h"
#include "common/durable_file.h"

namespace sluice::checkpoint {

bool RecordFrame::intact() const {
  return crc32c(record) == crc;
}

std::optional<RecordFrame> read_frame(std::string_view bytes, size_t at) {
  if (at > bytes.size() || bytes.size() - at < 8) return std::nullopt;
  uint32_t length;
  RecordFrame frame;
  std::memcpy(&length, bytes.data() + at, 4);
  std::memcpy(&frame.crc, bytes.data() + at + 4, 4);
  if (bytes.size() - at - 8 < length) return std::nullopt;
  frame.record = bytes.substr(at + 8, length);
  frame.end = at + 8 + length;
  return frame;
}

RecordLog::~RecordLog() {
  if (fd_ >= 0) ::close(fd_);
}

Result<int64_t> RecordLog::open(
    const std::function<Status(std::string_view record, int64_t end)>& each) {
  fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd_ < 0) return io_error("cannot open", path_);
  // A new file's name must be durable before records in it can be.
  const std::string parent = std::filesystem::path(path_).parent_path().string();
  SLC_RETURN_IF_ERROR(sync_directory(parent.empty() ? "." : parent));
  std::string bytes;
  {
    std::ifstream in(path_, std::ios::binary);
    std::stringstream all;
    all << in.rdbuf();
    bytes = all.str();
  }
  size_t at = 0;
  // A length past the end is the append a crash cut short (the torn tail).
  for (auto frame = read_frame(bytes, at); frame; frame = read_frame(bytes, at)) {
    if (frame->record.empty() || !frame->intact()) {  // no record is empty
      // The last record, or zeros to the end (a file extended before its data reached the
      // disk): the torn tail. Anything else is damage in the middle, and cutting there would
      // drop every record after it without a word.
      if (frame->end == bytes.size() || bytes.find_first_not_of('\0', at) == std::string::npos) {
        break;
      }
      return Status(ErrorCode::kDataCorrupt,
                    path_ + " is damaged: the record at byte " + std::to_string(at) +
                        " fails its checksum and " + std::to_string(bytes.size() - frame->end) +
                        " bytes follow it; restore the file from a backup");
    }
    at = frame->end;
    SLC_RETURN_IF_ERROR(each(frame->record, static_cast<int64_t>(at)));
  }
  const int64_t torn = static_cast<int64_t>(bytes.size() - at);
  if (torn > 0) {
    if (::ftruncate(fd_, static_cast<off_t>(at)) != 0 || ::fsync(fd_) != 0)
      return io_error("cannot cut the torn end off", path_);
  }
  size_ = static_cast<int64_t>(at);
  if (::lseek(fd_, size_, SEEK_SET) < 0) return io_error("cannot seek in", path_);
  return torn;
}

Result<int64_t> RecordLog::append(std::string_view record) {
  const uint32_t length = static_cast<uint32_t>(record.size());
  const uint32_t crc = crc32c(record);
  scratch_.clear();
  scratch_.append(reinterpret_cast<const char*>(&length), 4);
  scratch_.append(reinterpret_cast<const char*>(&crc), 4);
  scratch_.append(record);
  Status s = write_all(fd_, scratch_, path_);
  if (!s.ok()) {
    // Leave no partial record behind for later appends to follow.
    if (::ftruncate(fd_, static_cast<off_t>(size_)) == 0) ::lseek(fd_, size_, SEEK_SET);
    return s;
  }
  size_ += static_cast<int64_t>(scratch_.size());
  return size_;
}

Status RecordLog::sync() {
  if (::fdatasync(fd_) != 0) return io_error("cannot fsync", path_);
  return Status::Ok();
}

}  // namespace sluice::checkpoint
