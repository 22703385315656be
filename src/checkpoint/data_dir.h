#pragma once
// DataDir: the layout of a database's data directory and everything durable in it except the
// push write-ahead logs.
//
//   LOCK                 held (flock) while a process has the directory open
//   catalog.log          every DDL statement that succeeded, in order (RecordLog)
//   epoch.lease          epochs below the number in it may have been used: never reuse them
//   checkpoints/         manifests and state files (ManifestStore)
//   wal/<source>/        push write-ahead logs (PushWal)
//   sinks/               nothing of ours: sinks keep their own staging where they write
//
// open() takes the lock, reads the catalog log (cutting a torn tail), loads the newest valid
// checkpoint and works out the first epoch this run may use.
//
// Thread: open() before anything runs; then log_statement() on the compute thread,
// reserve_epoch() on the compute thread, write_checkpoint() on the checkpoint thread.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "checkpoint/manifest_store.h"
#include "checkpoint/record_log.h"
#include "common/mutex.h"
#include "sluice/status.h"

namespace sluice::checkpoint {

class DataDir {
 public:
  // Touches the members unlocked: the DataDir is not shared yet.
  static Result<std::unique_ptr<DataDir>> open(const std::string& path,
                                               int keep_checkpoints = 3) NO_THREAD_SAFETY_ANALYSIS;
  ~DataDir();

  const std::string& path() const { return path_; }
  std::string wal_directory(const std::string& source) const;

  // What the previous runs left.
  // Read at open (recovery), before any DDL can log a statement.
  const std::vector<std::string>& statements() const NO_THREAD_SAFETY_ANALYSIS {
    return statements_;
  }
  const std::optional<Checkpoint>& checkpoint() const { return checkpoint_; }
  uint64_t committed_epoch() const { return checkpoint_ ? checkpoint_->manifest.epoch : 0; }
  uint64_t first_epoch() const { return first_epoch_; }

  Status log_statement(const std::string& statement) EXCLUDES(catalog_mutex_);
  Status reserve_epoch(uint64_t epoch);
  Status write_checkpoint(const Manifest& manifest, std::string_view state);

 private:
  explicit DataDir(std::string path, int keep);

  std::string path_;
  int lock_fd_ = -1;
  RecordLog catalog_ GUARDED_BY(catalog_mutex_);
  ManifestStore manifests_;
  std::vector<std::string> statements_ GUARDED_BY(catalog_mutex_);
  std::optional<Checkpoint> checkpoint_;
  uint64_t first_epoch_ = 1;
  uint64_t leased_until_ = 0;  // epochs below this are reserved
  Mutex catalog_mutex_;
};

}  // namespace sluice::checkpoint
