#pragma once
// SinkTask: one sink connector on its own thread, fed by one bounded command queue. Writes,
// flushes and an epoch's begin / pre-commit / commit / rollback travel the same queue and
// run in the order they were queued; callers that need the outcome wait for an ack. The task
// also flushes on its own timer (flush.interval), whether or not input keeps coming.
//
// The compute thread hands each batch over with submit() and moves on; when the queue is full
// the sink's queue.full policy decides (block: wait, and so push back on the sources; drop:
// count; fail: report). A failed write is retried with jittered exponential backoff; then
// on.error decides (fail the pipeline, pause and keep retrying, or dead-letter the batch).
// Nothing is dropped without being counted.
//
// Thread: submit() from the compute thread; the epoch/flush/close calls from any thread;
// the connector only ever runs on the task's own thread. No mutex guards the connector.

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "common/bounded_queue.h"
#include "common/completion.h"
#include "common/histogram.h"
#include "common/mutex.h"
#include "sink/sink.h"
#include "sink/sink_options.h"
#include "sluice/sink_metrics.h"

namespace sluice::sink {

class SinkTask {
 public:
  // Called on the task's thread when a write is given up on with on.error = 'fail'.
  using FailureHandler = std::function<void(const Status&)>;
  // Delivers a batch to the dead-letter sink (on.error = 'dead_letter').
  using DeadLetterHandler = std::function<Status(const RecordBatch&)>;

  SinkTask(std::string name, std::unique_ptr<Sink> sink, SinkOptions options);
  ~SinkTask();
  SinkTask(const SinkTask&) = delete;
  SinkTask& operator=(const SinkTask&) = delete;

  // With checkpoints: where recovery resumes this sink from.
  struct Resume {
    // The newest committed epoch: the connector resolves the epochs an earlier run left in
    // doubt up to it (Sink::recover) before it takes anything.
    uint64_t epoch = 0;
    // What the manifest of `epoch` says this sink staged for it, if anything.
    std::optional<StagedEpoch> staged;
    // An exactly-once connector that has committed past `epoch` would be handed those epochs'
    // rows again. Called with its newest committed epoch: an error refuses the open; OK goes
    // on (the duplicates are accepted).
    std::function<Status(uint64_t committed)> committed_past;
  };
  struct Opening {
    SchemaPtr schema;
    std::optional<Resume> resume = std::nullopt;
  };
  // Starts the task's thread, which first opens the connector (a connection, a table check:
  // possibly seconds) so that a slow or unreachable destination holds up this sink alone.
  // The returned completion carries the outcome; CREATE SINK reports it. Until then, queued
  // commands wait. If the open fails, queued writes are dropped (counted as failed rows: the
  // sink never existed) and every call is answered with the open's error.
  std::shared_ptr<Completion<Status>> start(Opening opening, FailureHandler on_failure,
                                            DeadLetterHandler dead_letter);

  // Compute thread: queues a write per the queue.full policy. Errors only with 'fail'.
  Status submit(const RecordBatch& batch, const std::atomic<bool>& abandon);
  // Queues a write and waits for room whatever the policy (dead letters).
  Status submit_blocking(const RecordBatch& batch);

  // Queues an epoch call without waiting (the compute thread places an epoch's markers this
  // way); the returned completion is set when the connector has run it. Blocks only while
  // the queue is full, whatever queue.full says: markers are never dropped.
  std::shared_ptr<Completion<Status>> post_pre_commit(uint64_t epoch);
  void post_begin_epoch(uint64_t epoch);

  Status flush();
  Status begin_epoch(uint64_t epoch);
  Status pre_commit(uint64_t epoch);
  Status commit(uint64_t epoch);
  Status rollback(uint64_t epoch);
  // Flushes, closes the connector and stops the thread. Idempotent.
  Status close();

  // What the connector staged for `epoch` at its pre-commit (once that is acknowledged), for
  // the checkpoint's manifest; nothing when it staged no rows.
  std::optional<StagedEpoch> staged_epoch(uint64_t epoch) const EXCLUDES(staged_mutex_);

  const std::string& name() const { return name_; }
  const SinkOptions& options() const { return options_; }
  SinkMetrics metrics() const;
  std::string last_error() const;

 private:
  enum class Kind : uint8_t { kWrite, kFlush, kBegin, kPreCommit, kCommit, kRollback, kClose };
  struct Command {
    Kind kind = Kind::kWrite;
    RecordBatch batch;
    uint64_t epoch = 0;
    std::shared_ptr<Completion<Status>> ack;
  };
  // kRetrying: a write or periodic flush failed and is being retried (up to retry.max);
  // kPaused: past the retries with on.error = 'pause', still retrying.
  enum class State : uint8_t { kOpening, kRunning, kRetrying, kPaused, kFailed, kClosed };

  Status call(Kind kind, uint64_t epoch);
  std::shared_ptr<Completion<Status>> post(Kind kind, uint64_t epoch, bool want_ack);
  Status open_connector(const Opening& opening);
  void run();
  // After a failed open: answers what is queued until close.
  void refuse(const Status& error);
  void write(const RecordBatch& batch);
  Status flush_now();
  // The timer's flush: a failure is retried at the next interval, and after retry.max
  // failures in a row on.error applies (pause keeps trying; otherwise the task fails).
  void periodic_flush();
  // A write or flush succeeded: a retrying or paused task runs again.
  void recovered();
  // on.error = 'fail' (or nothing else left): the task fails for good with `error`, which the
  // database records as the pipeline's failure.
  void give_up(const Status& error);
  // Sleeps the retry delay for `attempt`, waking early if the task is closing.
  void back_off(int attempt);

  const std::string name_;
  std::unique_ptr<Sink> sink_;
  const SinkOptions options_;
  std::chrono::milliseconds flush_interval_;
  MpscQueue<Command> queue_;
  std::thread thread_;
  FailureHandler on_failure_;
  DeadLetterHandler dead_letter_;
  std::atomic<bool> closing_{false};
  WaitSignal closing_signal_;
  std::atomic<bool> closed_{false};
  std::atomic<bool> dirty_{false};
  int failed_flushes_ = 0;  // periodic flushes failed in a row (task thread only)
  Status gave_up_;          // the error the task failed with (task thread only)

  std::atomic<State> state_{State::kOpening};
  std::atomic<int64_t> rows_{0}, batches_{0}, bytes_{0}, write_errors_{0}, retries_{0};
  std::atomic<int64_t> backpressure_{0}, dropped_rows_{0}, failed_rows_{0}, dead_lettered_rows_{0};
  std::atomic<int64_t> slow_writes_{0};
  std::atomic<int64_t> last_committed_{-1};
  Histogram write_latency_;
  mutable Mutex error_mutex_;
  std::string last_error_ GUARDED_BY(error_mutex_);
  mutable Mutex staged_mutex_;
  uint64_t staged_for_ GUARDED_BY(staged_mutex_) = 0;  // the epoch staged_ describes
  std::optional<StagedEpoch> staged_ GUARDED_BY(staged_mutex_);
};

}  // namespace sluice::sink
