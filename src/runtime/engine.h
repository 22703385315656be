#pragma once
// Engine: the compute thread and everything that feeds it.
//
// Pushing threads check a batch against its source's schema, take credits from the source's
// gate, and queue it. The compute thread sleeps (WaitSignal) until input or a command
// arrives, then drains what is waiting — up to max_batch_rows, merging each source's batches
// into one — and pushes it through the pipeline; outputs go to subscriptions. There is no
// polling tick: a lone event is processed at once, and batches grow only when input waits.
// A cycle's bookkeeping (per-source pending lists, the touched list, the routing table)
// reuses memory set up when sources and subscriptions are created: no allocation per cycle.
//
// Commands (SQL, subscribe, flush) run on the compute thread after the input queued before
// them, so the pipeline and its catalog are touched by that thread alone. A statement that
// must wait (CREATE SINK while the connector opens, CHECKPOINT) pauses its script rather than
// the compute thread. Checkpoint requests have their own queue and are served at once: a
// periodic cut may fall anywhere in the input; an explicit one covers the rows queued before it.
//
// Checkpoints (enable_checkpoints): every row belongs to an epoch. At a cut the compute
// thread snapshots the pipeline and the sources' offsets, puts a pre-commit marker into each
// sink's queue, and hands an EpochCut to the checkpoint thread; it does not wait for it.
//
// Thread: public methods from any thread; run() is the compute thread.

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "common/bounded_queue.h"
#include "common/completion.h"
#include "dataflow/pipeline.h"
#include "runtime/epoch_control.h"
#include "runtime/epoch_cut.h"
#include "runtime/ingest.h"
#include "runtime/source_runtime.h"
#include "runtime/subscription_state.h"
#include "sink/sink_factory.h"
#include "sink/sink_task.h"
#include "sluice/sink_metrics.h"
#include "sluice/status.h"

namespace sluice::runtime {

// Makes the connector a CREATE SINK names, from its validated definition.
using SinkFactory =
    std::function<Result<std::unique_ptr<sink::Sink>>(const sql::SinkDef& definition)>;

struct EngineOptions {
  int64_t max_batch_rows = 65536;
  int64_t source_credits = 1 << 20;
  size_t input_queue_batches = 4096;
  // The compute thread spins at most this many pause iterations (then yields 16 times)
  // before it sleeps waiting for work: it waits often, and a sleep costs ~40 µs to end.
  static constexpr uint32_t kComputeSpinSteps = 16;
  // How long shutdown waits for subscribers that neither read nor close (block policy)
  // before giving up on them; what they miss is counted as dropped.
  std::chrono::milliseconds shutdown_grace{5000};
};

class Engine final : public Ingest, public EpochControl {
 public:
  explicit Engine(EngineOptions options);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Runs ';'-separated statements on the compute thread; returns the last result.
  Result<dataflow::ExecResult> execute(std::string_view sql);
  // Runs a statement from the catalog log at recovery: like execute(), but not logged again.
  Result<dataflow::ExecResult> replay(std::string_view statement);

  // Turns checkpoints on; call before the first statement. Exactly-once sinks need it.
  void enable_checkpoints(CheckpointHooks hooks);
  // Recovery: loads a checkpoint's pipeline state and source offsets (the pipeline must be
  // declared as it was when the checkpoint was taken).
  Status restore(std::string state, std::map<std::string, int64_t> offsets);
  // Asks for an epoch cut. `force`: even when nothing happened since the last one. The result
  // is set when the epoch is committed. With `try_only`, gives up (null) rather than wait for
  // room in the command queue.
  std::shared_ptr<Completion<Result<uint64_t>>> request_checkpoint(bool force,
                                                                   bool try_only) override;
  // The checkpoint thread is done with `epoch`: committed or rolled back on every sink.
  void epoch_resolved(uint64_t epoch) override;
  // Cuts an epoch and waits until it is committed; returns its number.
  Result<uint64_t> checkpoint();
  Result<std::shared_ptr<SourceRuntime>> source(std::string_view name) const;
  std::vector<std::shared_ptr<SourceRuntime>> sources() const;
  Result<std::shared_ptr<SubscriptionState>> subscribe(std::string_view name,
                                                       const SubscribeOptions& options);

  // Makes the connector of a CREATE SINK (the database's connector registry); set before the
  // first statement.
  void set_sink_factory(SinkFactory factory) { sink_factory_ = std::move(factory); }
  // The connectors CREATE SOURCE / CREATE SINK may name (the database's registry; not owned);
  // set before the first statement.
  void set_connectors(const sql::ConnectorCatalog* connectors) {
    pipeline_.set_connectors(connectors);
  }
  Result<SinkMetrics> sink_metrics(std::string_view name) const;

  // Checks, takes credits, queues. OK also when overflow = 'drop' dropped the rows (counted).
  // `offset`: the source's position after this batch (a connector's byte position or event
  // number), -1 when it has none. A durable push source logs the batch first (its offset is
  // the log's) and returns once the log is durable.
  Status push(SourceRuntime& source, RecordBatch batch, int64_t offset = -1) override;
  // Recovery: a batch read back from a durable source's log, at its log offset (not logged
  // again).
  Status push_replayed(SourceRuntime& source, RecordBatch batch, int64_t offset);
  Status advance_watermark(SourceRuntime& source, int64_t micros) override;
  Status end_input(SourceRuntime& source) override;
  // The pipeline graph as JSON (sources → streams/views → sinks, with sink metrics).
  Result<std::string> graph_json();
  // Returns once everything queued before the call has been processed.
  Status flush();
  // Records an error met outside the compute thread (a connector's fatal bad line).
  void fail(const Status& error) override;
  Status status() const;
  // Drains and stops the compute thread; closes subscriptions. Idempotent.
  Status shutdown();

  // Checks a batch against a source's schema: column count, types, NOT NULL.
  static Status check_batch(const SourceRuntime& source, const RecordBatch& batch);

 private:
  struct Input {
    enum class Kind : uint8_t { kData, kWatermark, kEnd };
    uint32_t source = 0;
    Kind kind = Kind::kData;
    int64_t watermark = 0;
    int64_t offset = -1;
    RecordBatch batch;
  };
  // Statements run in order on the compute thread. One that must wait for something slow (a
  // sink's connector opening, a CHECKPOINT committing) pauses the script: the compute thread
  // returns to its input, the caller waits off it (`await`), then posts the script again,
  // and `resume` finishes the statement before the next one runs.
  struct Script {
    std::vector<sql::Statement> statements;
    size_t next = 0;
    bool replay = false;  // from the catalog log: not logged again
    dataflow::ExecResult last;
    std::function<void()> await;
    std::function<Status(Script&)> resume;
  };
  struct Command {
    enum class Kind : uint8_t { kExecute, kSubscribe, kFlush, kGraph, kRestore };
    Kind kind = Kind::kExecute;
    std::shared_ptr<Script> script;          // kExecute
    std::string text;                        // the subscribed name, or the state to restore
    std::map<std::string, int64_t> offsets;  // kRestore
    SubscribeOptions subscribe;
    std::shared_ptr<Completion<Result<dataflow::ExecResult>>> executed;
    std::shared_ptr<Completion<Result<std::shared_ptr<SubscriptionState>>>> subscribed;
    std::shared_ptr<Completion<Status>> flushed;
    std::shared_ptr<Completion<std::string>> graph;
  };
  struct CheckpointRequest {
    bool force = false;
    std::shared_ptr<Completion<Result<uint64_t>>> done;
  };
  // Compute-thread state per source id (ids are never reused).
  struct Slot {
    std::shared_ptr<SourceRuntime> source;
    std::vector<RecordBatch> pending;
    int64_t pending_rows = 0;
    int64_t offset = 0;  // the source's position after the rows processed so far
  };

  void run();
  Status post(Command command, bool try_only = false);
  Status enqueue(Input input);
  Status accept(SourceRuntime& source, RecordBatch batch, int64_t offset, bool log);
  void run_command(Command& command);
  // Caller's thread: parses, then posts the script until it has run to its end.
  Result<dataflow::ExecResult> execute_script(std::string_view sql, bool replay);
  // Compute thread: runs the script's statements from where it paused.
  Result<dataflow::ExecResult> continue_script(Script& script);
  // Records a statement that changed the catalog in the data_dir (unless replayed).
  Status record_statement(const sql::Statement& statement, bool replay);
  // Ends the current epoch: snapshot, markers, hand-off (see the header comment).
  void cut_epoch(std::shared_ptr<Completion<Result<uint64_t>>> done, bool force);
  // Waits until the last cut epoch is committed or rolled back; false if the engine failed.
  bool wait_for_epoch_in_flight();
  Status restore_state(const std::string& state, const std::map<std::string, int64_t>& offsets);
  // Before a statement: what the pipeline cannot check (a sink used as a dead letter).
  Status before_statement(const sql::Statement& statement);
  // After it: keeps sources, sink tasks and routes in step with the catalog.
  Status after_statement(const sql::Statement& statement);
  Status after_catalog_change(const sql::Statement& statement);
  // CREATE SINK: starts the sink's task, which opens its connector on its own thread; the
  // sink takes rows from now on. Null when the sink already had one (IF NOT EXISTS).
  Result<std::shared_ptr<Completion<Status>>> start_sink_task(const std::string& name);
  // Once the open is done: the sink stays, or (it failed) is undone as if never created.
  Status finish_sink_open(const std::string& name, const Status& opened);
  // Shutdown: sinks still opening are undone; their CREATE SINK fails.
  void abandon_opening_sinks();
  void undo_create_sink(const std::string& name);
  // Cuts asked for while a sink was opening, once none is.
  void release_deferred_cuts();
  // Flushes and closes a sink's task; `forget` removes it (DROP) instead of keeping its final
  // metrics (shutdown).
  void close_sink_task(const std::string& name, bool forget);
  dataflow::ExecResult show_sinks() const;
  void drain_inputs(int64_t max_rows);
  void flush_source(uint32_t id);
  void route(const std::string& name, sql::ObjectKind kind, const RecordBatch& batch);
  void record_failure(const Status& error);
  void close_subscriptions(const std::string& name);

  const EngineOptions options_;
  dataflow::Pipeline pipeline_;  // compute thread only

  MpscQueue<Input> inputs_;
  MpscQueue<Command> commands_;
  MpscQueue<CheckpointRequest> checkpoint_requests_;
  WaitSignal wake_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> abandon_{false};
  std::atomic<bool> failed_{false};
  std::atomic<bool> exited_{false};
  WaitSignal exit_signal_;
  std::thread thread_;
  std::mutex shutdown_mutex_;
  bool stopped_ = false;

  // Compute thread only.
  std::vector<Slot> slots_;
  std::vector<uint32_t> touched_;
  std::unordered_map<std::string, std::vector<std::shared_ptr<SubscriptionState>>> routes_;
  // Sink tasks by the sink's name; changed on the compute thread under sinks_mutex_, read
  // there without it and elsewhere (metrics) with it.
  std::unordered_map<std::string, std::shared_ptr<sink::SinkTask>> sinks_;
  mutable std::mutex sinks_mutex_;
  SinkFactory sink_factory_;  // set before the first command

  // Checkpoints; set by enable_checkpoints() before any command, then compute thread only.
  CheckpointHooks hooks_;
  bool checkpointing_ = false;
  uint64_t epoch_ = 0;                       // the epoch rows processed now belong to
  uint64_t last_cut_ = 0;                    // the newest epoch cut (0: none yet)
  bool epoch_dirty_ = false;                 // rows or statements since the last cut
  std::atomic<uint64_t> resolved_epoch_{0};  // set by the checkpoint thread
  WaitSignal resolved_signal_;
  int64_t catalog_statements_ = 0;
  // Sinks whose connector is opening: they are in the graph but not yet in the catalog log,
  // so no epoch is cut until they are settled (forced cuts wait here, periodic ones skip).
  std::unordered_map<std::string, std::shared_ptr<Completion<Status>>> opening_;
  std::vector<std::shared_ptr<Completion<Result<uint64_t>>>> deferred_cuts_;

  mutable std::mutex mutex_;  // guards sources_ and failure_
  std::unordered_map<std::string, std::shared_ptr<SourceRuntime>> sources_;  // by lower-case name
  Status failure_;
};

}  // namespace sluice::runtime
