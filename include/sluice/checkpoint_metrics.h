#pragma once
// Counters of a database's checkpoints, from Database::checkpoint_metrics(), SHOW CHECKPOINTS
// and /metrics (docs/checkpoints.md).

#include <array>
#include <cstdint>

namespace sluice {

// The upper bounds (nanoseconds) of CheckpointMetrics::duration_buckets: 1 ms to 60 s.
inline constexpr std::array<uint64_t, 12> kCheckpointDurationBoundsNs = {
    1'000'000,     5'000'000,     10'000'000,    50'000'000,     100'000'000,    500'000'000,
    1'000'000'000, 2'500'000'000, 5'000'000'000, 10'000'000'000, 30'000'000'000, 60'000'000'000};

struct CheckpointMetrics {
  bool enabled = false;  // the database has a data_dir
  int64_t completed = 0;
  int64_t failed = 0;
  uint64_t last_epoch = 0;  // the newest committed epoch (0: none yet)
  // The compute thread's time inside a cut (capturing the state, queueing the sinks'
  // markers): the only part of a checkpoint that stops processing. Nanoseconds.
  int64_t last_pause_ns = 0;
  int64_t max_pause_ns = 0;
  // From the cut to the last sink's commit, of committed checkpoints. Nanoseconds.
  int64_t last_duration_ns = 0;
  // Checkpoints that took at most kCheckpointDurationBoundsNs[i] (within ~3%).
  std::array<uint64_t, kCheckpointDurationBoundsNs.size()> duration_buckets{};
  uint64_t duration_count = 0;
  uint64_t duration_sum_ns = 0;
  // Bytes of the state file, of the last checkpoint and of all of them.
  int64_t last_state_bytes = 0;
  int64_t state_bytes_total = 0;
};

}  // namespace sluice
