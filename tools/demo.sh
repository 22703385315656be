#!/usr/bin/env bash
# The main job (README): installs what is missing, builds, and runs the demo on embedded
# defaults. Until the pipeline demo lands, the demo is the smallest end-to-end run: events
# from examples/trades.jsonl decoded into a columnar batch, filtered, and written back out
# as JSON lines and CSV, through the Arrow C Data Interface and back.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/release --target first_batch
build/release/examples/first_batch examples/trades.jsonl out/demo
