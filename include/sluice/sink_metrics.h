#pragma once
// Counters of one sink, from Database::sink_metrics() and SHOW SINKS.

#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace sluice {

// The upper bounds (nanoseconds) of SinkMetrics::write_latency_buckets: 1 µs to 10 s.
inline constexpr std::array<uint64_t, 15> kWriteLatencyBoundsNs = {
    1'000,       5'000,       10'000,        50'000,        100'000,
    500'000,     1'000'000,   5'000'000,     10'000'000,    50'000'000,
    100'000'000, 500'000'000, 1'000'000'000, 5'000'000'000, 10'000'000'000};

struct SinkMetrics {
  std::string name;
  // opening | running | retrying (a failed write or flush, up to retry.max) | paused (past the
  // retries with on.error = 'pause', still retrying) | failed | closed
  std::string state;
  int64_t rows = 0;
  int64_t batches = 0;
  int64_t bytes = 0;
  int64_t write_errors = 0;
  int64_t retries = 0;
  int64_t queue_depth = 0;
  int64_t backpressure_events = 0;  // the compute thread found the queue full
  int64_t dropped_rows = 0;         // queue.full = 'drop'
  int64_t failed_rows = 0;          // given up on (on.error = 'fail'); the error says why
  int64_t dead_lettered_rows = 0;   // sent to dead_letter.sink
  int64_t slow_writes = 0;          // writes that took longer than write.timeout
  int64_t last_committed_epoch = -1;
  // Write latency (the connector's write call), nanoseconds.
  uint64_t write_p50_ns = 0;
  uint64_t write_p99_ns = 0;
  uint64_t write_p999_ns = 0;
  uint64_t write_max_ns = 0;
  // The same latencies as a cumulative histogram (Prometheus `/metrics`): element i counts the
  // writes that took at most kWriteLatencyBoundsNs[i] (within ~3%: the recording histogram's
  // bucket width); with the number of writes and their total time.
  std::array<uint64_t, kWriteLatencyBoundsNs.size()> write_latency_buckets{};
  uint64_t write_latency_count = 0;
  uint64_t write_latency_sum_ns = 0;
  std::string last_error;
  // The connector's own counters, by name: the kafka sink's delivery_errors, in_flight
  // (messages queued or sent, not yet acknowledged), transactions and last_transaction_us.
  std::vector<std::pair<std::string, int64_t>> connector;
};

}  // namespace sluice
