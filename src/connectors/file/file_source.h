#pragma once
// The `file` source connector: reads JSON lines or CSV from a path on its own thread and
// pushes batches into its source (waiting on the source's credits like any pusher). The
// source is bounded: at end of file its input ends and the final watermark closes windows;
// with follow = true it keeps reading what is appended (checked every 100 ms) instead.
// Each push carries the byte offset after its last line; a recovered database starts at
// the checkpoint's offset (a CSV header is read first, since it names the columns).
//
// A malformed line is reported with file, line and reason and counted; with on.error =
// 'skip' reading goes on, with 'fail' (the default) the database records the error and the
// source stops. Nothing crashes on bad input.
//
// Thread: its own reader thread; start()/stop() from the owner.

#include <atomic>
#include <cstdint>
#include <memory>
#include <thread>

#include "connectors/connector_thread.h"
#include "runtime/ingest.h"

namespace sluice::connectors {

class FileSource {
 public:
  FileSource(std::shared_ptr<runtime::Ingest> ingest,
             std::shared_ptr<runtime::SourceRuntime> source);
  ~FileSource();

  void start() {
    thread_.start([this] { run(); });
  }
  // Asks the reader to stop at the next batch and waits for it.
  void request_stop() { thread_.request_stop(); }
  void stop() { thread_.stop(); }
  // Waits until the reader has read the whole file (or stopped).
  void wait_finished() { thread_.wait_finished(); }

  int64_t rows_read() const { return rows_read_.load(); }
  int64_t lines_skipped() const { return lines_skipped_.load(); }

 private:
  void run();

  std::shared_ptr<runtime::Ingest> ingest_;
  std::shared_ptr<runtime::SourceRuntime> source_;
  std::atomic<int64_t> rows_read_{0};
  std::atomic<int64_t> lines_skipped_{0};
  ConnectorThread thread_;  // last: stopped first when the source is destroyed
};

}  // namespace sluice::connectors
