#pragma once
// SHOW CHECKPOINTS: the checkpoints' counters as one row — how many committed and failed, the
// newest epoch, the compute thread's pause per cut (last and max), the last checkpoint's
// duration (cut → committed) and state bytes. The counters come from the checkpoint thread
// (CheckpointHooks::metrics).
//
// Thread: any.

#include "sluice/checkpoint_metrics.h"
#include "sluice/query_result.h"

namespace sluice::runtime {

QueryResult checkpoint_table(const CheckpointMetrics& m);

}  // namespace sluice::runtime
