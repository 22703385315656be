#!/usr/bin/env bash
# The sluice command end to end: --version/--help, the shell on a pipe (multi-line
# statements, tables, errors marked at their position), `run` of a bounded pipeline (exit 0,
# files written), `run` of a bad file (non-zero, position marked), `run --for` on a source
# that never ends. Usage: cli_test.sh PATH_TO_SLUICE
set -u
sluice=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
check() {  # description, condition...
  local what=$1
  shift
  if "$@"; then echo "ok   $what"; else echo "FAIL $what"; failures=$((failures + 1)); fi
}
contains() { grep -qF -- "$2" <<<"$1"; }

out=$("$sluice" --version)
check "--version" contains "$out" "sluice "
out=$("$sluice" --help)
check "--help lists run" contains "$out" "sluice run FILE.sql"

out=$(printf 'CREATE SOURCE t (n BIGINT,\n  s VARCHAR);\nSHOW SOURCES;\nCREATE STREAM x AS SELECT n, pirce FROM t;\n\\help\n\\q\n' | "$sluice" 2>&1)
check "shell runs a multi-line statement" contains "$out" "CREATE SOURCE t"
check "shell prints tables" contains "$out" "t    | n BIGINT, s VARCHAR | NULL      | push"
check "shell marks the error position" contains "$out" "                                 ^"
check "shell error has code and position" contains "$out" "SLC-1002 at 1:30: unknown column 'pirce' in t"
check "shell \\help" contains "$out" "\\q      quit"

# The shell runs the connector sources it declares, from their first consumer on: a view over
# a file and one over a generator fill while the shell waits for the next statement.
printf '{"n": 1}\n{"n": 2}\n{"n": 4}\n' >"$work/three.jsonl"
out=$( (printf "CREATE SOURCE f (n BIGINT) WITH (connector = 'file', path = '%s');\n" "$work/three.jsonl"
        printf "CREATE MATERIALIZED VIEW total AS SELECT COUNT(*) AS c, SUM(n) AS s FROM f;\n"
        printf "CREATE SOURCE g WITH (connector = 'nexmark', table = 'bid', limit = '50');\n"
        printf "CREATE MATERIALIZED VIEW bids AS SELECT COUNT(*) AS c FROM g;\n"
        # Asks again every 0.2 s for 5 s (the machine may be slow); the answers must come.
        for _ in $(seq 25); do sleep 0.2; printf "SELECT * FROM total;\nSELECT * FROM bids;\n"; done
        ) | "$sluice" 2>&1)
check "shell runs a file source it declares" contains "$out" "3 | 7"
check "shell runs a generator it declares (46 bids in 50 Nexmark events)" grep -qx "46" <<<"$out"

cat > "$work/ok.sql" <<SQL
CREATE SOURCE bid WITH (connector = 'nexmark', table = 'bid', limit = '100000', event.rate = '10000');
CREATE STREAM w AS SELECT window_start, COUNT(*) AS bids FROM bid GROUP BY TUMBLE(date_time, INTERVAL '5' SECOND);
CREATE SINK f FROM w INTO file (path = '$work/out', format = 'csv');
SQL
"$sluice" run "$work/ok.sql" >"$work/ok.out" 2>&1
code=$?
check "run of a bounded pipeline exits 0" test "$code" -eq 0
check "run delivered every window (2 windows + header)" test "$(cat "$work"/out/*.csv | wc -l)" -eq 3
check "run delivered the right counts" grep -q "^2026-11-24T10:00:05Z,46000$" "$work"/out/part-000000.csv

printf 'CREATE SOURCE t (n BIGINT);\nCREATE STREAM s AS\n  SELECT n FROM t WHERE n >;\n' > "$work/bad.sql"
"$sluice" run "$work/bad.sql" >"$work/bad.out" 2>&1
code=$?
check "run of a bad file exits non-zero" test "$code" -ne 0
check "run marks the bad position" grep -q "SLC-1001 at 3:" "$work/bad.out"

# An error found after parsing (an unknown column) in a statement that is not the first: the
# file's line:column, with the caret under that line's column.
printf 'CREATE SOURCE t (k VARCHAR, v BIGINT);\n\n\nCREATE STREAM s AS\n  SELECT k, nope FROM t;\n' > "$work/bind.sql"
"$sluice" run "$work/bind.sql" >"$work/bind.out" 2>&1
check "run gives a bind error the file's line:column" grep -q "SLC-1002 at 5:13: unknown column 'nope'" "$work/bind.out"
check "run draws the caret under the column" grep -qx "                ^" "$work/bind.out"
check "run shows the error's line" grep -qx "5 |   SELECT k, nope FROM t;" "$work/bind.out"

printf "CREATE SOURCE bid WITH (connector = 'nexmark', table = 'bid', rate = '1000');\nCREATE SINK b FROM bid INTO blackhole ();\n" > "$work/forever.sql"
start=$(date +%s%N)
"$sluice" run "$work/forever.sql" --for 1s >"$work/for.out" 2>&1
code=$?
elapsed_ms=$((($(date +%s%N) - start) / 1000000))
check "run --for 1s exits 0" test "$code" -eq 0
check "run --for 1s stops after about 1 s (${elapsed_ms} ms)" test "$elapsed_ms" -ge 1000 -a "$elapsed_ms" -lt 5000
check "run reports progress" grep -q "sinks: b " "$work/for.out"

"$sluice" run "$work/ok.sql" --for >/dev/null 2>&1
check "a flag without its value is refused" test $? -eq 2

# The quickstart demo (the README's main job runs it): five 10-second windows, files written.
examples=$(cd "$(dirname "$0")/../../examples" && pwd)
(cd "$work" && "$sluice" run "$examples/quickstart.sql" >"$work/quick.out" 2>"$work/quick.err")
code=$?
check "quickstart exits 0" test "$code" -eq 0
check "quickstart prints five windows" test "$(grep -c '^2026-11-24T10:00:[0-4]0Z | 92000 ' "$work/quick.out")" -eq 5
check "quickstart writes its files" test -s "$work/out/busy_auctions/part-000000.jsonl" -a -s "$work/out/big_bids/part-000000.jsonl"

echo "cli: $((19 - failures)) passed, $failures failed"
exit "$failures"
