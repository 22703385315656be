#include "checkpoint/resume_check.h"

#include <cstdio>

namespace sluice::checkpoint {

namespace {

// Why the checkpoint recovery resumes from is older than what the sink published: the
// manifests passed over (newest first), no checkpoint at all, or the one that decided the
// sink's newest epoch missing.
std::string why_older(const DataDir& dir, uint64_t resume_epoch, uint64_t committed) {
  const std::vector<std::string>& skipped = dir.skipped();
  const bool from_open = resume_epoch == dir.committed_epoch();
  if (from_open && !skipped.empty()) {
    std::string why = (dir.checkpoint() ? "a newer checkpoint is damaged: "
                                        : "no checkpoint of the data_dir is whole: ") +
                      skipped.front();
    if (skipped.size() > 1)
      why += " (and " + std::to_string(skipped.size() - 1) + " more before it)";
    return why;
  }
  if (from_open && !dir.checkpoint()) {
    return "the data_dir has no checkpoint (" + dir.checkpoint_directory() +
           " is empty or gone), so recovery would start over";
  }
  return "the checkpoint that decided epoch " + std::to_string(committed) + " (" +
         dir.checkpoint_file(ManifestStore::manifest_name(committed)) +
         ") is missing, or the sink's output holds epochs this data_dir has no record of";
}

}  // namespace

Status check_sink_resume(const DataDir& dir, const std::string& sink, uint64_t resume_epoch,
                         uint64_t committed, bool accept_duplicates) {
  if (committed <= resume_epoch) return Status::Ok();
  const std::string resume =
      resume_epoch == 0 ? std::string("the start") : "checkpoint " + std::to_string(resume_epoch);
  const std::string repeated =
      "epochs " + std::to_string(resume_epoch + 1) + " to " + std::to_string(committed);
  if (accept_duplicates) {
    std::fprintf(stderr,
                 "sluice: warning: sink '%s' has published up to epoch %llu, past %s: duplicates "
                 "accepted (accept_duplicates): rows of %s are written to it again\n",
                 sink.c_str(), static_cast<unsigned long long>(committed), resume.c_str(),
                 repeated.c_str());
    return Status::Ok();
  }
  return Status(ErrorCode::kWouldDuplicate,
                "the sink has published up to epoch " + std::to_string(committed) +
                    " but recovery would resume from " + resume + ": " +
                    why_older(dir, resume_epoch, committed) +
                    ". Resuming would write the rows of " + repeated +
                    " to it again. Restore that checkpoint, or restart once with "
                    "--accept-duplicates (DatabaseOptions::accept_duplicates) to take those "
                    "rows twice");
}

}  // namespace sluice::checkpoint
