#include "common/durable_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace sluice {

Status io_error(const std::string& what, const std::string& path) {
  return Status(ErrorCode::kIoError, what + " " + path + ": " + std::strerror(errno));
}

Status write_all(int fd, std::string_view bytes, const std::string& path) {
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return io_error("cannot write", path);
    }
    done += static_cast<size_t>(n);
  }
  return Status::Ok();
}

Status sync_directory(const std::string& directory) {
  const int dir = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) return io_error("cannot open", directory);
  const int synced = ::fsync(dir);
  ::close(dir);
  if (synced != 0) return io_error("cannot fsync", directory);
  return Status::Ok();
}

Status replace_file(const std::string& path, std::string_view bytes) {
  const std::string temp = path + ".tmp";
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return io_error("cannot create", temp);
  Status s = write_all(fd, bytes, temp);
  if (s.ok() && ::fsync(fd) != 0) s = io_error("cannot fsync", temp);
  if (::close(fd) != 0 && s.ok()) s = io_error("cannot close", temp);
  if (!s.ok()) return s;
  if (::rename(temp.c_str(), path.c_str()) != 0) return io_error("cannot rename", temp);
  const std::string parent = std::filesystem::path(path).parent_path().string();
  return sync_directory(parent.empty() ? "." : parent);
}

Status create_private_directory(const std::string& path) {
  if (::mkdir(path.c_str(), 0700) == 0) return Status::Ok();  // the umask can only narrow it
  if (errno != EEXIST) return io_error("cannot create directory", path);
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return io_error("cannot stat", path);
  if (!S_ISDIR(st.st_mode)) {
    return Status(ErrorCode::kIoError, "cannot create directory " + path + ": a file is there");
  }
  return Status::Ok();
}

}  // namespace sluice
