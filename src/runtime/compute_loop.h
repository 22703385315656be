#pragma once
// ComputeLoop: the compute thread of one database, and the owner of what it runs — the
// catalog and the graph, the intake, the router, the sink registry, the epoch cutter and the
// statement runner (one class each; this one only moves work between them).
//
// The thread sleeps (WaitSignal) until input, a command or a checkpoint request arrives,
// then drains what is waiting — up to max_batch_rows, merging each source's small batches
// (a batch of 1,024 rows or more goes as it is) — and pushes it into the graph through each
// source's node handle. There is no polling tick: a lone event is processed at once, and batches
// grow only when input waits. A cycle's bookkeeping (per-source pending lists, the touched list,
// the routes) reuses memory set up when sources and subscriptions are created: no allocation per
// cycle.
//
// A source declared with idle.timeout turns idle when no rows came for that long
// (idle_sources.h): the thread then sleeps only until the next such moment.
//
// Commands (statements, subscribe, flush, graph, restore) run after the input queued before
// them. Checkpoint requests have their own queue and are served at once: a periodic cut may
// fall anywhere in the input; an explicit one first takes in the rows queued before it.
//
// Thread: public methods from any thread; run() is the compute thread.

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/bounded_queue.h"
#include "common/completion.h"
#include "common/mutex.h"
#include "common/thread_annotations.h"
#include "dataflow/graph.h"
#include "runtime/epoch_control.h"
#include "runtime/epoch_cut.h"
#include "runtime/epoch_cutter.h"
#include "runtime/failure.h"
#include "runtime/idle_sources.h"
#include "runtime/ingest.h"
#include "runtime/intake.h"
#include "runtime/router.h"
#include "runtime/sink_registry.h"
#include "runtime/source_runtime.h"
#include "runtime/state_budget.h"
#include "runtime/statement_runner.h"
#include "runtime/subscription_state.h"
#include "sluice/query_result.h"
#include "sluice/sink_metrics.h"
#include "sluice/status.h"
#include "sql/catalog.h"
#include "sql/lexer.h"

namespace sluice::runtime {

struct ComputeOptions {
  int64_t max_batch_rows = 65536;
  int64_t source_credits = 1 << 14;  // DatabaseOptions::source_credits
  size_t input_queue_batches = 4096;
  // The compute thread spins at most this many pause iterations (then yields 16 times)
  // before it sleeps waiting for work: it waits often, and a sleep costs ~40 µs to end.
  static constexpr uint32_t kComputeSpinSteps = 16;
  // How long shutdown waits for subscribers that neither read nor close (block policy)
  // before giving up on them; what they miss is counted as dropped.
  std::chrono::milliseconds shutdown_grace{5000};
  // The memory budget of operator state and view tables, bytes (0: none): state_budget.h.
  int64_t state_memory_max = 0;
};

class ComputeLoop final : public Ingest, public EpochControl, private SourceSlots {
 public:
  explicit ComputeLoop(ComputeOptions options);
  ~ComputeLoop() override;
  ComputeLoop(const ComputeLoop&) = delete;
  ComputeLoop& operator=(const ComputeLoop&) = delete;

  // Set before the first statement.
  void set_sink_factory(SinkFactory factory) { sinks_.set_factory(std::move(factory)); }
  // The connectors CREATE SOURCE / SINK may name (the database's registry); before the first
  // statement.
  void set_connectors(const sql::ConnectorCatalog* connectors) {
    catalog_.set_connectors(connectors);
  }
  // Turns checkpoints on; before the first statement. Exactly-once sinks need it.
  void enable_checkpoints(CheckpointHooks hooks);
  // Tests: sees every batch every node emits, on the compute thread; before the first
  // statement.
  void set_tap(Router::Tap tap) { router_.set_tap(std::move(tap)); }

  // Runs ';'-separated statements on the compute thread; returns the last result. `start`
  // is where `sql` begins in its script, so errors give the script's line:column.
  Result<QueryResult> execute(std::string_view sql, sql::SourcePos start = {});
  // Runs a statement from the catalog log at recovery: like execute(), but not logged again.
  Result<QueryResult> replay(std::string_view statement);
  // Recovery: loads a checkpoint's graph state and source offsets (the pipeline must be
  // declared as it was when the checkpoint was taken).
  Status restore(std::string state, std::map<std::string, int64_t> offsets);
  // Cuts an epoch covering every row accepted so far and waits until it is committed.
  Result<uint64_t> checkpoint();
  Result<std::shared_ptr<SubscriptionState>> subscribe(std::string_view name,
                                                       const SubscribeOptions& options);
  // Returns once everything queued before the call has been processed.
  Status flush();
  // flush(), then every sink's task writes and flushes what it was handed (waits on a paused
  // sink: for tests, whose sinks do not pause).
  Status flush_sinks();
  // The graph as JSON: {"nodes":[...],"sinks":{...}} with each sink's live counters.
  Result<std::string> graph_json();
  // An object's counters (rows in and out, late rows dropped).
  Result<dataflow::OperatorStats> stats(std::string_view name);
  Result<SinkMetrics> sink_metrics(std::string_view name) const { return sinks_.metrics(name); }

  Result<std::shared_ptr<SourceRuntime>> source(std::string_view name) const {
    return intake_.source(name);
  }
  std::vector<std::shared_ptr<SourceRuntime>> sources() const { return intake_.sources(); }

  // Ingest (sources' side).
  Status push(SourceRuntime& source, RecordBatch batch, int64_t offset = -1) override {
    return intake_.push(source, std::move(batch), offset);
  }
  Status push_splits(SourceRuntime& source, RecordBatch batch,
                     std::vector<SplitOffset> splits) override {
    return intake_.push_splits(source, std::move(batch), std::move(splits));
  }
  Status push_replayed(SourceRuntime& source, RecordBatch batch, int64_t offset) {
    return intake_.push_replayed(source, std::move(batch), offset);
  }
  Status advance_watermark(SourceRuntime& source, int64_t micros) override {
    return intake_.advance_watermark(source, micros);
  }
  Status end_input(SourceRuntime& source) override { return intake_.end_input(source); }
  void fail(const Status& error) override { failure_.record(error); }
  void fail_after_input(SourceRuntime& source, const Status& error) override {
    intake_.fail_after_input(source, error);
  }

  // EpochControl (the checkpoint coordinator's side).
  std::shared_ptr<Completion<Result<uint64_t>>> request_checkpoint(bool force,
                                                                   bool try_only) override;
  void epoch_resolved(uint64_t epoch) override { cutter_.resolved(epoch); }

  Status status() const { return failure_.status(); }
  // Waits until the pipeline fails (returns the error), shutdown() has finished or the
  // deadline passes (OK when nothing failed).
  Status wait_for_failure(Deadline deadline) { return failure_.wait(deadline); }
  // Drains and stops the compute thread; closes subscriptions and sinks. Idempotent.
  Status shutdown();

 private:
  struct Command {
    enum class Kind : uint8_t { kExecute, kSubscribe, kFlush, kGraph, kRestore, kStats };
    Kind kind = Kind::kExecute;
    std::shared_ptr<Script> script;          // kExecute
    std::string text;                        // the subscribed name, the state to restore
    std::map<std::string, int64_t> offsets;  // kRestore
    SubscribeOptions subscribe;
    std::shared_ptr<Completion<Result<QueryResult>>> executed;
    std::shared_ptr<Completion<Result<std::shared_ptr<SubscriptionState>>>> subscribed;
    std::shared_ptr<Completion<Status>> flushed;
    std::shared_ptr<Completion<std::string>> graph;
    std::shared_ptr<Completion<Result<dataflow::OperatorStats>>> stats;
  };
  struct CheckpointRequest {
    bool force = false;
    std::shared_ptr<Completion<Result<uint64_t>>> done;
  };
  // Compute-thread state per source id (ids are never reused).
  struct Slot {
    std::shared_ptr<SourceRuntime> source;
    dataflow::SourceNode* node = nullptr;  // null once dropped
    std::vector<RecordBatch> pending;
    int64_t pending_rows = 0;
    int64_t offset = 0;  // the source's position after the rows processed so far
    std::map<std::string, int64_t> split_offsets;  // each split's, for push_splits sources
  };

  // Marks every source that something reads (a stream, view or sink over it), so that the
  // database starts its connector (SourceRuntime::consumed).
  void mark_consumed_sources();

  // SourceSlots (the statement runner's side).
  void add(std::shared_ptr<SourceRuntime> source, dataflow::SourceNode* node) override;
  void remove(const std::string& name) override;

  void run();
  // Shutdown's end of run(): a last epoch, then subscriptions and sinks close.
  void finish();
  Status post(Command command);
  Result<QueryResult> execute_script(std::string_view sql, bool replay, sql::SourcePos start);
  void run_command(Command& command);
  void drain_inputs(int64_t max_rows);
  void flush_source(uint32_t id);
  // Pushes a source's pending batches into its node in order (batch_runs.h): runs of batches
  // under kMergeBelowRows merged into one, larger batches as they are.
  Status push_pending(Slot& slot);
  static constexpr int64_t kMergeBelowRows = 1024;
  // After a batch or a watermark went through the graph: the state within its budget, or the
  // pipeline fails.
  void check_state_budget();
  // Marks the sources that have had no rows for their idle.timeout idle.
  void expire_idle_sources();
  // Closes the processing-time windows the wall clock has passed (dataflow/query_node.h), and
  // returns when it next closes one, as a deadline of the loop's wait (kNoDeadline: never).
  Deadline advance_processing_time();
  // Runs every queued command, each after the rows queued before it.
  void run_commands();
  Status restore_state(const std::string& state, const std::map<std::string, int64_t>& offsets);
  std::map<std::string, int64_t> source_offsets() const;
  Result<std::shared_ptr<SubscriptionState>> subscribe_now(const std::string& name,
                                                           const SubscribeOptions& options);

  const ComputeOptions options_;
  Failure failure_;
  WaitSignal wake_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> abandon_{false};

  // Compute thread only (built before it starts).
  sql::Catalog catalog_;
  dataflow::Graph graph_;
  Intake intake_;
  Router router_;
  SinkRegistry sinks_;
  EpochCutter cutter_;
  StatementRunner runner_;
  const StateBudget budget_;
  IdleSources idle_;
  std::vector<Slot> slots_;
  std::vector<uint32_t> touched_;

  MpscQueue<Command> commands_;
  MpscQueue<CheckpointRequest> checkpoint_requests_;
  std::atomic<bool> exited_{false};
  WaitSignal exit_signal_;
  Mutex shutdown_mutex_;
  bool stopped_ GUARDED_BY(shutdown_mutex_) = false;
  std::thread thread_;  // last: starts once everything above exists
};

}  // namespace sluice::runtime
