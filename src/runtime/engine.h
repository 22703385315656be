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
// them, so the pipeline and its catalog are touched by that thread alone.
//
// Thread: public methods from any thread; run() is the compute thread.

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "common/bounded_queue.h"
#include "common/completion.h"
#include "engine/pipeline.h"
#include "runtime/source_runtime.h"
#include "runtime/subscription_state.h"
#include "sink/sink_factory.h"
#include "sink/sink_task.h"
#include "sluice/sink_metrics.h"
#include "sluice/status.h"

namespace sluice::runtime {

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

class Engine {
 public:
  explicit Engine(EngineOptions options);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Runs ';'-separated statements on the compute thread; returns the last result.
  Result<engine::ExecResult> execute(std::string_view sql);
  Result<std::shared_ptr<SourceRuntime>> source(std::string_view name) const;
  std::vector<std::shared_ptr<SourceRuntime>> sources() const;
  Result<std::shared_ptr<SubscriptionState>> subscribe(std::string_view name,
                                                       const SubscribeOptions& options);

  // Callback sinks (INTO callback (function = 'name')) find their function here.
  void register_callback(const std::string& name, sink::BatchCallback callback);
  Result<SinkMetrics> sink_metrics(std::string_view name) const;

  // Checks, takes credits, queues. OK also when overflow = 'drop' dropped the rows (counted).
  Status push(SourceRuntime& source, RecordBatch batch);
  Status advance_watermark(SourceRuntime& source, int64_t micros);
  Status end_input(SourceRuntime& source);
  // The pipeline graph as JSON (sources → streams/views → sinks, with sink metrics).
  Result<std::string> graph_json();
  // Returns once everything queued before the call has been processed.
  Status flush();
  // Records an error met outside the compute thread (a connector's fatal bad line).
  void fail(const Status& error);
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
    RecordBatch batch;
  };
  struct Command {
    enum class Kind : uint8_t { kExecute, kSubscribe, kFlush, kGraph };
    Kind kind = Kind::kExecute;
    std::string text;  // SQL, or the subscribed name
    SubscribeOptions subscribe;
    std::shared_ptr<Completion<Result<engine::ExecResult>>> executed;
    std::shared_ptr<Completion<Result<std::shared_ptr<SubscriptionState>>>> subscribed;
    std::shared_ptr<Completion<Status>> flushed;
    std::shared_ptr<Completion<std::string>> graph;
  };
  // Compute-thread state per source id (ids are never reused).
  struct Slot {
    std::shared_ptr<SourceRuntime> source;
    std::vector<RecordBatch> pending;
    int64_t pending_rows = 0;
  };

  void run();
  Status post(Command command);
  Status enqueue(Input input);
  void run_command(Command& command);
  Result<engine::ExecResult> run_sql(std::string_view sql);
  // Before a statement: what the pipeline cannot check (a sink used as a dead letter).
  Status before_statement(const sql::Statement& statement);
  // After it: keeps sources, sink tasks and routes in step with the catalog.
  Status after_statement(const sql::Statement& statement);
  void after_catalog_change(const sql::Statement& statement);
  Status create_sink_task(const std::string& name);
  // Flushes and closes a sink's task; `forget` removes it (DROP) instead of keeping its final
  // metrics (shutdown).
  void close_sink_task(const std::string& name, bool forget);
  engine::ExecResult show_sinks() const;
  void drain_inputs(int64_t max_rows);
  void flush_source(uint32_t id);
  void route(const std::string& name, sql::ObjectKind kind, const RecordBatch& batch);
  void record_failure(const Status& error);
  void close_subscriptions(const std::string& name);

  const EngineOptions options_;
  engine::Pipeline pipeline_;  // compute thread only

  MpscQueue<Input> inputs_;
  MpscQueue<Command> commands_;
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
  std::unordered_map<std::string, std::unique_ptr<sink::SinkTask>> sinks_;
  mutable std::mutex sinks_mutex_;
  std::mutex callbacks_mutex_;
  std::unordered_map<std::string, sink::BatchCallback> callbacks_;

  mutable std::mutex mutex_;  // guards sources_ and failure_
  std::unordered_map<std::string, std::shared_ptr<SourceRuntime>> sources_;  // by lower-case name
  Status failure_;
};

}  // namespace sluice::runtime
