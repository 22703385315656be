#!/usr/bin/env bash
# The main job (README): installs what is missing, builds, and runs the quickstart pipeline
# (examples/quickstart.sql): Nexmark bids → a 10-second windowed aggregate and a filtered
# stream → JSON-lines files under out/ and the console. Needs no services; about 5 seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/release --target sluice_cli
rm -rf out/busy_auctions out/big_bids
build/release/tools/sluice run examples/quickstart.sql
echo
echo "files written:"
wc -l out/busy_auctions/* out/big_bids/*
