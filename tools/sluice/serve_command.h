#pragma once
// `sluice serve [FILE.sql] [options]`: runs a pipeline file (if given) as `sluice run` does and
// serves the HTTP API (src/server, docs/server.md) until SIGTERM or SIGINT; then stops taking
// requests, drains the pipeline (every accepted row delivered, a last checkpoint with a data
// dir) and exits 0. A pipeline that fails ends the server with exit 1 and the error.

namespace sluice::cli {

// argv[0] is "sluice", argv[1] "serve". Returns the exit code.
int serve_main(int argc, char** argv);

}  // namespace sluice::cli
