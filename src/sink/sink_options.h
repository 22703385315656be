#pragma once
// The options every sink takes besides its connector's own, parsed from CREATE SINK:
//   queue.capacity  batches in the sink's command queue (default 128)
//   queue.full      block (default: pressure reaches the sources) | drop (counted) | fail
//   flush.interval  periodic flush (default: the connector's)
//   write.timeout   passed to connectors for their I/O (default 30s)
//   retry.max       retries of a failed write, and periodic flushes that may fail in a row
//                   before on.error applies (default 3)
//   retry.backoff   first retry delay, doubled each time, with jitter (default 100ms)
//   on.error        fail (default) | pause (keep retrying, the queue fills, pressure builds) |
//                   dead_letter (send the batch to dead_letter.sink)
//   delivery        at-least-once (default) | exactly-once (the binder checks it can hold)

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

#include "sluice/status.h"
#include "sql/catalog.h"

namespace sluice::sink {

enum class QueueFull { kBlock, kDrop, kFail };
enum class OnError { kFail, kPause, kDeadLetter };

struct SinkOptions {
  size_t queue_capacity = 128;
  QueueFull queue_full = QueueFull::kBlock;
  std::optional<std::chrono::milliseconds> flush_interval;  // unset: the connector's default
  std::chrono::milliseconds write_timeout{30000};
  int retry_max = 3;
  std::chrono::milliseconds retry_backoff{100};
  OnError on_error = OnError::kFail;
  std::string dead_letter_sink;
  bool exactly_once = false;
};

// Reads the common options out of a validated option map.
Result<SinkOptions> parse_sink_options(const sql::OptionMap& options);

}  // namespace sluice::sink
