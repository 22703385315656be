#include "common/spill_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include "common/durable_file.h"

namespace sluice {

SpillFile::~SpillFile() {
  if (fd_ >= 0) ::close(fd_);
}

Status SpillFile::create() {
  const char* dir = std::getenv("TMPDIR");
  std::string name = std::string(dir && *dir ? dir : "/tmp") + "/sluice_spill_XXXXXX";
  const int fd = ::mkostemp(name.data(), O_CLOEXEC);
  if (fd < 0) return io_error("cannot create a spill file like", name);
  ::unlink(name.c_str());  // anonymous from now on: gone with the descriptor
  fd_ = fd;
  path_ = name + " (unlinked)";
  return Status::Ok();
}

Status SpillFile::append(std::string_view bytes) {
  if (bytes.empty()) return Status::Ok();
  if (fd_ < 0) SLC_RETURN_IF_ERROR(create());
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n =
        ::pwrite(fd_, bytes.data() + done, bytes.size() - done, static_cast<off_t>(size_ + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      Status error = io_error("cannot write to the spill file", path_);
      (void)!::ftruncate(fd_, static_cast<off_t>(size_));  // all or nothing
      return error;
    }
    done += static_cast<size_t>(n);
  }
  size_ += bytes.size();
  return Status::Ok();
}

Result<std::string_view> SpillFile::read(size_t offset, size_t max, std::string& buffer) const {
  if (offset >= size_ || max == 0) return std::string_view();
  const size_t want = std::min(max, size_ - offset);
  buffer.resize(want);
  size_t done = 0;
  while (done < want) {
    const ssize_t n =
        ::pread(fd_, buffer.data() + done, want - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return io_error("cannot read the spill file", path_);
    done += static_cast<size_t>(n);
  }
  return std::string_view(buffer);
}

void SpillFile::clear() {
  if (fd_ >= 0 && size_ > 0) (void)!::ftruncate(fd_, 0);
  size_ = 0;
}

}  // namespace sluice
