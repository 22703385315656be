#pragma once
// The `file` source connector: reads JSON lines or CSV from a path on its own thread and
// pushes batches into its source (waiting on the source's credits like any pusher). The
// source is bounded: at end of file its input ends and the final watermark closes windows;
// with follow = true it keeps reading what is appended (checked every 100 ms) instead.
// Each push carries the byte offset after its last line (a read whose lines were all skipped
// pushes no rows, the offset alone); a recovered database starts at the checkpoint's offset (a
// CSV header is read first, since it names the columns).
//
// A malformed line is reported with file, line and reason and counted; with on.error =
// 'skip' reading goes on, with 'fail' (the default) the lines before it are delivered, then
// the database records the error and the source stops. Nothing crashes on bad input.
//
// Thread: its own reader thread (SourceConnector); start()/stop() from the owner.

#include <atomic>
#include <cstdint>
#include <memory>

#include "connectors/source_connector.h"

namespace sluice::connectors {

class FileSource final : public SourceConnector {
 public:
  using SourceConnector::SourceConnector;
  ~FileSource() override { stop(); }

  int64_t rows_read() const { return rows_read_.load(); }
  int64_t rows_skipped() const override { return lines_skipped_.load(); }

 private:
  void run() override;

  std::atomic<int64_t> rows_read_{0};
  std::atomic<int64_t> lines_skipped_{0};
};

}  // namespace sluice::connectors
