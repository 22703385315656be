#pragma once
// SpillFile: bytes kept on disk instead of in memory, for a while. An anonymous temporary
// file (created in $TMPDIR or /tmp and unlinked at once, so nothing is left behind even after
// a crash): append, read back in order, clear. Not durable (no fsync): it only spares memory.
//
// Thread: one owner at a time; no locking.

#include <cstddef>
#include <string>
#include <string_view>

#include "sluice/status.h"

namespace sluice {

class SpillFile {
 public:
  SpillFile() = default;
  ~SpillFile();
  SpillFile(const SpillFile&) = delete;
  SpillFile& operator=(const SpillFile&) = delete;

  // Appends all of `bytes`, or nothing (a failed append leaves the file as it was).
  Status append(std::string_view bytes);
  // Reads up to `max` bytes from `offset` into `buffer`; returns them (empty at the end).
  Result<std::string_view> read(size_t offset, size_t max, std::string& buffer) const;
  // Forgets everything (the file keeps no blocks).
  void clear();
  size_t size() const { return size_; }

 private:
  Status create();

  int fd_ = -1;
  size_t size_ = 0;
  std::string path_;  // for messages: where it was created
};

}  // namespace sluice
