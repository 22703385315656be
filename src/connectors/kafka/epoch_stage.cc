#include "connectors/kafka/epoch_stage.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/crc32c.h"
#include "common/durable_file.h"

namespace sluice::connectors::kafka {
namespace {

namespace fs = std::filesystem;
constexpr size_t kWriteThreshold = 1 << 20;
constexpr uint8_t kHasKey = 1;
constexpr uint8_t kTombstone = 2;

void put_u32(uint32_t v, std::string& out) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

uint32_t get_u32(std::string_view bytes, size_t at) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i)
    v |= static_cast<uint32_t>(static_cast<unsigned char>(bytes[at + static_cast<size_t>(i)]))
         << (8 * i);
  return v;
}

}  // namespace

EpochStage::~EpochStage() {
  if (fd_ >= 0) ::close(fd_);
}

Status EpochStage::create_directory() {
  SLC_RETURN_IF_ERROR(create_private_directory(fs::path(directory_).parent_path().string()));
  return create_private_directory(directory_);
}

std::string EpochStage::path(uint64_t epoch) const {
  char name[48];
  std::snprintf(name, sizeof name, "epoch-%020llu.msgs", static_cast<unsigned long long>(epoch));
  return (fs::path(directory_) / name).string();
}

Status EpochStage::begin(uint64_t epoch) {
  abandon();
  path_ = path(epoch);
  fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd_ < 0) return io_error("cannot create", path_);
  buffer_.clear();
  write_error_ = Status::Ok();
  rows_ = 0;
  bytes_ = 0;
  crc_ = 0;
  return Status::Ok();
}

void EpochStage::add(std::optional<std::string_view> key, std::optional<std::string_view> value) {
  buffer_.push_back(static_cast<char>((key ? kHasKey : 0) | (value ? 0 : kTombstone)));
  put_u32(key ? static_cast<uint32_t>(key->size()) : 0, buffer_);
  if (key) buffer_.append(*key);
  put_u32(value ? static_cast<uint32_t>(value->size()) : 0, buffer_);
  if (value) buffer_.append(*value);
  ++rows_;
  if (buffer_.size() >= kWriteThreshold) write_out().ignore();  // kept in write_error_
}

Status EpochStage::write_out() {
  if (!write_error_.ok() || buffer_.empty()) return write_error_;
  write_error_ = write_all(fd_, buffer_, path_);
  crc_ = crc32c(buffer_, crc_);
  bytes_ += static_cast<int64_t>(buffer_.size());
  buffer_.clear();
  return write_error_;
}

Result<sink::StagedEpoch> EpochStage::finish() {
  SLC_RETURN_IF_ERROR(write_out());
  if (::fsync(fd_) != 0) return io_error("cannot fsync", path_);
  const int fd = std::exchange(fd_, -1);
  if (::close(fd) != 0) return io_error("cannot close", path_);
  SLC_RETURN_IF_ERROR(sync_directory(directory_));
  return sink::StagedEpoch{path_, rows_, bytes_, crc_};
}

void EpochStage::abandon() {
  if (fd_ < 0) return;
  ::close(fd_);
  fd_ = -1;
  ::unlink(path_.c_str());
  buffer_.clear();
}

Result<std::vector<uint64_t>> EpochStage::epochs() const {
  std::vector<uint64_t> found;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(directory_, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("epoch-", 0) == 0 && name.size() > 6)
      found.push_back(std::strtoull(name.c_str() + 6, nullptr, 10));
  }
  if (ec) return Status(ErrorCode::kIoError, "cannot list " + directory_ + ": " + ec.message());
  std::sort(found.begin(), found.end());
  return found;
}

Status EpochStage::remove(uint64_t epoch) const {
  const std::string p = path(epoch);
  if (::unlink(p.c_str()) != 0 && errno != ENOENT) return io_error("cannot delete", p);
  return Status::Ok();
}

Status EpochStage::read(
    uint64_t epoch, const sink::StagedEpoch* expected,
    const std::function<Status(std::optional<std::string_view>, std::optional<std::string_view>)>&
        message) const {
  const std::string p = path(epoch);
  const std::string rows =
      expected != nullptr ? " with " + std::to_string(expected->rows) + " rows" : "";
  auto lost = [&](const std::string& why) {
    return Status(ErrorCode::kStagedEpochLost, "epoch " + std::to_string(epoch) + " was decided" +
                                                   rows + " staged in " + p + ", but " + why +
                                                   ": those messages cannot be sent again");
  };
  std::ifstream in(p, std::ios::binary);
  if (!in) return lost("the staged file is gone");
  std::stringstream text;
  text << in.rdbuf();
  const std::string bytes = text.str();
  if (expected != nullptr) {
    if (static_cast<int64_t>(bytes.size()) != expected->bytes) {
      return lost("the staged file holds " + std::to_string(bytes.size()) + " bytes, not " +
                  std::to_string(expected->bytes));
    }
    if (crc32c(bytes) != expected->crc32c) return lost("the staged file's checksum differs");
  }
  // Whole records first, then the messages: nothing is sent from a damaged file.
  std::vector<std::pair<size_t, size_t>> records;  // (key at, value at)
  for (size_t at = 0; at < bytes.size();) {
    if (bytes.size() - at < 9) return lost("the staged file ends inside a message");
    const size_t key_len = get_u32(bytes, at + 1);
    if (bytes.size() - at - 5 < key_len + 4) return lost("the staged file ends inside a key");
    const size_t value_len = get_u32(bytes, at + 5 + key_len);
    if (bytes.size() - at - 9 - key_len < value_len)
      return lost("the staged file ends inside a value");
    records.emplace_back(at, at + 9 + key_len);
    at += 9 + key_len + value_len;
  }
  const std::string_view view(bytes);
  for (const auto& [at, value_at] : records) {
    const auto flags = static_cast<uint8_t>(view[at]);
    const std::optional<std::string_view> key =
        flags & kHasKey ? std::optional(view.substr(at + 5, get_u32(bytes, at + 1))) : std::nullopt;
    const std::optional<std::string_view> value =
        flags & kTombstone ? std::nullopt
                           : std::optional(view.substr(value_at, get_u32(bytes, value_at - 4)));
    SLC_RETURN_IF_ERROR(message(key, value));
  }
  return Status::Ok();
}

}  // namespace sluice::connectors::kafka
