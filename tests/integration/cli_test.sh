#!/usr/bin/env bash
# The sluice command end to end: --version/--help, the shell on a pipe (multi-line
# statements, tables, errors marked at their position), `run` of a bounded pipeline (exit 0,
# files written), `run` of a bad file (non-zero, position marked), `run --for` on a source
# that never ends; a run whose pipeline fails (a row that overflows, a sink that gives up, a
# bad line) exits at once, non-zero, with the error; the status line shows a sink in trouble;
# passwords never appear in what is shown. Usage: cli_test.sh PATH_TO_SLUICE
set -u
sluice=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
checks=0
check() {  # description, condition...
  local what=$1
  shift
  checks=$((checks + 1))
  if "$@"; then echo "ok   $what"; else echo "FAIL $what"; failures=$((failures + 1)); fi
}
millis() { echo $(($(date +%s%N) / 1000000)); }
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

# A run whose pipeline fails ends at once, non-zero, with the error, although its source never
# ends (`timeout` bounds the test: 124 would mean it kept running).
cat > "$work/overflow.sql" <<SQL
CREATE SOURCE g (n BIGINT) WITH (connector = 'datagen', rate = '2000',
  fields.n.kind = 'values', fields.n.values = '1, 2, 9223372036854775807');
CREATE STREAM doubled AS SELECT n * 2 AS m FROM g;
CREATE SINK out FROM doubled INTO blackhole ();
SQL
start=$(millis)
timeout 60 "$sluice" run "$work/overflow.sql" >"$work/overflow.out" 2>&1
code=$?
elapsed_ms=$(($(millis) - start))
check "run of an endless source exits non-zero on an overflowing row (exit $code)" test "$code" -ne 0 -a "$code" -ne 124
check "it exits at once (${elapsed_ms} ms)" test "$elapsed_ms" -lt 10000
check "it prints the error" grep -q "SLC-0006.*integer overflow in (n \* 2)" "$work/overflow.out"

# A sink that gives up: an at-least-once file sink whose directory is deleted while it writes.
# It must not go on counting rows into the unlinked file: the sink fails, the run ends.
cat > "$work/gone.sql" <<SQL
CREATE SOURCE g (n BIGINT) WITH (connector = 'datagen', rate = '5000');
CREATE SINK files FROM g INTO file (path = '$work/gone', flush.interval = '50ms',
  retry.max = '1');
SQL
timeout 60 "$sluice" run "$work/gone.sql" >"$work/gone.out" 2>&1 &
run=$!
for _ in $(seq 200); do [ -s "$work/gone/part-000000.jsonl" ] && break; sleep 0.05; done
check "the file sink writes its first part" test -s "$work/gone/part-000000.jsonl"
rm -rf "$work/gone"
start=$(millis)
wait "$run"
code=$?
elapsed_ms=$(($(millis) - start))
check "run exits non-zero once the sink's directory is gone (exit $code)" test "$code" -ne 0 -a "$code" -ne 124
check "it exits soon after (${elapsed_ms} ms)" test "$elapsed_ms" -lt 10000
check "the error says the part file is gone, naming the sink once" \
  test "$(grep -c "SLC-0008 at sink 'files'.*part-000000.jsonl is gone" "$work/gone.out")" -ge 1 -a \
  "$(grep "^sluice: " "$work/gone.out" | grep -o "sink 'files'" | wc -l)" -eq 1
check "the final line shows the sink failed" grep -q "files [0-9]* (queue [0-9]*, failed: SLC-0008" "$work/gone.out"

# The status line shows a sink in trouble while the run goes on: paused, with its error.
cat > "$work/paused.sql" <<SQL
CREATE SOURCE g (n BIGINT) WITH (connector = 'datagen', rate = '1000');
CREATE SINK files FROM g INTO file (path = '$work/paused', flush.interval = '50ms',
  retry.max = '1', retry.backoff = '10ms', on.error = 'pause');
SQL
timeout 60 "$sluice" run "$work/paused.sql" --for 4s --status-interval 100ms >"$work/paused.out" 2>&1 &
run=$!
for _ in $(seq 200); do [ -s "$work/paused/part-000000.jsonl" ] && break; sleep 0.05; done
rm -rf "$work/paused"
wait "$run"
check "the status line shows the paused sink and why" \
  grep -q "files [0-9]* (queue [0-9]*, paused: SLC-0008 at sink 'files'.*is gone" "$work/paused.out"

# on.error = 'fail' on a file source: the lines before the bad one are delivered, then the run
# fails (JSON lines and CSV, the bad line in the same read as the good ones).
printf '{"n": 1}\n{"n": "two"}\n{"n": 3}\n' > "$work/bad.jsonl"
cat > "$work/badjson.sql" <<SQL
CREATE SOURCE j (n BIGINT) WITH (connector = 'file', path = '$work/bad.jsonl');
CREATE SINK jout FROM j INTO file (path = '$work/jout');
SQL
timeout 60 "$sluice" run "$work/badjson.sql" >"$work/badjson.out" 2>&1
code=$?
check "a bad JSON line with on.error = 'fail' fails the run (exit $code)" test "$code" -ne 0 -a "$code" -ne 124
check "it names the file and line" grep -q "bad.jsonl, line 2, field 'n'" "$work/badjson.out"
check "the JSON line before the bad one is delivered" test "$(cat "$work"/jout/*.jsonl)" = '{"n":1}'
printf 'n\n1\n2\nthree\n4\n' > "$work/bad.csv"
cat > "$work/badcsv.sql" <<SQL
CREATE SOURCE c (n BIGINT) WITH (connector = 'file', path = '$work/bad.csv', format = 'csv',
  header = 'true');
CREATE SINK cout FROM c INTO file (path = '$work/cout', format = 'csv');
SQL
timeout 60 "$sluice" run "$work/badcsv.sql" >"$work/badcsv.out" 2>&1
code=$?
check "a bad CSV line with on.error = 'fail' fails the run (exit $code)" test "$code" -ne 0 -a "$code" -ne 124
check "the CSV lines before the bad one are delivered" test "$(cat "$work"/cout/*.csv | tr '\n' ' ')" = "n 1 2 "

# Secrets: a statement with passwords, refused (an unknown option, a missing '='), is shown
# with its line and caret, the passwords masked, in the shell and in `run`.
secret_sql="CREATE SOURCE t (n BIGINT);
CREATE SINK p FROM t INTO postgres (dsn = 'postgresql://app:Hunter2dsn@127.0.0.1:1/db', password = 'Hunter2pw', tabel = 'x');
CREATE SINK q FROM t INTO postgres (host = '127.0.0.1', password 'Hunter2bare', table = 'x');"
out=$(printf '%s\n' "$secret_sql" | "$sluice" 2>&1)
check "shell: the refused statement is shown with its caret" contains "$out" "tabel = 'x')"
caret_under() {  # output, word: the caret on the line after the word's line is under it
  local line caret
  line=$(grep -F -- "$2" <<<"$1" | head -1)
  caret=$(grep -F -A1 -- "$2" <<<"$1" | sed -n 2p)
  caret=${caret%%^*}
  test "${line:${#caret}:${#2}}" = "$2"
}
check "shell: the caret still points at the bad option" caret_under "$out" "tabel"
check "shell: the password is masked where the statement is shown" contains "$out" "password = '***'"
check "shell: the DSN password is masked" contains "$out" "postgresql://app:***@127.0.0.1:1/db"
check "shell: no password is shown" test "$(grep -c Hunter2 <<<"$out")" -eq 0
check "shell: the statement without '=' is shown masked" contains "$out" "password '***', table"
printf '%s\n' "$secret_sql" | sed 3d > "$work/secret.sql"
"$sluice" run "$work/secret.sql" >"$work/secret.out" 2>&1
check "run: no password is shown" test "$(grep -c Hunter2 "$work/secret.out")" -eq 0
check "run: the statement is shown masked" grep -q "password = '\*\*\*'" "$work/secret.out"
check "run: the caret still points at the bad option" caret_under "$(cat "$work/secret.out")" "tabel"
printf '%s\n' "$secret_sql" | sed 2d > "$work/secret.sql"
"$sluice" run "$work/secret.sql" >"$work/secret.out" 2>&1
check "run: a syntax error shows no password" test "$(grep -c Hunter2 "$work/secret.out")" -eq 0 -a \
  "$(grep -c "expected '=', found string '\*\*\*'" "$work/secret.out")" -eq 1

echo "cli: $((checks - failures)) passed, $failures failed"
exit "$failures"
