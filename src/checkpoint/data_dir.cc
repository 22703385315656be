#include "checkpoint/data_dir.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <charconv>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "columnar/row_encoder.h"
#include "common/durable_file.h"

namespace sluice::checkpoint {
namespace {

namespace fs = std::filesystem;
// Epochs reserved per write of the lease: one small fsync'd write per this many checkpoints.
constexpr uint64_t kLeaseStep = 1024;

// The epoch the lease reserves up to; 0 when there is no lease yet. Anything but a number
// (and a newline) is damage: guessing could hand out an epoch twice.
Result<uint64_t> read_lease(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return uint64_t{0};
  std::string text((std::istreambuf_iterator<char>(in)), {});
  std::string_view digits(text);
  if (digits.ends_with('\n')) digits.remove_suffix(1);
  uint64_t leased = 0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), leased);
  if (digits.empty() || error != std::errc() || end != digits.data() + digits.size()) {
    std::string shown;
    append_json_string(std::string_view(text).substr(0, 40), shown);
    return Status(ErrorCode::kDataCorrupt,
                  path + " is damaged: it holds " + shown + (text.size() > 40 ? "..." : "") +
                      " where the next epoch number belongs; restore it, or remove it (the next "
                      "epoch then follows the newest checkpoint)");
  }
  return leased;
}

// Warns (once, at open) when the data directory is open to other users: it holds every
// pushed row and the sinks' options. Files sluice makes in it are private anyway.
void warn_if_shared(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0 || (st.st_mode & 077) == 0) return;
  std::fprintf(stderr,
               "sluice: warning: data_dir %s is open to other users (mode %04o); it holds every "
               "pushed row and each sink's options: chmod 700 %s\n",
               path.c_str(), static_cast<unsigned>(st.st_mode & 07777), path.c_str());
}

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
  // Its parents as the umask makes them; the directory itself, as everything in it, its
  // owner's alone, as PostgreSQL's: it holds every row pushed and the sinks' options,
  // passwords included.
  fs::path dir_path = fs::path(path).lexically_normal();
  if (!dir_path.has_filename()) dir_path = dir_path.parent_path();  // "data/"
  std::error_code ec;
  if (dir_path.has_parent_path()) fs::create_directories(dir_path.parent_path(), ec);
  if (ec)
    return Status(ErrorCode::kIoError, "cannot create data_dir " + path + ": " + ec.message());
  SLC_RETURN_IF_ERROR(create_private_directory(dir_path.string()));
  warn_if_shared(path);
  std::unique_ptr<DataDir> dir(new DataDir(path, keep_checkpoints));
  const std::string lock = (fs::path(path) / "LOCK").string();
  dir->lock_fd_ = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
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
  SLC_ASSIGN_OR_RETURN(LoadedCheckpoint loaded, dir->manifests_.load_latest());
  // Passing over a damaged checkpoint is safe only while no exactly-once sink has committed
  // past the one recovery resumes from: each sink checks that as it opens (Database).
  for (const std::string& why : loaded.skipped)
    std::fprintf(stderr, "sluice: skipped a damaged checkpoint: %s\n", why.c_str());
  if (loaded.checkpoint && loaded.checkpoint->manifest.catalog_statements >
                               static_cast<int64_t>(dir->statements_.size())) {
    const Manifest& m = loaded.checkpoint->manifest;
    return Status(ErrorCode::kIoError, "checkpoint " + std::to_string(m.epoch) + " in " + path +
                                           " follows " + std::to_string(m.catalog_statements) +
                                           " catalog statements but catalog.log holds only " +
                                           std::to_string(dir->statements_.size()));
  }
  dir->checkpoint_ = std::move(loaded.checkpoint);
  dir->skipped_ = std::move(loaded.skipped);
  dir->newest_epoch_.store(dir->committed_epoch());
  // The first epoch: past every epoch a previous run may have used, committed or not.
  SLC_ASSIGN_OR_RETURN(uint64_t leased, read_lease((fs::path(path) / "epoch.lease").string()));
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
  SLC_RETURN_IF_ERROR(manifests_.write(manifest, state));
  newest_epoch_.store(manifest.epoch, std::memory_order_release);
  return Status::Ok();
}

}  // namespace sluice::checkpoint
