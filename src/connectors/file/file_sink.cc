// The file sink: rows encoded as JSON lines or CSV into part files under a directory.
// Encoded bytes collect in one reused buffer and go to the file in large writes; flush()
// writes the buffer out, so flushed rows are visible to readers. A part file is closed and a
// new one started when it passes its size or age limit. Existing parts are never
// overwritten: numbering continues after the highest part found. At every flush and roll the
// open part is checked to still be the file its path names: one removed meanwhile (its
// directory deleted) is an error, never rows counted as written that are on no disk.
//
// With delivery = 'exactly-once' rows go to one staged file per epoch instead, under
// <path>/.staging/epoch-<e>.<ext>: flushes write into it (never visible), pre_commit(e)
// fsyncs it and reports its rows, size and CRC-32C (the manifest records them), commit(e)
// renames it into place as <path>/part-<e>.<ext> (20 digits, so names sort in epoch order;
// never over an existing part) and fsyncs the directory. recover(c) commits every staged
// epoch up to c and deletes the rest; their rows come again from the sources' replay. Epoch
// c, which the manifest may record as staged, is checked first: a staged file that is
// missing, shorter or different from what pre_commit reported is an error (SLC-4003), not
// a silent loss. The newest committed epoch is the highest part's number.

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "columnar/row_encoder.h"
#include "columnar/timestamp.h"
#include "common/crc32c.h"
#include "common/durable_file.h"
#include "common/wait_signal.h"
#include "connectors/file/file_sink.h"

namespace sluice::connectors::file {
namespace {

using sink::Sink;
using sink::SinkCapabilities;
using sink::SinkContext;

namespace fs = std::filesystem;
constexpr size_t kWriteThreshold = 1 << 20;

int64_t now_micros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             SteadyClock::now().time_since_epoch())
      .count();
}

class FileSink final : public Sink {
 public:
  explicit FileSink(FileSinkOptions options) : options_(std::move(options)) {}
  ~FileSink() override {
    if (fd_ >= 0) ::close(fd_);
  }

  SinkCapabilities capabilities() const override { return {true, false, true, false}; }

  Status open(const SinkContext& context) override {
    exactly_once_ = context.exactly_once;
    staging_ = (fs::path(options_.directory) / ".staging").string();
    std::error_code ec;
    fs::create_directories(exactly_once_ ? staging_ : options_.directory, ec);
    if (ec) {
      return Status(ErrorCode::kIoError,
                    "cannot create directory " + options_.directory + ": " + ec.message());
    }
    if (exactly_once_) return Status::Ok();
    // Continue numbering after existing parts.
    for (const auto& entry : fs::directory_iterator(options_.directory, ec)) {
      const std::string name = entry.path().filename().string();
      if (name.rfind("part-", 0) != 0) continue;
      int64_t n = 0;
      std::from_chars(name.data() + 5, name.data() + name.size(), n);
      next_part_ = std::max(next_part_, n + 1);
    }
    if (ec)
      return Status(ErrorCode::kIoError, "cannot list " + options_.directory + ": " + ec.message());
    return Status::Ok();
  }

  Status write(const RecordBatch& batch) override {
    if (batch.schema() != encoder_schema_) {  // a dead-letter batch may have its own schema
      encoder_schema_ = batch.schema();
      if (options_.csv) {
        csv_ = std::make_unique<CsvEncoder>(*encoder_schema_);
      } else {
        json_ = std::make_unique<JsonLinesEncoder>(*encoder_schema_);
      }
    }
    options_.csv ? csv_->encode(batch, buffer_) : json_->encode(batch, buffer_);
    if (exactly_once_) {
      staged_rows_ += batch.num_rows();
      return buffer_.size() >= kWriteThreshold ? stage() : Status::Ok();
    }
    // Write out in large chunks, and as soon as the part would pass its size limit, so parts
    // overshoot it by at most one batch.
    const auto room = options_.roll_bytes - file_bytes_;
    if (buffer_.size() >= kWriteThreshold || static_cast<int64_t>(buffer_.size()) >= room)
      return write_out();
    return Status::Ok();
  }

  Status flush() override { return exactly_once_ ? stage() : write_out(); }

  // ---- exactly-once ----------------------------------------------------------------------
  Status begin_epoch(uint64_t epoch) override {
    epoch_ = epoch;
    prepared_ = false;
    broken_ = false;
    staged_rows_ = 0;
    staged_crc_ = 0;
    return Status::Ok();
  }

  Status pre_commit(uint64_t epoch) override {
    if (!exactly_once_) return write_out();
    if (epoch != epoch_) {
      return Status(ErrorCode::kInternal, "pre-commit of epoch " + std::to_string(epoch) +
                                              " while writing epoch " + std::to_string(epoch_));
    }
    SLC_RETURN_IF_ERROR(stage());
    if (broken_) {
      return Status(ErrorCode::kIoError, "epoch " + std::to_string(epoch) + " lost a write to " +
                                             staged_path(epoch) + "; it must be rolled back");
    }
    staged_.reset();
    if (fd_ >= 0) {
      if (::fsync(fd_) != 0) return io_error("cannot fsync");
      if (::close(fd_) != 0) return io_error("cannot close");
      fd_ = -1;
      SLC_RETURN_IF_ERROR(sync_directory(staging_));
      staged_ = sink::StagedEpoch{path_, staged_rows_, file_bytes_, staged_crc_};
      staged_epoch_ = epoch;
    }
    prepared_ = true;
    return Status::Ok();
  }

  std::optional<sink::StagedEpoch> staged_epoch(uint64_t epoch) const override {
    if (!staged_ || staged_epoch_ != epoch) return std::nullopt;
    return staged_;
  }

  Status commit(uint64_t epoch) override {
    if (!exactly_once_) return Status::Ok();
    // What this run staged for the epoch, when it did: its size is checked before it goes out.
    const sink::StagedEpoch* expected = staged_ && staged_epoch_ == epoch ? &*staged_ : nullptr;
    SLC_RETURN_IF_ERROR(publish(epoch, expected, false));
    if (expected != nullptr) staged_.reset();
    return Status::Ok();
  }

  Status rollback(uint64_t epoch) override {
    if (!exactly_once_) return Status::Ok();
    if (epoch == epoch_) {
      if (fd_ >= 0) ::close(fd_);
      fd_ = -1;
      buffer_.clear();
      broken_ = false;
      staged_rows_ = 0;
      staged_crc_ = 0;
    }
    if (staged_epoch_ == epoch) staged_.reset();
    const std::string staged = staged_path(epoch);
    if (::unlink(staged.c_str()) != 0 && errno != ENOENT) {
      path_ = staged;
      return io_error("cannot delete");
    }
    return Status::Ok();
  }

  Result<uint64_t> committed_epoch() override {
    std::error_code ec;
    uint64_t newest = 0;
    for (const auto& entry : fs::directory_iterator(options_.directory, ec)) {
      if (auto e = epoch_of_part(entry.path().filename().string())) newest = std::max(newest, *e);
    }
    if (ec)
      return Status(ErrorCode::kIoError, "cannot list " + options_.directory + ": " + ec.message());
    return newest;
  }

  Status recover(uint64_t committed_epoch,
                 const std::optional<sink::StagedEpoch>& recorded) override {
    if (!exactly_once_) return Status::Ok();
    std::error_code ec;
    std::vector<uint64_t> staged;
    for (const auto& entry : fs::directory_iterator(staging_, ec)) {
      const std::string name = entry.path().filename().string();
      if (name.rfind("epoch-", 0) == 0)
        staged.push_back(std::strtoull(name.c_str() + 6, nullptr, 10));
    }
    if (ec) return Status(ErrorCode::kIoError, "cannot list " + staging_ + ": " + ec.message());
    // The manifest's record of epoch c, when it is about this sink's staged file (a sink of
    // the same name may have written elsewhere).
    const sink::StagedEpoch* expected =
        recorded && recorded->location == staged_path(committed_epoch) ? &*recorded : nullptr;
    // Epoch c first: publishing any other epoch is no use if c is lost.
    if (expected != nullptr) SLC_RETURN_IF_ERROR(publish(committed_epoch, expected, true));
    for (uint64_t e : staged) {
      if (e == committed_epoch && expected != nullptr) continue;
      SLC_RETURN_IF_ERROR(e <= committed_epoch ? publish(e, nullptr, true) : rollback(e));
    }
    return sync_directory(staging_);
  }

  Status close() override {
    if (exactly_once_) {
      // Rows of an epoch that was not pre-committed are not ours to publish: the sources
      // replay them after a restart.
      Status s = prepared_ ? Status::Ok() : rollback(epoch_);
      buffer_.clear();
      return s;
    }
    Status s = write_out();
    if (fd_ >= 0) {
      if (::close(fd_) != 0 && s.ok()) s = io_error("close");
      fd_ = -1;
    }
    return s;
  }

  int64_t bytes_written() const override { return bytes_; }

 private:
  std::string staged_path(uint64_t epoch) const {
    char name[48];
    std::snprintf(name, sizeof name, "epoch-%020llu.%s", static_cast<unsigned long long>(epoch),
                  options_.csv ? "csv" : "jsonl");
    return (fs::path(staging_) / name).string();
  }
  std::string part_path(uint64_t epoch) const {
    char name[48];
    std::snprintf(name, sizeof name, "part-%020llu.%s", static_cast<unsigned long long>(epoch),
                  options_.csv ? "csv" : "jsonl");
    return (fs::path(options_.directory) / name).string();
  }

  // The epoch of an exactly-once part's name ("part-" and 20 digits), if it is one.
  static std::optional<uint64_t> epoch_of_part(const std::string& name) {
    constexpr size_t kDigits = 20;
    if (name.rfind("part-", 0) != 0 || name.size() < 5 + kDigits + 1 || name[5 + kDigits] != '.')
      return std::nullopt;
    uint64_t epoch = 0;
    const char* first = name.data() + 5;
    const auto [end, error] = std::from_chars(first, first + kDigits, epoch);
    if (error != std::errc() || end != first + kDigits) return std::nullopt;
    return epoch;
  }

  // Moves epoch e's staged file into place as its part, never over an existing one. With
  // `expected` (what pre_commit staged), the staged file must be whole: its size, and with
  // `full` its checksum too (recovery reads it back; a live commit, a moment after the
  // pre-commit, checks the size). A missing staged file is an epoch committed already, when
  // its part is there, or one that wrote nothing, when nothing was expected; otherwise the
  // epoch's rows are lost, and that is an error.
  Status publish(uint64_t epoch, const sink::StagedEpoch* expected, bool full) {
    const std::string staged = staged_path(epoch);
    const std::string part = part_path(epoch);
    auto lost = [&](const std::string& what) {
      return Status(ErrorCode::kStagedEpochLost,
                    "epoch " + std::to_string(epoch) + " was decided with " +
                        std::to_string(expected->rows) + " rows staged in " + staged + " (" +
                        std::to_string(expected->bytes) + " bytes), but " + what +
                        ": those rows cannot be published");
    };
    struct stat st;
    if (::stat(staged.c_str(), &st) != 0) {
      if (errno != ENOENT) {
        path_ = staged;
        return io_error("cannot stat");
      }
      if (expected == nullptr || ::access(part.c_str(), F_OK) == 0) return Status::Ok();
      return lost("the staged file is missing and " + part + " does not exist");
    }
    if (expected != nullptr) {
      if (st.st_size != expected->bytes) {
        return lost("the staged file holds " + std::to_string(st.st_size) + " bytes");
      }
      if (full) {
        SLC_ASSIGN_OR_RETURN(uint32_t crc, file_crc32c(staged));
        if (crc != expected->crc32c) return lost("the staged file's checksum differs");
      }
    }
    if (::renameat2(AT_FDCWD, staged.c_str(), AT_FDCWD, part.c_str(), RENAME_NOREPLACE) != 0) {
      path_ = staged;
      if (errno == EEXIST) {
        return Status(ErrorCode::kIoError,
                      "cannot publish " + staged + ": " + part +
                          " exists already, written by a run this sink's data_dir has no "
                          "record of; move it away or use another path");
      }
      // A file system without RENAME_NOREPLACE: the plain rename (nothing is there, as far
      // as a moment ago could tell).
      if (errno != EINVAL || ::rename(staged.c_str(), part.c_str()) != 0)
        return io_error("cannot publish");
    }
    return sync_directory(options_.directory);
  }

  Result<uint32_t> file_crc32c(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      path_ = path;
      return io_error("cannot open");
    }
    uint32_t crc = 0;
    std::string chunk(1 << 20, '\0');
    for (;;) {
      const ssize_t n = ::read(fd, chunk.data(), chunk.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        path_ = path;
        Status s = io_error("cannot read");
        ::close(fd);
        return s;
      }
      if (n == 0) break;
      crc = crc32c(std::string_view(chunk.data(), static_cast<size_t>(n)), crc);
    }
    ::close(fd);
    return crc;
  }

  // Writes the buffer into the current epoch's staged file (opened, and truncated of anything
  // an earlier run left under that name, on first use). The staged bytes' checksum follows.
  Status stage() {
    if (buffer_.empty()) return Status::Ok();
    if (fd_ < 0) {
      path_ = staged_path(epoch_);
      fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
      if (fd_ < 0) return io_error("cannot create");
      file_bytes_ = 0;
      staged_crc_ = 0;
      if (options_.csv) {
        std::string header;
        csv_->encode_header(header);
        SLC_RETURN_IF_ERROR(write_all(header));
        staged_crc_ = crc32c(header, staged_crc_);
      }
    }
    staged_crc_ = crc32c(buffer_, staged_crc_);
    Status s = write_all(buffer_);
    // A partial write cannot be taken back inside the staged file: the epoch must not commit.
    if (!s.ok()) broken_ = true;
    buffer_.clear();
    return s;
  }

  Status io_error(const char* what) const {
    return Status(ErrorCode::kIoError,
                  std::string(what) + " " + path_ + ": " + std::strerror(errno));
  }

  // Closes the current part when it is past its size or age; opens the next one when none
  // is open (a CSV part starts with its header).
  Status roll_if_due() {
    if (fd_ >= 0 &&
        (file_bytes_ >= options_.roll_bytes || now_micros() - opened_at_ >= options_.roll_micros)) {
      if (::close(fd_) != 0) return io_error("close");
      fd_ = -1;
    }
    if (fd_ >= 0) return Status::Ok();
    char name[40];
    std::snprintf(name, sizeof name, "part-%06lld.%s", static_cast<long long>(next_part_++),
                  options_.csv ? "csv" : "jsonl");
    path_ = (fs::path(options_.directory) / name).string();
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd_ < 0) return io_error("cannot create");
    opened_at_ = now_micros();
    file_bytes_ = 0;
    if (options_.csv) {
      std::string header;
      csv_->encode_header(header);
      SLC_RETURN_IF_ERROR(write_all(header));
    }
    return Status::Ok();
  }

  Status write_all(std::string_view bytes) {
    SLC_RETURN_IF_ERROR(sluice::write_all(fd_, bytes, path_));
    file_bytes_ += static_cast<int64_t>(bytes.size());
    bytes_ += static_cast<int64_t>(bytes.size());
    return Status::Ok();
  }

  // At-least-once: the open part must still be the file its path names. A part whose
  // directory entry was removed (the directory deleted) or replaced takes writes that reach
  // no reader: the rows written to it are lost, and the sink must say so (on.error applies)
  // rather than count them as written. The loss is for good, so every later call fails too.
  Status check_part_on_disk() {
    if (!lost_.ok() || fd_ < 0) return lost_;
    struct stat open_file {};
    struct stat named {};
    if (::fstat(fd_, &open_file) != 0) return io_error("cannot stat");
    const bool gone = ::stat(path_.c_str(), &named) != 0 || named.st_dev != open_file.st_dev ||
                      named.st_ino != open_file.st_ino;
    if (!gone) return Status::Ok();
    lost_ = Status(ErrorCode::kIoError,
                   "part file " + path_ +
                       " is gone (its directory entry was removed or replaced while open): the " +
                       std::to_string(file_bytes_) + " bytes written to it are lost");
    return lost_;
  }

  Status write_out() {
    SLC_RETURN_IF_ERROR(check_part_on_disk());  // at every flush and before a roll
    if (buffer_.empty()) return Status::Ok();
    SLC_RETURN_IF_ERROR(roll_if_due());
    // On a failed write the buffer stays, so a retried flush writes it again: at-least-once.
    SLC_RETURN_IF_ERROR(write_all(buffer_));
    buffer_.clear();
    return Status::Ok();
  }

  FileSinkOptions options_;
  SchemaPtr encoder_schema_;
  std::unique_ptr<JsonLinesEncoder> json_;
  std::unique_ptr<CsvEncoder> csv_;
  std::string buffer_;
  std::string path_;
  int fd_ = -1;
  int64_t next_part_ = 0;
  int64_t file_bytes_ = 0;
  int64_t opened_at_ = 0;
  int64_t bytes_ = 0;
  bool exactly_once_ = false;
  std::string staging_;
  uint64_t epoch_ = 0;
  bool prepared_ = false;    // the current epoch is pre-committed (close must keep it)
  bool broken_ = false;      // a staged write of the current epoch failed part-way
  Status lost_;              // at-least-once: a part was removed while open (check_part_on_disk)
  int64_t staged_rows_ = 0;  // rows written in the current epoch
  uint32_t staged_crc_ = 0;  // CRC-32C of the current epoch's staged file so far
  std::optional<sink::StagedEpoch> staged_;  // what pre_commit staged, until its commit
  uint64_t staged_epoch_ = 0;                // and for which epoch
};

}  // namespace

std::unique_ptr<Sink> make_file_sink(FileSinkOptions options) {
  return std::make_unique<FileSink>(std::move(options));
}

}  // namespace sluice::connectors::file
