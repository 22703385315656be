#pragma once
// EpochCut: what the compute thread hands to the checkpoint thread at an epoch boundary. At
// the cut the compute thread captures every node's state (a GraphImage: copy-on-write, cheap)
// and every source's offset, and places a pre-commit marker for the epoch in every sink's
// queue, behind the epoch's last write and ahead of the next epoch's first. Then it moves on;
// writing the image into the state file, waiting for the sinks, writing the manifest and
// committing happen on the checkpoint thread.
//
// CheckpointHooks: how the runtime reaches the checkpoint layer above it (the runtime may not
// include it). Set once, before the first statement.
//
// Thread: an EpochCut is made on the compute thread and then belongs to the checkpoint thread.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/completion.h"
#include "dataflow/graph_image.h"
#include "runtime/push_log.h"
#include "sink/sink_task.h"
#include "sluice/checkpoint_metrics.h"
#include "sluice/status.h"
#include "sql/catalog.h"

namespace sluice::runtime {

struct EpochCut {
  struct SinkMarker {
    std::shared_ptr<sink::SinkTask> task;
    std::shared_ptr<Completion<Status>> pre_committed;  // set when the sink has pre-committed
  };
  uint64_t epoch = 0;
  SteadyClock::time_point cut_at;
  // How long the compute thread spent in the cut (capture, markers), nanoseconds.
  int64_t pause_ns = 0;
  dataflow::GraphImage state;  // written by the checkpoint thread into the state file
  int64_t catalog_statements = 0;
  std::map<std::string, int64_t> source_offsets;
  std::vector<SinkMarker> sinks;
  // Set by the checkpoint thread once the epoch is committed (its number) or has failed.
  // Null when nobody waits.
  std::shared_ptr<Completion<Result<uint64_t>>> done;
};

struct CheckpointHooks {
  uint64_t first_epoch = 1;      // the epoch rows processed first belong to
  uint64_t committed_epoch = 0;  // the newest epoch a durable manifest records (0: none)
  // Takes a cut to the checkpoint thread (may block while that thread is behind).
  std::function<void(EpochCut)> on_cut;
  // Makes sure `epoch` may be used: it is never handed out again after a restart.
  std::function<Status(uint64_t epoch)> reserve_epoch;
  // Durably records a DDL statement that succeeded, before the caller hears of it.
  std::function<Status(const std::string& statement)> log_statement;
  // Where recovery resumes a sink from, by its name, as the sink is created (its connector
  // resolves its in-doubt epochs against it, and refuses to repeat committed ones).
  std::function<sink::SinkTask::Resume(const std::string& sink)> resume_sink;
  // The checkpoint thread's counters (SHOW CHECKPOINTS).
  std::function<CheckpointMetrics()> metrics;
  // Opens the write-ahead log of a durable push source as it is created.
  std::function<Result<std::shared_ptr<PushLog>>(const sql::SourceDef& source)> open_push_log;
};

}  // namespace sluice::runtime
