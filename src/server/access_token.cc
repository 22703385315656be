#include "access_token.h"

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace sluice::server {
namespace {

std::string trimmed(std::string text) {
  const char* space = " \t\r\n";
  const size_t first = text.find_first_not_of(space);
  if (first == std::string::npos) return {};
  const size_t last = text.find_last_not_of(space);
  return text.substr(first, last - first + 1);
}

Result<std::string> read_token(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Status(ErrorCode::kIoError,
                  std::string("cannot read the token file: ") + std::strerror(errno), path);
  }
  std::stringstream text;
  text << in.rdbuf();
  std::string token = trimmed(text.str());
  if (token.empty()) return Status(ErrorCode::kInvalidArgument, "the token file is empty", path);
  return token;
}

Result<std::string> generate_token() {
  unsigned char bytes[32];
  size_t got = 0;
  while (got < sizeof bytes) {
    const ssize_t n = ::getrandom(bytes + got, sizeof bytes - got, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      return Status(ErrorCode::kIoError, std::string("getrandom failed: ") + std::strerror(errno));
    }
    got += static_cast<size_t>(n);
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string token;
  for (unsigned char b : bytes) {
    token += kHex[b >> 4];
    token += kHex[b & 15];
  }
  return token;
}

// O_EXCL and mode 0600 at creation: the token is never readable by others, not even for the
// moment between creating the file and changing its mode.
Status write_new_token(const std::string& path, const std::string& token) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    return Status(ErrorCode::kIoError,
                  std::string("cannot create the token file: ") + std::strerror(errno), path);
  }
  const std::string line = token + "\n";
  size_t done = 0;
  while (done < line.size()) {
    const ssize_t n = ::write(fd, line.data() + done, line.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int error = errno;
      ::close(fd);
      return Status(ErrorCode::kIoError,
                    std::string("cannot write the token file: ") + std::strerror(error), path);
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    return Status(ErrorCode::kIoError,
                  std::string("cannot write the token file: ") + std::strerror(errno), path);
  }
  return Status::Ok();
}

}  // namespace

Result<std::string> load_or_create_token(const std::string& data_dir,
                                         const std::string& token_file) {
  if (!token_file.empty()) return read_token(token_file);
  if (data_dir.empty()) {
    return Status(ErrorCode::kInvalidArgument,
                  "sluice serve needs --data-dir (the token is generated there) or --token-file");
  }
  // A new data directory is private from the start (the database warns about an open one):
  // it will hold the token and every pushed row.
  std::error_code ec;
  if (!std::filesystem::exists(data_dir, ec) && std::filesystem::create_directories(data_dir, ec))
    std::filesystem::permissions(data_dir, std::filesystem::perms::owner_all, ec);
  if (ec) {
    return Status(ErrorCode::kIoError, "cannot create the data directory: " + ec.message(),
                  data_dir);
  }
  const std::string path = (std::filesystem::path(data_dir) / kTokenFileName).string();
  if (std::filesystem::exists(path, ec)) return read_token(path);
  SLC_ASSIGN_OR_RETURN(std::string token, generate_token());
  SLC_RETURN_IF_ERROR(write_new_token(path, token));
  return token;
}

bool token_matches(std::string_view given, std::string_view expected) {
  if (given.size() != expected.size()) return false;
  unsigned char difference = 0;
  for (size_t i = 0; i < given.size(); ++i)
    difference |= static_cast<unsigned char>(given[i] ^ expected[i]);
  return difference == 0;
}

}  // namespace sluice::server
