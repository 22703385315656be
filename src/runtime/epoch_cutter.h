#pragma once
// EpochCutter: epoch numbers and cuts. With checkpoints on, every processed row belongs to an
// epoch. A cut captures the graph (Graph::capture: an image the checkpoint thread writes, so
// the compute thread's pause does not grow with view tables) and the sources' offsets, times
// that pause (EpochCut::pause_ns), places a pre-commit marker for the epoch and a begin marker
// for the next in every sink's queue (behind the epoch's last write), and hands an EpochCut to
// the checkpoint thread; it never waits for the commit.
//
// One checkpoint is in flight at a time: epoch e+1 is cut only once e is resolved on every
// sink (a prepared PostgreSQL transaction keeps its row locks until COMMIT PREPARED, and the
// next epoch may update the same rows). While a sink is opening no epoch is cut (it is in the
// graph but not yet in the catalog log): forced cuts wait for it (deferred), periodic ones
// skip.
//
// Thread: the compute thread, except resolved() (the checkpoint thread) and
// wait_for_resolved(), which it calls on the compute thread.

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/completion.h"
#include "common/wait_signal.h"
#include "dataflow/graph.h"
#include "runtime/epoch_cut.h"
#include "runtime/failure.h"
#include "runtime/sink_registry.h"

namespace sluice::runtime {

class EpochCutter {
 public:
  using Done = std::shared_ptr<Completion<Result<uint64_t>>>;
  // The sources' positions after the rows processed so far, by source name.
  using Offsets = std::function<std::map<std::string, int64_t>()>;

  EpochCutter(const dataflow::Graph& graph, SinkRegistry& sinks, Offsets offsets, Failure& failure)
      : graph_(graph), sinks_(sinks), offsets_(std::move(offsets)), failure_(failure) {}

  // Turns checkpoints on; before the first statement.
  void enable(CheckpointHooks hooks);
  bool enabled() const { return enabled_; }
  const CheckpointHooks& hooks() const { return hooks_; }
  // The epoch rows processed now belong to.
  uint64_t epoch() const { return epoch_; }

  // Rows changed what the last epoch describes.
  void mark_dirty() { dirty_ = true; }
  // A statement changed the catalog: the log holds one more, which a snapshot must match.
  void count_statement() {
    ++catalog_statements_;
    dirty_ = true;
  }
  // Ends the current epoch (see the header comment). `done` is set when it is committed.
  void cut(Done done, bool force);
  // A sink started or finished opening; cuts are held while any is opening.
  void sink_opening(bool opening);
  // Shutdown: cuts deferred for an opening sink are handed to `into`.
  void take_deferred(std::vector<Done>& into);

  // Checkpoint thread: `epoch` is committed or rolled back on every sink.
  void resolved(uint64_t epoch);
  // Waits until the last cut epoch is resolved; false if the database failed.
  bool wait_for_resolved();

 private:
  const dataflow::Graph& graph_;
  SinkRegistry& sinks_;
  const Offsets offsets_;
  Failure& failure_;

  CheckpointHooks hooks_;
  bool enabled_ = false;
  uint64_t epoch_ = 0;     // the epoch rows processed now belong to
  uint64_t last_cut_ = 0;  // the newest epoch cut (0: none yet)
  bool dirty_ = false;     // rows or statements since the last cut
  int64_t catalog_statements_ = 0;
  int opening_sinks_ = 0;
  std::vector<Done> deferred_;
  std::atomic<uint64_t> resolved_{0};  // set by the checkpoint thread
  WaitSignal resolved_signal_;
};

}  // namespace sluice::runtime
