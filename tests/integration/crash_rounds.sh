# shellcheck shell=bash
# What the SIGKILL crash tests share (sourced by crash_test.sh, crash_join_test.sh and
# crash_changes_test.sh): their inputs' generator, the uninterrupted run, and the rounds of kills
# and restarts, each compared with it.

# jittered FILE SEED ROWS MAX_STEP VALUE: a JSON-lines file of ROWS rows {"k", VALUE, "ts"}: a
# clock moving by up to MAX_STEP ms a row, each time up to 1.5 s behind it (out of order within a
# watermark delay of 1 s, or just behind it), 3% of them 3 to 23 s behind (late, mostly); 8 keys.
# Which rows are late must not depend on where a restart cut the input (docs/sql.md, late rows).
jittered() {
  python3 - "$@" <<'PY'
import random, sys
path, value = sys.argv[1], sys.argv[5]
seed, rows, step = (int(a) for a in sys.argv[2:5])
rng = random.Random(seed)
clock = 1_700_000_000_000
with open(path, "w") as f:
    for i in range(rows):
        clock += rng.randrange(step)
        ts = clock - rng.randrange(1500)
        if rng.randrange(100) < 3:
            ts = clock - 3000 - rng.randrange(20000)  # late, mostly
        k, v = rng.randrange(8), rng.randrange(1000)
        f.write('{"k": %d, "%s": %d, "ts": %d}\n' % (k, value, v, ts))
PY
}

# uninterrupted_run: runs the pipeline once, without kills, into $work/expected (schema
# "expected") and writes each sink's signature to $work/expected.<sink>: what every round must
# write. Exits 1 when the run fails. Needs what crash_rounds needs (below).
# shellcheck disable=SC2154  # sluice, work, sinks: the caller's
uninterrupted_run() {
  local sink
  mkdir -p "$work/expected"
  pipeline "$work/expected" expected >"$work/expected.sql"
  if ! "$sluice" run "$work/expected.sql" --data-dir "$work/expected/data" >/dev/null 2>&1; then
    echo "FAIL the uninterrupted run failed"
    exit 1
  fi
  for sink in "${sinks[@]}"; do
    signature "$work/expected" expected "$sink" >"$work/expected.$sink"
  done
}

# crash_rounds: kills a child `$sluice run --data-dir` with SIGKILL, at random moments and at
# named fault points (SLUICE_FAULT: the process kills itself there), restarts it on the same
# data_dir, kills it again... until it finishes; then compares every sink's output with the
# uninterrupted run's. Rounds repeat until at least $target kills have happened.
# The caller defines:
#   pipeline OUT SCHEMA         the pipeline's SQL, its sinks writing under OUT
#   signature OUT SCHEMA SINK   a sink's output, as compared (sorted rows, or an ordered stream)
#   round_checks ROUND          (optional) more checks after a round, adding to $failures
# and sets $sluice, $target, $work, the array sinks, and $work/expected.<sink> for each sink.
# Sets $kills, $round and $failures; prints a line per round and the kills' tally, and exits 1
# when a check failed.
# shellcheck disable=SC2154  # sluice, target, work, sinks: the caller's
crash_rounds() {
  local faults=(after_state_image after_pre_commit manifest_half_written after_manifest
    before_commit after_commit)
  local fault_runs=0 random_kills=0 fault_kills=0 out runs code child fault sink
  kills=0
  round=0
  failures=0
  while [ "$kills" -lt "$target" ]; do
    round=$((round + 1))
    out="$work/round$round"
    mkdir -p "$out"
    pipeline "$out" "round$round" >"$out/pipeline.sql"
    runs=0
    while :; do
      runs=$((runs + 1))
      if [ "$runs" -gt 400 ]; then
        echo "FAIL round $round: no end after 400 runs"
        exit 1
      fi
      if [ $((RANDOM % 3)) -eq 0 ] && [ "$kills" -lt "$target" ]; then
        # A named fault point: the child kills itself there.
        # Each point in turn, so that every one is hit in a normal run.
        fault=${faults[$((fault_runs % ${#faults[@]}))]}:$((RANDOM % 3 + 1))
        fault_runs=$((fault_runs + 1))
        SLUICE_FAULT=$fault "$sluice" run "$out/pipeline.sql" --data-dir "$out/data" \
          --checkpoint-interval 50ms >"$out/log" 2>&1
        code=$?
        [ "$code" -eq 137 ] && fault_kills=$((fault_kills + 1))
      elif [ "$kills" -lt "$target" ]; then
        "$sluice" run "$out/pipeline.sql" --data-dir "$out/data" --checkpoint-interval 50ms \
          >"$out/log" 2>&1 &
        child=$!
        # 50-440 ms: printf pads, since "0.$((RANDOM % 40 + 5))" read 5-9 as 0.5-0.9 s.
        sleep "$(printf '0.%02d' $((RANDOM % 40 + 5)))"
        kill -KILL "$child" 2>/dev/null
        wait "$child"
        code=$?
        [ "$code" -eq 137 ] && random_kills=$((random_kills + 1))
      else
        "$sluice" run "$out/pipeline.sql" --data-dir "$out/data" --checkpoint-interval 50ms \
          >"$out/log" 2>&1
        code=$?
      fi
      if [ "$code" -eq 137 ]; then
        kills=$((kills + 1))
        continue
      fi
      if [ "$code" -ne 0 ]; then
        echo "FAIL round $round run $runs exited $code:"
        cat "$out/log"
        exit 1
      fi
      break  # the pipeline finished
    done
    for sink in "${sinks[@]}"; do
      signature "$out" "round$round" "$sink" >"$out/got.$sink"
      if ! cmp -s "$work/expected.$sink" "$out/got.$sink"; then
        echo "FAIL round $round: sink $sink differs from the uninterrupted run" \
          "($(wc -l <"$out/got.$sink") rows, want $(wc -l <"$work/expected.$sink")):"
        diff "$work/expected.$sink" "$out/got.$sink" | head -5
        failures=$((failures + 1))
      fi
      if [ -n "$(ls -A "$out/$sink/.staging" 2>/dev/null)" ]; then
        echo "FAIL round $round: sink $sink left staged files: $(ls "$out/$sink/.staging")"
        failures=$((failures + 1))
      fi
    done
    if declare -F round_checks >/dev/null; then round_checks "$round"; fi
    echo "round $round: $runs runs, output equals the uninterrupted run"
    rm -rf "$out"
  done
  echo "kills: $kills ($random_kills at random moments, $fault_kills at fault points)" \
    "in $round rounds"
  if [ "$failures" -ne 0 ]; then
    echo "FAIL $failures checks"
    exit 1
  fi
}
