#pragma once
// Coordinator: the checkpoint thread. Every `interval` it asks the runtime (EpochControl) for an
// epoch cut (skipped by the engine when nothing happened); cuts also arrive from CHECKPOINT and
// Database::checkpoint(). For each cut, in epoch order:
//
//   0. write the cut's state image (captured on the compute thread) into the state file's bytes,
//      while the sinks pre-commit;
//   1. wait until every sink has run pre_commit(e) (the markers the compute thread queued);
//   2. make the logs of durable push sources durable up to the cut's offsets;
//   3. write the manifest and state durably (DataDir → ManifestStore), with what each sink
//      staged for the epoch (rows, bytes, checksum), so recovery can check it;
//   4. commit(e) on every sink.
//
// A failure before step 3 is durable rolls e back on every sink and fails the engine (a
// reopened database resumes from the last checkpoint). A failure in step 4 also fails the
// engine, but the epoch is decided: recovery commits it. The compute thread never waits for
// any of this.
//
// Thread: submit() from the compute thread; start()/stop() from the owner; the rest runs on
// the coordinator's own thread.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <thread>

#include "checkpoint/data_dir.h"
#include "common/bounded_queue.h"
#include "common/histogram.h"
#include "runtime/epoch_control.h"
#include "runtime/epoch_cut.h"
#include "sluice/checkpoint_metrics.h"

namespace sluice::checkpoint {

class Coordinator {
 public:
  // Makes the durable push logs durable up to the cut's offsets (step 2).
  using SyncLogs = std::function<Status(const std::map<std::string, int64_t>& offsets)>;
  // Runs after an epoch is committed (e.g. to drop push-log segments it no longer needs).
  using AfterCommit = std::function<void(const Manifest& manifest)>;

  Coordinator(DataDir& dir, std::chrono::milliseconds interval, SyncLogs sync_logs,
              AfterCommit after_commit);
  ~Coordinator();

  // The engine's on_cut hook.
  void submit(runtime::EpochCut cut);
  // Starts the thread; `runtime` is asked for periodic cuts.
  void start(std::shared_ptr<runtime::EpochControl> runtime);
  // Finishes the cuts already submitted, then stops. Call after the engine has shut down.
  void stop();
  // Any thread.
  CheckpointMetrics stats() const;

 private:
  void run();
  void process(runtime::EpochCut& cut);
  void resolve(runtime::EpochCut& cut);  // pre-commits, manifest, commit or rollback

  DataDir& dir_;
  const std::chrono::milliseconds interval_;
  SyncLogs sync_logs_;
  AfterCommit after_commit_;
  std::weak_ptr<runtime::EpochControl>
      runtime_;  // the runtime owns the hooks that own us indirectly
  MpscQueue<runtime::EpochCut> cuts_;
  std::thread thread_;
  bool failed_ = false;  // coordinator thread only
  std::atomic<int64_t> completed_{0}, failures_{0};
  std::atomic<uint64_t> last_epoch_{0};
  std::atomic<int64_t> last_pause_ns_{0}, max_pause_ns_{0};  // set by submit()
  std::atomic<int64_t> last_duration_ns_{0}, last_state_bytes_{0}, state_bytes_total_{0};
  Histogram duration_;
};

}  // namespace sluice::checkpoint
