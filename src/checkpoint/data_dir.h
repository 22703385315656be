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
// checkpoint (remembering the newer ones it passed over, and why) and works out the first
// epoch this run may use. Everything it creates is its owner's alone (files 0600,
// directories 0700); it warns once when the directory itself is open to other users.
//
// Thread: open() before anything runs; then log_statement() on the compute thread,
// reserve_epoch() on the compute thread, write_checkpoint() on the checkpoint thread;
// newest_epoch() from any thread.

#include <atomic>
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
  // The checkpoint's state is empty once take_checkpoint_state() has moved it out.
  const std::optional<Checkpoint>& checkpoint() const { return checkpoint_; }
  // Moves the checkpoint's state out, for the one restore at open: it is the largest thing
  // recovery reads (the whole pipeline's state), neither copied nor held for the run.
  std::string take_checkpoint_state() {
    return checkpoint_ ? std::move(checkpoint_->state) : std::string();
  }
  // Manifests newer than checkpoint() that open() passed over, each "path: reason".
  const std::vector<std::string>& skipped() const { return skipped_; }
  uint64_t committed_epoch() const { return checkpoint_ ? checkpoint_->manifest.epoch : 0; }
  uint64_t first_epoch() const { return first_epoch_; }
  // The epoch of the newest durable manifest: checkpoint()'s, or one this run wrote since.
  uint64_t newest_epoch() const { return newest_epoch_.load(std::memory_order_acquire); }
  const std::string& checkpoint_directory() const { return manifests_.directory(); }
  // A file of the checkpoint directory, by name (a manifest's state_file).
  std::string checkpoint_file(const std::string& name) const { return manifests_.path_of(name); }

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
  std::vector<std::string> skipped_;
  std::atomic<uint64_t> newest_epoch_{0};
  uint64_t first_epoch_ = 1;
  uint64_t leased_until_ = 0;  // epochs below this are reserved
  Mutex catalog_mutex_;
};

}  // namespace sluice::checkpoint
