#pragma once
// SourceConnector: the base of every source connector (file, datagen, nexmark, ...). It owns
// the connector's thread (ConnectorThread): start() runs run() on it; request_stop() asks it
// to stop and wakes it if it sleeps; stop() also joins; wait_finished() waits for a bounded
// source's end without joining. A connector implements run(): read or generate, and hand
// batches to the runtime through Ingest (push with the offset after the batch, end_input at
// the end, fail on a fatal error), starting from source().resume_offset. docs/connectors.md
// has the whole contract.
//
// A connector in a watermark alignment group calls wait_aligned() before each read.
//
// A subclass's destructor must call stop() first, so the thread is gone before the
// subclass's members are.
//
// Thread: start/stop/wait_finished/metrics from the owner (the database); run() and the
// protected helpers on the connector's own thread.

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "connectors/connector_thread.h"
#include "runtime/ingest.h"
#include "runtime/source_runtime.h"

namespace sluice::connectors {

class SourceConnector {
 public:
  SourceConnector(std::shared_ptr<runtime::Ingest> ingest,
                  std::shared_ptr<runtime::SourceRuntime> source)
      : ingest_(std::move(ingest)), source_(std::move(source)) {}
  virtual ~SourceConnector() { thread_.stop(); }
  SourceConnector(const SourceConnector&) = delete;
  SourceConnector& operator=(const SourceConnector&) = delete;

  void start() {
    thread_.start([this] {
      run();
      // Ended, stopped or failed: it reads no more, so it holds its alignment group no more.
      if (source_->alignment != nullptr) source_->alignment->leave();
    });
  }
  // Asks run() to stop at its next check and wakes it if it sleeps (or is paused for
  // watermark alignment); does not wait.
  void request_stop() {
    thread_.request_stop();
    if (source_->alignment != nullptr) source_->alignment->wake();
  }
  // Asks run() to stop and joins the thread. Idempotent. A run() blocked in a push returns
  // once the engine closes its sources, so shut the engine down before calling it.
  void stop() { thread_.stop(); }
  // Waits until run() has returned (or the connector was never started).
  void wait_finished() { thread_.wait_finished(); }
  // The source ends by itself (its definition says so: a file not followed, a limit).
  bool bounded() const { return source_->definition->bounded; }
  // Input rows the connector skipped as malformed (SourceMetrics::skipped_lines); 0 when it
  // never skips any.
  virtual int64_t rows_skipped() const { return 0; }
  // How far each split's reading is behind its end, by split name (a Kafka source: messages
  // between the next offset it reads and the partition's high watermark); empty when the
  // connector has no splits.
  virtual std::map<std::string, int64_t> split_lag() const { return {}; }

 protected:
  // The connector's work, on its own thread. Returns when the input ends, on a fatal error
  // (after ingest().fail), when a push fails (the database shut down or the source was
  // dropped), or soon after stopping() becomes true.
  virtual void run() = 0;

  runtime::Ingest& ingest() { return *ingest_; }
  runtime::SourceRuntime& source() { return *source_; }
  const runtime::SourceRuntime& source() const { return *source_; }
  bool stopping() const { return thread_.stopping(); }
  // Sleeps until `deadline` or a stop request; false when asked to stop.
  bool sleep_until(Deadline deadline) { return thread_.sleep_until(deadline); }
  // Watermark alignment (runtime/watermark_alignment.h): call before reading more. Returns at
  // once unless this source's watermark is more than its max drift ahead of its group's lowest;
  // then pauses (no CPU: it sleeps until a member of the group moves, idles or ends) until it
  // is not. False when asked to stop meanwhile. A dropped source returns true: its next push
  // fails, which ends run().
  bool wait_aligned() {
    runtime::AlignmentMember* member = source_->alignment.get();
    if (member == nullptr) return !stopping();
    member->wait_aligned(
        [this] { return stopping() || source_->dropped.load(std::memory_order_acquire); });
    return !stopping();
  }

 private:
  std::shared_ptr<runtime::Ingest> ingest_;
  std::shared_ptr<runtime::SourceRuntime> source_;
  ConnectorThread thread_;
};

}  // namespace sluice::connectors
