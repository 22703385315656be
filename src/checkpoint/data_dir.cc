#include "checkpoint/data_dir.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/durable_file.h"

namespace sluice::checkpoint {
namespace {

namespace fs = std::filesystem;
// Epochs reserved per write of the lease: one small fsync'd write per this many checkpoints.
constexpr uint64_t kLeaseStep = 1024;

}  // namespace

DataDir::DataDir(std::string path, int keep)
    : path_(std::move(path)),
      catalog_((fs::path(path_) / "catalog.log").string()),
      manifests_((fs::path(path_) / "checkpoints").string(), keep) {}

DataDir::~DataDir() {
  if (lock_fd_ >= 0) ::close(lock_fd_);  // releases the flock
}

std::string DataDir::wal_directory(const std::string& source) const {
  return (fs::path(path_) / "wal" / source).string();
}

Result<std::unique_ptr<DataDir>> DataDir::open(const std::string& path, int keep_checkpoints) {
  std::error_code ec;
  const bool created = fs::create_directories(path, ec);
  if (ec)
    return Status(ErrorCode::kIoError, "cannot create data_dir " + path + ": " + ec.message());
  // Its owner's alone, as PostgreSQL's: it holds every row pushed and the sinks' options,
  // passwords included. (An existing directory keeps the mode its owner gave it.)
  if (created) fs::permissions(path, fs::perms::owner_all, fs::perm_options::replace, ec);
  if (ec)
    return Status(ErrorCode::kIoError, "cannot restrict data_dir " + path + ": " + ec.message());
  std::unique_ptr<DataDir> dir(new DataDir(path, keep_checkpoints));
  const std::string lock = (fs::path(path) / "LOCK").string();
  dir->lock_fd_ = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (dir->lock_fd_ < 0) return io_error("cannot open", lock);
  if (::flock(dir->lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    return Status(ErrorCode::kIoError,
                  "data_dir " + path + " is in use by another process (it holds " + lock + ")");
  }
  // The catalog: every statement that succeeded, in order.
  std::vector<std::string> statements;
  SLC_ASSIGN_OR_RETURN(int64_t torn, dir->catalog_.open([&](std::string_view record, int64_t) {
    statements.emplace_back(record);
    return Status::Ok();
  }));
  dir->statements_ = std::move(statements);
  if (torn > 0) {
    std::fprintf(stderr, "sluice: %s: dropped a statement cut short by a crash (%lld bytes)\n",
                 dir->catalog_.path().c_str(), static_cast<long long>(torn));
  }
  SLC_RETURN_IF_ERROR(dir->manifests_.open());
  SLC_ASSIGN_OR_RETURN(std::optional<Checkpoint> latest, dir->manifests_.load_latest());
  if (latest) {
    for (const std::string& why : latest->skipped)
      std::fprintf(stderr, "sluice: skipped a damaged checkpoint: %s\n", why.c_str());
    if (latest->manifest.catalog_statements > static_cast<int64_t>(dir->statements_.size())) {
      return Status(ErrorCode::kIoError, "checkpoint " + std::to_string(latest->manifest.epoch) +
                                             " in " + path + " follows " +
                                             std::to_string(latest->manifest.catalog_statements) +
                                             " catalog statements but catalog.log holds only " +
                                             std::to_string(dir->statements_.size()));
    }
  }
  dir->checkpoint_ = std::move(latest);
  // The first epoch: past every epoch a previous run may have used, committed or not.
  uint64_t leased = 0;
  {
    std::ifstream in((fs::path(path) / "epoch.lease").string());
    if (in) in >> leased;
  }
  dir->first_epoch_ = std::max(leased, dir->committed_epoch() + 1);
  SLC_RETURN_IF_ERROR(dir->reserve_epoch(dir->first_epoch_));
  return dir;
}

Status DataDir::log_statement(const std::string& statement) {
  MutexLock lock(catalog_mutex_);
  SLC_RETURN_IF_ERROR(catalog_.append(statement).status());
  SLC_RETURN_IF_ERROR(catalog_.sync());
  statements_.push_back(statement);
  return Status::Ok();
}

Status DataDir::reserve_epoch(uint64_t epoch) {
  if (epoch < leased_until_) return Status::Ok();
  const uint64_t until = epoch + kLeaseStep;
  SLC_RETURN_IF_ERROR(
      replace_file((fs::path(path_) / "epoch.lease").string(), std::to_string(until) + "\n"));
  leased_until_ = until;
  return Status::Ok();
}

Status DataDir::write_checkpoint(const Manifest& manifest, std::string_view state) {
  return manifests_.write(manifest, state);
}

}  // namespace sluice::checkpoint
