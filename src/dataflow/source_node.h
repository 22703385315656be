#pragma once
// SourceNode: where a source's rows enter the graph. Its watermark follows the largest event
// time seen minus the declared delay (or what the source says, for explicit watermarks); at
// the end of its input the final watermark closes every window downstream. The watermark
// moves row by row in source order, so late rows do not depend on batch boundaries
// (docs/sql.md, "Watermarks and late rows").
//
// Batches reach it already checked against the source's schema (check_batch, once, where
// they are pushed).
//
// Idle: a source declared with `idle.timeout` that has received no rows for that long (the
// runtime's clock decides: runtime/idle_sources.h) is marked idle; every node with several
// inputs below it leaves it out of its watermark's minimum until rows come again.
//
// Thread: the compute thread (or a test's) only.

#include <memory>

#include "dataflow/node.h"
#include "sql/catalog.h"

namespace sluice::dataflow {

// Checks a batch against a source's schema: column count, types, NOT NULL. The one check a
// pushed batch gets.
Status check_batch(const sql::SourceDef& source, const RecordBatch& batch);

class SourceNode final : public Node {
 public:
  explicit SourceNode(std::shared_ptr<const sql::SourceDef> definition);

  const sql::SourceDef& definition() const { return *definition_; }
  bool ended() const { return ended_; }

  // A pushed batch (checked). Refused once the input has ended.
  Status push(const RecordBatch& batch);
  // Moves the watermark forward (never back).
  Status advance_watermark(int64_t watermark) { return advance_downstream(watermark); }
  // No more input: the final watermark.
  Status end_input();
  // The runtime's idle timeout passed without rows (true), or rows came again (false).
  Status set_source_idle(bool idle) { return set_idle(idle); }
  // The source's `idle.timeout` option, µs (0: never idle).
  int64_t idle_timeout() const { return idle_timeout_; }

  Status feed(const RecordBatch& batch, int port) override {
    (void)port;
    return push(batch);
  }
  std::string describe() const override;
  Progress progress() const override;
  void set_progress(const Progress& p) override;

 private:
  const std::shared_ptr<const sql::SourceDef> definition_;
  const int64_t idle_timeout_;
  int64_t max_event_time_ = kNoWatermark;
  bool ended_ = false;
};

}  // namespace sluice::dataflow
