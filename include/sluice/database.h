#pragma once
// Database: an embedded sluice instance. Declare sources, streams, views and sinks with
// execute(); push rows through source(); receive results through subscribe().
//
//   auto db = sluice::Database::open().value();
//   db->execute("CREATE SOURCE t (n BIGINT)");
//   db->execute("CREATE STREAM doubled AS SELECT n * 2 AS n2 FROM t");
//   auto sub = db->subscribe("doubled").value();
//   db->source("t")->push_json(R"({"n": 21})");
//   auto batch = sub.recv();  // one row: 42
//
// One compute thread (started by open()) runs every query; it sleeps until input arrives.
// Thread: every method may be called from any thread. execute(), flush() and shutdown()
// block until the compute thread has done the work; source pushes block only as their
// overflow policy says; Subscription::recv blocks until data or disconnection.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "sluice/checkpoint_metrics.h"
#include "sluice/query_result.h"
#include "sluice/record_batch.h"
#include "sluice/sink_metrics.h"
#include "sluice/source_handle.h"
#include "sluice/status.h"
#include "sluice/subscription.h"

namespace sluice {

namespace runtime {
class ComputeLoop;
}
namespace checkpoint {
class DataDir;
}

struct DatabaseOptions {
  // Empty: in memory, nothing survives the process. Otherwise the directory that makes the
  // database durable: its catalog, checkpoints and push logs. open() recovers what is there:
  // the declared objects, operator state and source offsets of the newest checkpoint, and
  // each exactly-once sink's in-doubt epochs (docs/checkpoints.md).
  std::string data_dir;
  // With a data_dir: how often an epoch is cut and checkpointed (when anything happened).
  std::chrono::milliseconds checkpoint_interval{1000};
  // With a data_dir: how many checkpoints are kept.
  int keep_checkpoints = 3;
  // With a data_dir, for this open only: resume even when an exactly-once sink has published
  // epochs past the checkpoint recovery resumes from (the newest one is damaged or gone), so
  // those epochs' rows reach it a second time. Without it such an open fails (SLC-4002),
  // naming the damaged checkpoint and the sink. `sluice run --accept-duplicates`.
  bool accept_duplicates = false;
  // The memory budget of operator state and view tables, in bytes (0: none). The compute
  // thread checks it after each batch; past it the pipeline fails (SLC-6001) naming the
  // largest object and its size, rather than the system killing the process. Committed
  // checkpoints stay as they are. `sluice run|serve --state-memory-max SIZE`.
  int64_t state_memory_max = 0;
  // Rows the compute thread takes from its input per cycle, at most.
  int64_t max_batch_rows = 65536;
  // Default budget of rows in flight per source (CREATE SOURCE ... WITH (credits = N)).
  // 16,384 rows: enough to keep the compute thread fed (a connector's batches are 4,096 rows),
  // small enough that a source faster than its query holds megabytes, not the hundreds a
  // million rows of wide events took (Nexmark q5-agg at 10 M events: 541 MB peak RSS with
  // 1 M rows, 178 MB with 16,384 and no slower; bench/nexmark --credits).
  int64_t source_credits = 1 << 14;
  // Capacity of the compute thread's input queue, in batches.
  size_t input_queue_batches = 4096;
  // shutdown() waits this long for subscribers (block policy) that neither read nor close;
  // after it, what they would have received is counted in their dropped_rows().
  std::chrono::milliseconds shutdown_grace{5000};
  // Services the application provides to connectors, by name: `sluice serve` provides its
  // WebSocket server as "websocket.broadcaster", which the `websocket` sink publishes through
  // (without it, CREATE SINK ... INTO websocket is refused). Given here rather than later so
  // that recovery, which re-creates the sinks of a data_dir, finds them too.
  std::map<std::string, std::shared_ptr<void>> services;
};

class Database {
 public:
  static Result<std::unique_ptr<Database>> open(DatabaseOptions options = {});
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Runs one or more ';'-separated statements in order; stops at the first error. Returns
  // the last statement's result. Blocks until the compute thread has run them.
  Result<QueryResult> execute(std::string_view sql);
  // Runs a script that declares a pipeline, so that running the same script again on a
  // recovered data_dir resumes it: CREATE/DROP statements the data_dir already recorded, in
  // the same order and with the same text, are skipped; the rest run as execute() would. A
  // script that differs from the record is refused, naming the first difference.
  Result<QueryResult> declare(std::string_view sql);
  // Cuts an epoch that covers every row accepted so far and returns its number once it is
  // checkpointed and committed (SQL: CHECKPOINT). Needs a data_dir.
  Result<uint64_t> checkpoint();
  Result<SourceHandle> source(std::string_view name);
  // Registers a function for callback sinks: CREATE SINK s FROM x INTO callback (function =
  // 'name'). It runs on that sink's own thread, once per batch, in order; it gets the batch
  // itself (no copy). Register before the CREATE SINK that names it.
  void register_callback(const std::string& name, std::function<void(const RecordBatch&)> callback);
  // As register_callback, for a function that can fail: an error it returns is a failed write,
  // so the sink's retry.max and on.error apply (docs/sinks.md). The Python package's callback
  // sinks report an exception raised in the function this way.
  void register_fallible_callback(const std::string& name,
                                  std::function<Status(const RecordBatch&)> callback);
  // The pipeline graph as JSON for tools: {"nodes":[{"name","kind","input","outputs","plan",
  // "rows_in","rows_out","state_groups","state_bytes","table_rows"}...],
  // "sinks":{"name":{"state","rows","bytes","queue_depth",...}}}.
  Result<std::string> graph_json();
  // The checkpoints' counters (also in SHOW CHECKPOINTS): the compute thread's pause per cut,
  // durations, state bytes. `enabled` is false without a data_dir.
  CheckpointMetrics checkpoint_metrics() const;
  // A sink's counters (also in SHOW SINKS).
  Result<SinkMetrics> sink_metrics(std::string_view name);
  // Counters of any source, push or connector.
  Result<SourceMetrics> source_metrics(std::string_view name);
  // Subscribes to a stream, materialized view or source by name.
  Result<Subscription> subscribe(std::string_view name, SubscribeOptions options = {});

  // Starts the connector sources (files, generators) declared so far; one declared later
  // starts as soon as something reads it — a stream, view or sink over it, or a subscription
  // — so that its first consumer sees its input from the start. Push sources take rows at
  // any time.
  Status start();
  // Returns once every row accepted so far has been processed: views, subscriptions and
  // SELECTs see its results, and every sink's task has its rows queued. Sinks write on their
  // own threads (at flush.interval, and exactly-once sinks at checkpoint commits), so a sink
  // that is paused cannot make flush() wait; shutdown() waits for the sinks.
  Status flush();
  // True when every source is a connector source that ends by itself (a file, a generator
  // with a limit): then wait_for_bounded_sources() returns once all input is processed.
  bool all_sources_bounded() const;
  // Waits until every connector source has reached its end and its rows are processed.
  Status wait_for_bounded_sources();
  // Drains: every accepted row is processed and delivered, subscriptions see the end of
  // their data, threads stop. Further pushes fail with SLC-0003. Returns the first error the
  // pipeline met while running, if any. Idempotent; the destructor calls it.
  Status shutdown();
  // The first error met while processing (a failing query, a fatal bad line); OK otherwise.
  Status status() const;
  // `sql` as it may be shown or logged: the values of secret options (a password) and the
  // passwords in connection strings masked as ***. execute() and declare() already mask them in
  // their errors; a program that shows the statement itself (a caret under an error) uses this.
  std::string redact(std::string_view sql) const;
  // Blocks until the pipeline fails and returns that error (as status() would), or returns
  // OK once shutdown() has finished without one or `timeout` has passed. A program running a
  // pipeline on another thread learns of a failure here at once (`sluice run` exits on it).
  Status wait_for_failure(std::chrono::milliseconds timeout = std::chrono::milliseconds::max());

 private:
  explicit Database(DatabaseOptions options);
  Status recover(std::unique_ptr<checkpoint::DataDir> dir);
  // declare() before its errors are redacted.
  Result<QueryResult> declare_statements(std::string_view sql);
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sluice
