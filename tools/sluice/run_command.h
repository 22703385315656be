#pragma once
// `sluice run FILE.sql`: runs a pipeline file until its duration passes or, when every source
// ends by itself, until all input has been processed and delivered; a pipeline that fails ends
// the run at once, non-zero, with the error. Prints a live status line on a terminal, periodic
// plain lines otherwise; a sink that is retrying, paused or failed shows its state and error.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace sluice::cli {

struct RunOptions {
  std::string file;
  std::optional<std::chrono::milliseconds> duration;    // --for
  std::string data_dir;                                 // --data-dir
  std::chrono::milliseconds checkpoint_interval{1000};  // --checkpoint-interval
  bool accept_duplicates = false;                       // --accept-duplicates
  int64_t state_memory_max = 0;                         // --state-memory-max (0: none)
  // --status-interval; unset: every second on a terminal, plain lines every 5 s otherwise.
  std::optional<std::chrono::milliseconds> status_every;
};

int run_file(const RunOptions& options);

}  // namespace sluice::cli
