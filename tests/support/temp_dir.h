#pragma once
// TempDir: a fresh directory for one test, made with mkdtemp under the system temp directory
// ($TMPDIR or /tmp) and removed with everything in it when the TempDir is destroyed. Unique per
// object, so tests running in parallel (ctest -j) or repeated never share or inherit files.
#include <stdlib.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>

namespace sluice::testing {

class TempDir {
 public:
  // `prefix` names the directory ("<prefix>XXXXXX") so a leftover one says which test made it.
  explicit TempDir(std::string_view prefix = "sluice_test_") {
    std::string pattern =
        (std::filesystem::temp_directory_path() / (std::string(prefix) + "XXXXXX")).string();
    if (::mkdtemp(pattern.data()) == nullptr)
      throw std::runtime_error("mkdtemp " + pattern + ": " + std::strerror(errno));
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;  // a test that failed half-way may have left anything; never throw
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::string string() const { return path_.string(); }
  // A path inside the directory (not created).
  std::filesystem::path operator/(std::string_view name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

}  // namespace sluice::testing
