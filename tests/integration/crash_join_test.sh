#!/usr/bin/env bash
# Exactly-once under SIGKILL for every join kind and the top-N (issue 19), beside crash_test.sh
# and in its manner (crash_rounds.sh): out-of-order JSON-lines files (late rows on both sides)
# feed an interval join, ASOF joins (left with a tolerance, inner without), a window join of two
# windowed aggregates (Nexmark q8's shape, left outer), a lookup join against an EMIT CHANGES
# view, and a top-N per key and per window, each into an exactly-once file sink, in a child
# `sluice run --data-dir` killed at random moments and at named fault points and restarted until
# it finishes. Then every sink's output must equal that of an uninterrupted run: the joins' rows
# (sorted: how two inputs interleave orders them), and the top-Ns' change streams in order.
#
# Its own script, not more sinks in crash_test.sh: there the files are read in a burst between a
# paced generator's rows and a PostgreSQL sink's start, so few kills land while they flow and a
# join's restored state is rarely used. Here nothing else runs and the inputs take about a second
# to go through, so most kills cut the joins mid-stream. (Checked: with the restore of the ASOF,
# lookup, interval or window join or of the per-key top-N made to drop its state, this test
# fails. A per-window top-N holds nothing at a checkpoint — a window's rows reach it in the cycle
# that closes the window, and its partitions are dropped in that cycle — so for it the test shows
# that no change is lost or repeated.)
#
# Usage: crash_join_test.sh PATH_TO_SLUICE [KILLS]   (default 30; CRASH_KILLS=N overrides)
set -u
exec 3>&2 2>/dev/null  # bash reports every killed child on stderr; the test reports on stdout
sluice=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
target=${CRASH_KILLS:-${2:-30}}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# shellcheck source=tests/integration/crash_rounds.sh
. "$(dirname "$0")/crash_rounds.sh"  # jittered, uninterrupted_run, crash_rounds

# Two inputs on one clock, about 20 minutes of event time each.
jittered "$work/jitter.jsonl" 21 60000 40 v
jittered "$work/probes.jsonl" 22 20000 120 p

# The lookup join's input: the view's rows and the left rows through one file, in one order.
# A lookup join answers a left row with the view's rows as the row arrives
# (docs/joins_temporal.md): with the view fed by another source its answer would depend on how
# the two sources' batches interleave, which a restart changes. Here each key's view rows (kind
# "dim", one to several: the EMIT CHANGES view updates, a delete and an insert) all come before
# the first left row (kind "fact") of that key, and the view is created before the stream of
# left rows, so a batch of the file reaches the view, and the view's changes the join, before
# the same batch's left rows reach the join (a batch is processed depth-first, in the order the
# nodes were created: src/dataflow/README.md). Every left row therefore finds its key's final
# view rows (or none, for keys the view never holds), however the file is cut into batches:
# the output is a function of the input. Keys open and close throughout the file, so the view
# still changes after the left rows begin, and the rows after a restart see the restored view.
python3 - "$work/feed.jsonl" <<'PY'
import random, sys
rng = random.Random(23)
clock = 1_700_000_000_000
open_keys, closed, next_key = [], [], 0  # keys taking view rows; keys done with them
with open(sys.argv[1], "w") as f:
    for i in range(60000):
        clock += rng.randrange(20)
        r = rng.randrange(100)
        if r < 30 and (not open_keys or rng.randrange(6) == 0):
            open_keys.append(next_key)
            next_key += 1
        if r < 30:
            k = rng.choice(open_keys)
            v = rng.randrange(1000)
            f.write('{"kind": "dim", "k": %d, "v": %d, "ts": %d}\n' % (k, v, clock))
        elif r < 35 and open_keys:
            closed.append(open_keys.pop(rng.randrange(len(open_keys))))
        else:
            ts = clock - rng.randrange(1000)
            if rng.randrange(100) < 3:
                ts = clock - 3000 - rng.randrange(20000)  # late, mostly
            # A key done with its view rows, or one the view never holds (NULLs: a left join).
            if closed and rng.randrange(10):
                k = rng.choice(closed)
            else:
                k = 1000000 + rng.randrange(1000)
            f.write('{"kind": "fact", "k": %d, "v": %d, "ts": %d}\n' % (k, rng.randrange(1000), ts))
PY

pipeline() {  # output directory
  cat <<SQL
CREATE SOURCE jitter (k BIGINT, v BIGINT, ts TIMESTAMP,
    WATERMARK FOR ts AS ts - INTERVAL '1' SECOND)
  WITH (connector = 'file', path = '$work/jitter.jsonl');
CREATE SOURCE probes (k BIGINT, p BIGINT, ts TIMESTAMP,
    WATERMARK FOR ts AS ts - INTERVAL '1' SECOND)
  WITH (connector = 'file', path = '$work/probes.jsonl');
CREATE SINK near AS
  SELECT J.k, J.v, P.p, J.ts, P.ts AS probe_ts FROM jitter AS J JOIN probes AS P
    ON J.k = P.k
       AND P.ts BETWEEN J.ts - INTERVAL '50' MILLISECOND AND J.ts + INTERVAL '50' MILLISECOND
  INTO file (path = '$1/near', delivery = 'exactly-once');
CREATE SINK nearest AS
  SELECT J.k, J.v, J.ts, P.p, P.ts AS probe_ts FROM jitter AS J ASOF LEFT JOIN probes AS P
    ON J.k = P.k AND J.ts >= P.ts AND J.ts - P.ts <= INTERVAL '300' MILLISECOND
  INTO file (path = '$1/nearest', delivery = 'exactly-once');
CREATE SINK latest AS
  SELECT J.k, J.v, J.ts, P.p, P.ts AS probe_ts FROM jitter AS J ASOF JOIN probes AS P
    ON J.k = P.k AND J.ts >= P.ts
  INTO file (path = '$1/latest', delivery = 'exactly-once');
CREATE STREAM jitter_counts AS
  SELECT k, window_start, window_end, COUNT(*) AS n, SUM(v) AS total FROM jitter
  GROUP BY k, TUMBLE(ts, INTERVAL '1' SECOND);
CREATE STREAM probe_counts AS
  SELECT k, window_start, window_end, COUNT(*) AS n, MAX(p) AS top FROM probes
  GROUP BY k, TUMBLE(ts, INTERVAL '1' SECOND);
CREATE SINK same_window AS
  SELECT J.k, J.window_start, J.n, J.total, P.n AS probes, P.top
  FROM jitter_counts AS J LEFT JOIN probe_counts AS P
    ON J.k = P.k AND J.window_start = P.window_start AND J.window_end = P.window_end
  INTO file (path = '$1/same_window', delivery = 'exactly-once');
CREATE SINK top_per_key AS
  SELECT k, v, ts,
         ROW_NUMBER() OVER (PARTITION BY k, EXTRACT(MINUTE FROM ts) ORDER BY v DESC) AS rn
  FROM jitter QUALIFY rn <= 3
  INTO file (path = '$1/top_per_key', delivery = 'exactly-once');
CREATE SINK top_per_window AS
  SELECT window_start, k, n, ROW_NUMBER() OVER (PARTITION BY window_start ORDER BY n DESC) AS rn
  FROM jitter_counts QUALIFY rn <= 3
  INTO file (path = '$1/top_per_window', delivery = 'exactly-once');
CREATE SOURCE feed (kind VARCHAR, k BIGINT, v BIGINT, ts TIMESTAMP,
    WATERMARK FOR ts AS ts - INTERVAL '1' SECOND)
  WITH (connector = 'file', path = '$work/feed.jsonl');
CREATE MATERIALIZED VIEW dims AS
  SELECT k, COUNT(*) AS n, MAX(v) AS top FROM feed WHERE kind = 'dim' GROUP BY k EMIT CHANGES;
CREATE STREAM facts AS SELECT k, v, ts FROM feed WHERE kind = 'fact';
CREATE SINK looked_up AS
  SELECT F.k, F.v, F.ts, D.n, D.top FROM facts AS F
    LEFT JOIN dims FOR SYSTEM_TIME AS OF F.ts AS D ON F.k = D.k
  INTO file (path = '$1/looked_up', delivery = 'exactly-once');
SQL
}

signature() {  # output directory, (schema), sink → its rows as compared
  case "$3" in
    # A top-N's changes come in its input's order, whatever the batches (dataflow/
    # top_n_operator.h), and an exactly-once file sink writes each committed epoch's rows once,
    # in order, one part per epoch (part-<epoch>, numbered in order): so the exact change stream
    # is what the sink guarantees, and it is compared in order (stronger than the state it
    # applies to).
    top_*) cat "$1/$3"/part-* 2>/dev/null ;;
    *) cat "$1/$3"/part-* 2>/dev/null | sort ;;
  esac
}
sinks=(near nearest latest same_window looked_up top_per_key top_per_window)

uninterrupted_run
# Each join and top-N must have done its work, or equal outputs would prove little: rows that
# matched (a non-NULL right column) and rows that did not, and changes that push rows out.
count() { grep -c -- "$2" "$work/expected.$1"; }
count_not() { grep -vc -- "$2" "$work/expected.$1"; }
near=$(wc -l <"$work/expected.near")
latest=$(wc -l <"$work/expected.latest")
asof_matched=$(count_not nearest '"p":null')
asof_unmatched=$(count nearest '"p":null')
window_matched=$(count_not same_window '"probes":null')
window_unmatched=$(count same_window '"probes":null')
lookup_matched=$(count_not looked_up '"n":null')
lookup_unmatched=$(count looked_up '"n":null')
key_deletes=$(count top_per_key '"_op":"delete"')
window_deletes=$(count top_per_window '"_op":"delete"')
for n in "$near" "$latest" "$asof_matched" "$asof_unmatched" "$window_matched" \
  "$window_unmatched" "$lookup_matched" "$lookup_unmatched" "$key_deletes" "$window_deletes"; do
  if [ "$n" -lt 500 ]; then
    echo "FAIL the uninterrupted run's interval join wrote $near rows, the inner ASOF join" \
      "$latest; the left ASOF join matched $asof_matched rows ($asof_unmatched not), the window" \
      "join $window_matched ($window_unmatched not), the lookup join $lookup_matched" \
      "($lookup_unmatched not); the top-Ns deleted $key_deletes rows (per key) and" \
      "$window_deletes (per window): want 500 or more of each"
    exit 1
  fi
done
# The lookup join's premise (above): every left row that found its key got the key's final view
# row, the one the whole file makes; otherwise its answer would depend on the batches.
if ! python3 - "$work/feed.jsonl" "$work/expected.looked_up" <<'PY'; then
import collections, json, sys
dims = collections.defaultdict(list)
for line in open(sys.argv[1]):
    row = json.loads(line)
    if row["kind"] == "dim":
        dims[row["k"]].append(row["v"])
for line in open(sys.argv[2]):
    row = json.loads(line)
    want = (len(dims[row["k"]]), max(dims[row["k"]])) if row["k"] in dims else (None, None)
    if (row["n"], row["top"]) != want:
        print("FAIL the lookup join answered %s, not with the view's final row (n, top) = %s"
              % (line.strip(), want))  # stdout: the script's stderr goes nowhere
        sys.exit(1)
PY
  exit 1
fi
echo "uninterrupted: $near rows from the interval join, $latest from the inner ASOF join;" \
  "$asof_matched + $asof_unmatched from the left ASOF join, $window_matched +" \
  "$window_unmatched from the window join, $lookup_matched + $lookup_unmatched from the lookup" \
  "join (matched + not); $(wc -l <"$work/expected.top_per_key")" \
  "and $(wc -l <"$work/expected.top_per_window") changes from the top-Ns per key and per window"

crash_rounds
echo "ok   every join's and top-N's sink holds exactly the uninterrupted run's rows after" \
  "$kills SIGKILLs"
