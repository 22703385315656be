#!/usr/bin/env bash
# Nexmark checked against DuckDB (ctest nexmark.oracle; tests/integration/README.md).
#
#   oracle.sh SLUICE_CLI WORK_DIR
#
# 1. `sluice run` writes the generator's three tables (sources declared separately, the same
#    seed, limit and event rate) to CSV with the file sink.
# 2. Each query of examples/nexmark/ runs in `sluice run` over the same events into a file
#    sink, twice: with the generator's default batches and with small odd ones; the two
#    outputs must be the same rows (no dependence on batch boundaries).
# 3. compare.mjs (DuckDB from npm, @duckdb/node-api, installed under WORK_DIR) checks the
#    tables are one consistent event stream, runs duckdb/<query>.sql over the CSVs and
#    compares each answer with sluice's as a multiset of rows.
# Queries in CHECKED must run and match. Every other query file is run too and reported as
# "pending: <query>: <error>" (what it still needs: examples/nexmark/README.md); one that runs is reported so it can be
# added. Exits 77 (ctest SKIP) when node or the npm package is unavailable: never passes then.
set -uo pipefail

# The queries checked against DuckDB. To add one: its name here, and
# tests/integration/nexmark/duckdb/<name>.sql (its batch equivalent over person, auction, bid).
CHECKED="q0 q1 q2 q3 q4 q5 q5_agg q6 q7 q7_agg q8 q9 q11"
# Processing-time queries, NAME:WINDOW_SECONDS: their windows depend on when rows were processed,
# so compare.mjs checks what does not (each key's total over its windows against
# duckdb/<name>.sql, windows of that length, aligned, none twice), with either batching.
PROCESSING_TIME="q12:10"

SLUICE=${1:?usage: oracle.sh SLUICE_CLI WORK_DIR}
WORK=${2:?usage: oracle.sh SLUICE_CLI WORK_DIR}
mkdir -p "$WORK" && WORK=$(cd "$WORK" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
QUERIES=$(cd "$HERE/../../../examples/nexmark" && pwd)
EVENTS=100000
EVENT_RATE=1000     # events per second of event time: 100 s, so many windows and sessions close
SMALL_BATCH=97      # events per batch in the second run (the default is 4096)
RUN_TIMEOUT=120

fail() { echo "FAIL: $*"; exit 1; }

. "$HERE/../duckdb_npm.sh"
install_duckdb "$WORK"
cp "$HERE/compare.mjs" "$WORK/compare.mjs"  # node resolves packages from the script's folder
rm -rf "$WORK/tables" "$WORK/runs"
mkdir -p "$WORK/runs"

# Every CREATE SOURCE of a query file gets the oracle's events, rate and batch size.
sources() {  # FILE BATCH
  sed -E "s/limit = '[0-9]+'/limit = '$EVENTS', event.rate = '$EVENT_RATE', batch.size = '$2'/g" "$1"
}

# 1. The tables.
{
  for t in person auction bid; do
    echo "CREATE SOURCE $t WITH (connector = 'nexmark', table = '$t', limit = '0');"
    echo "CREATE SINK ${t}_csv FROM $t INTO file (path = '$WORK/tables/$t', format = 'csv');"
  done
} | sources /dev/stdin 4096 > "$WORK/tables.sql"
timeout $RUN_TIMEOUT "$SLUICE" run "$WORK/tables.sql" > "$WORK/tables.log" 2>&1 ||
  { cat "$WORK/tables.log"; fail "sluice run could not write the tables"; }

# Runs query NAME with batch size BATCH into $WORK/runs/NAME.BATCH; prints sluice's error.
run_query() {  # NAME BATCH
  local name=$1 batch=$2 out="$WORK/runs/$1.$2"
  local file="$QUERIES/$name.sql"
  [ "$(grep -c "INTO blackhole ()" "$file")" = 1 ] ||
    { echo "$file must end its one sink with INTO blackhole ()"; return 1; }
  sources "$file" "$batch" |
    sed "s|INTO blackhole ()|INTO file (path = '$out', format = 'csv')|" > "$out.sql"
  if ! timeout $RUN_TIMEOUT "$SLUICE" run "$out.sql" > "$out.log" 2>&1; then
    grep -m1 -E "SLC-|error" "$out.log" || tail -1 "$out.log"
    return 1
  fi
}

# The rows of a run, sorted, without the parts' headers.
rows_of() { find "$1" -name 'part-*.csv' -print0 | sort -z | xargs -0 -r tail -q -n +2 | LC_ALL=C sort; }

# Fails unless query $1 (listed in $2) has its example and its DuckDB query.
require_query() {
  [ -f "$QUERIES/$1.sql" ] || fail "$1 is in $2 but examples/nexmark/$1.sql is missing"
  [ -f "$HERE/duckdb/$1.sql" ] || fail "$1 is in $2 but duckdb/$1.sql is missing"
}

failed=0
checks=()
for name in $CHECKED; do
  require_query "$name" CHECKED
  for batch in 4096 $SMALL_BATCH; do
    if ! error=$(run_query "$name" "$batch"); then
      echo "FAIL $name (batch.size $batch): $error"
      failed=1
      continue 2
    fi
  done
  # 4. The same rows whatever the batches: the CSV text itself, except for a changelog
  # (EMIT CHANGES, `_op`), whose intermediate updates follow the batches by definition:
  # compare.mjs checks what it ends in.
  a="$WORK/runs/$name.4096" b="$WORK/runs/$name.$SMALL_BATCH"
  if ! head -qn1 "$a"/part-*.csv 2> /dev/null | grep -q ',_op$'; then
    if ! cmp -s <(rows_of "$a") <(rows_of "$b"); then
      echo "FAIL $name: batch.size 4096 and $SMALL_BATCH give different rows:"
      diff <(rows_of "$a") <(rows_of "$b") | head -5
      failed=1
      continue
    fi
    echo "same $name: the same $(rows_of "$a" | wc -l) rows with batch.size 4096 and $SMALL_BATCH"
  fi
  checks+=("$name:$a:$b")
done

for entry in $PROCESSING_TIME; do
  name=${entry%%:*}
  require_query "$name" PROCESSING_TIME
  for batch in 4096 $SMALL_BATCH; do
    if ! error=$(run_query "$name" "$batch"); then
      echo "FAIL $name (batch.size $batch): $error"
      failed=1
      continue 2
    fi
    checks+=("proctime:$name:$WORK/runs/$name.$batch:${entry#*:}")
  done
done

# The query files not checked yet: each said pending, with why.
for file in "$QUERIES"/*.sql; do
  name=$(basename "$file" .sql)
  case " $CHECKED " in *" $name "*) continue ;; esac
  case " $PROCESSING_TIME " in *" $name:"*) continue ;; esac
  if error=$(run_query "$name" 4096); then
    echo "pending: $name: runs now; add it to CHECKED in $0 (duckdb/$name.sql is its batch equivalent)"
  else
    echo "pending: $name: $error"
  fi
done

(cd "$WORK" && node compare.mjs "$WORK/tables" "$HERE/duckdb" "${checks[@]}") || failed=1
[ $failed = 0 ] || fail "sluice's answers differ from DuckDB's or between batchings (above)"
echo "PASS: $CHECKED match DuckDB over $EVENTS events; $PROCESSING_TIME keep DuckDB's totals"
