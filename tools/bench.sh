#!/usr/bin/env bash
# Builds Release and runs the benchmarks; each prints its ratios against a baseline measured
# in the same run. Pass extra Google Benchmark flags through, e.g. --benchmark_min_time=1.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/release
build/release/bench/codec_bench "$@"
build/release/bench/sql_bench "$@"
build/release/bench/runtime_bench
build/release/bench/sink_bench
build/release/bench/checkpoint_bench
build/release/bench/postgres_bench
build/release/bench/kafka_bench
build/release/bench/kafka_source_bench
build/release/bench/server_bench
build/release/bench/nexmark --events 5000000 --json build/release/nexmark.json
if [ -d build/release/python/sluice ]; then  # the Python package (docs/python.md)
  PYTHONPATH=build/release/python /usr/bin/python3 bench/python_bench.py \
    build/release/bench/python_push_baseline
fi
