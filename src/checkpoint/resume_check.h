#pragma once
// Whether recovery may resume an exactly-once sink from the data directory's checkpoint.
//
// A sink publishes an epoch only after the manifest that decides it is durable, so it never
// holds an epoch newer than the newest manifest. When it does, that manifest is damaged or
// gone (recovery passed over it, or found none), or the sink's output holds epochs this data
// directory has no record of: resuming would hand it those epochs' rows again. That is
// refused (SLC-4002), naming the damaged checkpoint and the sink, unless the user accepted
// duplicates for this restart (DatabaseOptions::accept_duplicates); then it is a warning.
//
// Thread: any (it reads what DataDir::open loaded, which does not change).

#include <cstdint>
#include <string>

#include "checkpoint/data_dir.h"
#include "sluice/status.h"

namespace sluice::checkpoint {

// `committed`: the newest epoch the sink says it has published; `resume_epoch`: the epoch
// recovery resumes it from (DataDir::newest_epoch when it was created).
Status check_sink_resume(const DataDir& dir, const std::string& sink, uint64_t resume_epoch,
                         uint64_t committed, bool accept_duplicates);

}  // namespace sluice::checkpoint
