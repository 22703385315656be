// The sluice command: an interactive SQL shell, `run FILE.sql`, or `serve [FILE.sql]`.

#include <cstdio>
#include <cstring>
#include <string>

#include "flag_values.h"
#include "run_command.h"
#include "serve_command.h"
#include "shell.h"
#include "sql/options.h"

namespace {

constexpr const char* kUsage = R"(sluice — an embedded streaming SQL database

usage:
  sluice                          interactive SQL shell (\help inside)
  sluice run FILE.sql [options]   run a pipeline file
  sluice serve [FILE.sql] [opts]  run a pipeline file and serve the HTTP API until SIGTERM
                                  (sluice serve --help; docs/server.md)
  sluice --version | --help

run options:
  --for DURATION      stop after DURATION (e.g. 30s, 5m); without it the run ends when
                      every source has ended and its rows are delivered
  --data-dir DIR      keep the pipeline durable in DIR: checkpoints, recovery, exactly-once
                      sinks. Running the same FILE on DIR again resumes where it stopped
  --checkpoint-interval DURATION
                      with --data-dir: how often to checkpoint (default 1s)
  --accept-duplicates with --data-dir, for this run only: resume even though an
                      exactly-once sink has published epochs past the checkpoint
                      recovery resumes from (the newest one is damaged or gone);
                      those epochs' rows reach the sink again (docs/checkpoints.md)
  --state-memory-max SIZE
                      the memory budget of operator state and views (e.g. 512MiB,
                      2GB); past it the pipeline fails with SLC-6001 naming the
                      largest object (docs/checkpoints.md). Default: none
  --status-interval DURATION
                      how often the status line is printed (default 1s on a terminal,
                      5s otherwise); it shows each sink's state and last error when the
                      sink is retrying, paused or failed

A run ends with a non-zero exit as soon as the pipeline fails (a row it cannot compute, a
sink that gives up), printing the error.

SQL reference: docs/sql.md; sinks: docs/sinks.md.
)";

}  // namespace

int main(int argc, char** argv) {
  using namespace sluice;
  if (argc == 2 && (std::strcmp(argv[1], "--version") == 0 || std::strcmp(argv[1], "-V") == 0)) {
    std::printf("sluice %s\n", SLUICE_VERSION);
    return 0;
  }
  if (argc == 2 && (std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0)) {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (argc == 1) {
    auto db = Database::open();
    if (!db.ok()) {
      std::fprintf(stderr, "sluice: %s\n", db.status().to_string().c_str());
      return 1;
    }
    return cli::run_shell(**db);
  }
  if (std::strcmp(argv[1], "serve") == 0) return cli::serve_main(argc, argv);
  if (std::strcmp(argv[1], "run") == 0 && argc >= 3) {
    cli::RunOptions options;
    options.file = argv[2];
    for (int i = 3; i < argc; ++i) {
      const std::string arg = argv[i];
      if ((arg == "--for" || arg == "--data-dir" || arg == "--checkpoint-interval" ||
           arg == "--status-interval" || arg == "--state-memory-max") &&
          i + 1 >= argc) {
        std::fprintf(stderr, "sluice: %s needs a value\n", arg.c_str());
        return 2;
      }
      if (arg == "--for") {
        auto micros = sql::parse_duration(argv[++i]);
        if (!micros.ok()) {
          std::fprintf(stderr, "sluice: --for: %s\n", micros.status().to_string().c_str());
          return 2;
        }
        options.duration = std::chrono::milliseconds(*micros / 1000);
      } else if (arg == "--data-dir") {
        options.data_dir = argv[++i];
      } else if (arg == "--accept-duplicates") {
        options.accept_duplicates = true;
      } else if (arg == "--checkpoint-interval") {
        auto every = sluice::cli::interval_flag("sluice", arg, argv[++i]);
        if (!every) return 2;
        options.checkpoint_interval = *every;
      } else if (arg == "--state-memory-max") {
        auto bytes = sluice::cli::byte_size_flag("sluice", arg, argv[++i]);
        if (!bytes) return 2;
        options.state_memory_max = *bytes;
      } else if (arg == "--status-interval") {
        auto every = sluice::cli::interval_flag("sluice", arg, argv[++i]);
        if (!every) return 2;
        options.status_every = *every;
      } else {
        std::fprintf(stderr, "sluice: unknown option %s\n\n%s", arg.c_str(), kUsage);
        return 2;
      }
    }
    return cli::run_file(options);
  }
  std::fprintf(stderr, "sluice: unknown arguments\n\n%s", kUsage);
  return 2;
}
