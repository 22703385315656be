#pragma once
// Small helpers for files that must survive a crash: write all bytes, fsync a file or a
// directory, replace a file atomically (temp, fsync, rename, directory fsync), make a
// directory of the data directory. Files and directories made here are their owner's alone
// (0600, 0700): they hold pushed rows and sinks' options. Errors name the path and the
// system's reason (SLC-0008).
//
// Thread: any; no state.

#include <string>
#include <string_view>

#include "sluice/status.h"

namespace sluice {

Status write_all(int fd, std::string_view bytes, const std::string& path);
Status sync_directory(const std::string& directory);
// Replaces `path` with `bytes` so that after a crash it holds the old or the new bytes whole.
Status replace_file(const std::string& path, std::string_view bytes);
// Makes `path` a directory readable by its owner only (0700), whatever the umask and the
// parent's mode; an existing directory is kept as it is. The parent must exist.
Status create_private_directory(const std::string& path);
Status io_error(const std::string& what, const std::string& path);

}  // namespace sluice
