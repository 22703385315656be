#!/usr/bin/env bash
# Exactly-once under SIGKILL for every join kind and the top-N (issue 19), beside crash_test.sh
# and in its manner (crash_rounds.sh): out-of-order JSON-lines files (late rows on both sides)
# feed an interval join, ASOF joins (left with a tolerance, inner without), a window join of two
# windowed aggregates (Nexmark q8's shape, left outer), a lookup join by event time against the
# latest row per key of another source, a top-N per key and per window, and a top-1 over the
# interval join of the two sources (its input held and ordered, so its change stream is the same
# whatever the two source threads' timing), each into an exactly-once file sink, in a child
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

# The lookup join by event time: the view (the latest row per key of one file) and the left
# rows (another file) come from two sources, each read on its own thread, so how the view's
# changes and the left rows interleave at the join differs from run to run and across every
# restart — the case a lookup by arrival could not make deterministic. Each left row must get
# the view's version valid at its time (checked below against a reference), and the restarted
# runs the same rows. Both files are out of order within their watermarks' second, with late
# rows; some keys are never in the view (NULLs: a left join), and left rows before a key's first
# version find none.
python3 - "$work/dims.jsonl" "$work/facts.jsonl" <<'PY'
import random, sys
rng = random.Random(23)
clock = 1_700_000_000_000
with open(sys.argv[1], "w") as dims, open(sys.argv[2], "w") as facts:
    for i in range(60000):
        clock += rng.randrange(20)
        ts = clock - rng.randrange(900)
        if rng.randrange(100) < 3:
            ts = clock - 3000 - rng.randrange(20000)  # late, mostly
        if rng.randrange(2):
            dims.write('{"k": %d, "v": %d, "ts": %d}\n' % (rng.randrange(400), rng.randrange(1000), ts))
        else:
            facts.write('{"id": %d, "k": %d, "v": %d, "ts": %d}\n'
                        % (i, rng.randrange(480), rng.randrange(1000), ts))
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
CREATE STREAM near_pairs AS
  SELECT J.k, J.v, P.p, J.ts, P.ts AS probe_ts FROM jitter AS J JOIN probes AS P
    ON J.k = P.k
       AND P.ts BETWEEN J.ts - INTERVAL '50' MILLISECOND AND J.ts + INTERVAL '50' MILLISECOND;
CREATE SINK top_after_join AS
  SELECT k, v, p, ts, probe_ts, _op FROM (SELECT *, ROW_NUMBER() OVER
    (PARTITION BY EXTRACT(MINUTE FROM ts), EXTRACT(SECOND FROM ts) ORDER BY p DESC) AS rn
    FROM near_pairs) AS r WHERE rn <= 1
  INTO file (path = '$1/top_after_join', delivery = 'exactly-once');
CREATE SINK top_per_window AS
  SELECT window_start, k, n, ROW_NUMBER() OVER (PARTITION BY window_start ORDER BY n DESC) AS rn
  FROM jitter_counts QUALIFY rn <= 3
  INTO file (path = '$1/top_per_window', delivery = 'exactly-once');
CREATE SOURCE dims_in (k BIGINT, v BIGINT, ts TIMESTAMP,
    WATERMARK FOR ts AS ts - INTERVAL '1' SECOND)
  WITH (connector = 'file', path = '$work/dims.jsonl');
CREATE SOURCE facts (id BIGINT, k BIGINT, v BIGINT, ts TIMESTAMP,
    WATERMARK FOR ts AS ts - INTERVAL '1' SECOND)
  WITH (connector = 'file', path = '$work/facts.jsonl');
CREATE MATERIALIZED VIEW dims AS
  SELECT k, v, ts FROM (SELECT k, v, ts,
    ROW_NUMBER() OVER (PARTITION BY k ORDER BY ts DESC) AS rn FROM dims_in) t WHERE rn = 1;
CREATE SINK looked_up AS
  SELECT F.id, F.k, F.v, F.ts, D.v AS dv FROM facts AS F
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
sinks=(near nearest latest same_window looked_up top_per_key top_per_window top_after_join)

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
lookup_matched=$(count_not looked_up '"dv":null')
lookup_unmatched=$(count looked_up '"dv":null')
key_deletes=$(count top_per_key '"_op":"delete"')
window_deletes=$(count top_per_window '"_op":"delete"')
join_top_deletes=$(count top_after_join '"_op":"delete"')
for n in "$near" "$latest" "$asof_matched" "$asof_unmatched" "$window_matched" \
  "$window_unmatched" "$lookup_matched" "$lookup_unmatched" "$key_deletes" "$window_deletes" \
  "$join_top_deletes"; do
  if [ "$n" -lt 500 ]; then
    echo "FAIL the uninterrupted run's interval join wrote $near rows, the inner ASOF join" \
      "$latest; the left ASOF join matched $asof_matched rows ($asof_unmatched not), the window" \
      "join $window_matched ($window_unmatched not), the lookup join $lookup_matched" \
      "($lookup_unmatched not); the top-Ns deleted $key_deletes rows (per key) and" \
      "$window_deletes (per window), $join_top_deletes (after the join): want 500 or more of each"
    exit 1
  fi
done
# The lookup join's answers, against a reference (docs/joins_temporal.md, "Lookup join"): the
# view's changelog (a top-1 by ts DESC: a better row inserted, then the old one deleted), its
# inserts behind the view's watermark late, a delete ending its version at the greatest version
# time so far once the next version comes; each left row not late gets its key's newest version
# at or before its time still valid then.
if ! python3 - "$work/dims.jsonl" "$work/facts.jsonl" "$work/expected.looked_up" <<'PY'; then
import json, sys
SEC = 1000  # the files' times are milliseconds
def with_watermark(path):
    top = None
    for line in open(path):
        row = json.loads(line)
        yield row, (top - SEC if top is not None else None)
        top = row["ts"] if top is None else max(top, row["ts"])
versions, pending, clock, held = [], [], None, {}
for row, wm in with_watermark(sys.argv[1]):
    k, new = row["k"], (row["ts"], row["v"])
    old = held.get(k)
    # ORDER BY ts DESC; equal times by the output columns ascending (v), then arrival.
    if old is not None and not (new[0] > old[0] or (new[0] == old[0] and new[1] < old[1])):
        continue
    held[k] = new
    if wm is None or row["ts"] >= wm:  # the insert: a version, unless late
        clock = row["ts"] if clock is None else max(clock, row["ts"])
        for v in pending:
            v["end"], v["pending"] = clock, False
        pending = []
        versions.append({"k": k, "ts": new[0], "v": new[1], "seq": len(versions), "end": None,
                         "pending": False})
    if old is not None:  # the old row's delete
        mine = [v for v in versions if v["k"] == k and (v["ts"], v["v"]) == old
                and v["end"] is None and not v["pending"]]
        if mine:
            v = max(mine, key=lambda v: v["seq"])
            v["pending"] = True
            pending.append(v)
by_key = {}
for v in versions:
    by_key.setdefault(v["k"], []).append(v)
want = {}
for row, wm in with_watermark(sys.argv[2]):
    if wm is not None and row["ts"] < wm:
        continue
    t = row["ts"]
    valid = [v for v in by_key.get(row["k"], [])
             if v["ts"] <= t and (v["end"] is None or v["end"] > t)]
    want[row["id"]] = max(valid, key=lambda v: (v["ts"], v["seq"]))["v"] if valid else None
got = {}
for line in open(sys.argv[3]):
    row = json.loads(line)
    got[row["id"]] = row["dv"]
if got != want:
    bad = sorted(i for i in set(got) | set(want) if got.get(i, "none") != want.get(i, "none"))
    print("FAIL the lookup join's answers differ from the versions valid at the left rows' times"
          " for %d left rows, e.g. id %d: got %s, want %s"
          % (len(bad), bad[0], got.get(bad[0], "none"), want.get(bad[0], "none")))
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
