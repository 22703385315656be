#!/usr/bin/env bash
# Ad-hoc SELECTs with joins checked against DuckDB (ctest adhoc.oracle; tests/integration/README.md).
#
#   oracle.sh SLUICE_CLI WORK_DIR
#
# queries.py fills three materialized views of a `sluice serve` with random rows (a fixed seed,
# keys from a small range and NULLs, so joins match many-to-many and NULL keys occur), writes
# the rows to CSV, and runs join, subquery, WITH and UNION ALL SELECTs, each fixed or random,
# through the server's SQL endpoint; compare.mjs runs the same SQL in DuckDB over the CSVs and
# compares each answer as a multiset of rows (in order where the query sorts totally). Exits
# 77 (ctest SKIP) when node or the npm package is unavailable: never passes then.
set -uo pipefail

SLUICE=${1:?usage: oracle.sh SLUICE_CLI WORK_DIR}
WORK=${2:?usage: oracle.sh SLUICE_CLI WORK_DIR}
mkdir -p "$WORK" && WORK=$(cd "$WORK" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)

. "$HERE/../duckdb_npm.sh"
install_duckdb "$WORK"
cp "$HERE/compare.mjs" "$WORK/compare.mjs"  # node resolves packages from the script's folder
rm -rf "$WORK/run" && mkdir -p "$WORK/run"

timeout 300 /usr/bin/python3 "$HERE/queries.py" "$SLUICE" "$WORK/run" ||
  { echo "FAIL: sluice's side (queries.py)"; exit 1; }
timeout 300 node "$WORK/compare.mjs" "$WORK/run" || { echo "FAIL: answers differ"; exit 1; }
