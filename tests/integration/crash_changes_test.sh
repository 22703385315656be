#!/usr/bin/env bash
# Exactly-once under SIGKILL for the operators over changes and the OVER frames (issue 19), a
# sibling of crash_join_test.sh in its manner (crash_rounds.sh): a top-1 per auction (the
# highest bid, a change stream) aggregated again per category with COUNT/SUM/AVG/MIN/MAX/
# COUNT(DISTINCT) (Nexmark q4's shape), an OVER frame over the same top-1's changes (q6's
# shape: as changes), and an OVER frame on the watermark over an append-only input out of order
# within its delay, each into an exactly-once file sink, in a child `sluice run --data-dir`
# killed at random moments and at named fault points and restarted until it finishes. Then every
# sink's output must equal that of an uninterrupted run (signature(), below, says how each is
# compared).
#
# Its own script, not more sinks in crash_join_test.sh: that one's inputs take about a second
# to go through, and these take about as long again (0.8-1.0 s, load 5: large, so that they
# still flow at most kills), which together would make each round twice as long; apart, each
# stays well under two minutes.
# (Checked: with the restore made to drop the OVER frame's rows, as changes or on the
# watermark, or its rows waiting for the watermark, or the aggregate's groups, or to read each
# MIN/MAX/COUNT(DISTINCT) value as held by one row, this test fails in every round.)
#
# Usage: crash_changes_test.sh PATH_TO_SLUICE [KILLS]   (default 30; CRASH_KILLS=N overrides)
set -u
exec 3>&2 2>/dev/null  # bash reports every killed child on stderr; the test reports on stdout
sluice=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
target=${CRASH_KILLS:-${2:-30}}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# shellcheck source=tests/integration/crash_rounds.sh
. "$(dirname "$0")/crash_rounds.sh"  # jittered, uninterrupted_run, crash_rounds

# The OVER frame on the watermark's input: out of order within the delay, some rows late.
jitter_rows=200000
jittered "$work/jitter.jsonl" 31 "$jitter_rows" 8 v

# Bids on auctions that open and close throughout the file (so the top-1 changes after every
# restart, and keeps changing the per-category aggregates), 7 categories, event times in order
# (the top-1 and what is over it do not need a watermark). The frame over changes is ordered by
# auction where q6 orders by time: the top-1 holds one row per auction, so no two rows tie. Prices repeat often (0-199), so
# COUNT(DISTINCT) and MIN/MAX meet equal values, and a bid can tie the auction's best one.
python3 - "$work/bids.jsonl" <<'PY'
import random, sys
rng = random.Random(32)
clock = 1_700_000_000_000
open_auctions, next_auction = [], 0
with open(sys.argv[1], "w") as f:
    for i in range(250000):
        clock += rng.randrange(5)
        if not open_auctions or rng.randrange(20) == 0:
            open_auctions.append(next_auction)
            next_auction += 1
        if len(open_auctions) > 30 and rng.randrange(2) == 0:
            open_auctions.pop(rng.randrange(len(open_auctions)))
        a = rng.choice(open_auctions)
        f.write('{"auction": %d, "category": %d, "price": %d, "ts": %d}\n'
                % (a, a % 7, rng.randrange(200), clock))
PY

pipeline() {  # output directory
  cat <<SQL
CREATE SOURCE bids (auction BIGINT, category BIGINT, price BIGINT, ts TIMESTAMP)
  WITH (connector = 'file', path = '$work/bids.jsonl');
CREATE STREAM best AS
  SELECT auction, category, price, ts FROM bids
  QUALIFY ROW_NUMBER() OVER (PARTITION BY auction ORDER BY price DESC) = 1;
CREATE SINK per_category AS
  SELECT category, COUNT(*) AS n, SUM(price) AS total, AVG(price) AS mean, MIN(price) AS lo,
         MAX(price) AS hi, COUNT(DISTINCT price) AS prices
  FROM best GROUP BY category
  INTO file (path = '$1/per_category', delivery = 'exactly-once');
CREATE SINK recent_best AS
  SELECT auction, category, price,
         AVG(price) OVER (PARTITION BY category ORDER BY auction
                          ROWS BETWEEN 3 PRECEDING AND CURRENT ROW) AS mean,
         MAX(price) OVER (PARTITION BY category ORDER BY auction ROWS 1 PRECEDING) AS hi,
         COUNT(*) OVER (PARTITION BY category ORDER BY auction ROWS 3 PRECEDING) AS n
  FROM best
  INTO file (path = '$1/recent_best', delivery = 'exactly-once');
CREATE SOURCE jitter (k BIGINT, v BIGINT, ts TIMESTAMP,
    WATERMARK FOR ts AS ts - INTERVAL '1' SECOND)
  WITH (connector = 'file', path = '$work/jitter.jsonl');
CREATE SINK moving AS
  SELECT k, v, ts,
         SUM(v) OVER (PARTITION BY k ORDER BY ts ROWS BETWEEN 4 PRECEDING AND CURRENT ROW) AS s,
         AVG(v) OVER (PARTITION BY k ORDER BY ts ROWS 4 PRECEDING) AS mean,
         MIN(v) OVER (PARTITION BY k ORDER BY ts ROWS 2 PRECEDING) AS lo,
         MAX(v) OVER (PARTITION BY k ORDER BY ts ROWS 2 PRECEDING) AS hi,
         COUNT(*) OVER (PARTITION BY k ORDER BY ts ROWS 4 PRECEDING) AS n
  FROM jitter
  INTO file (path = '$1/moving', delivery = 'exactly-once');
SQL
}

# Apply a change stream (stdin: JSON lines with "_op") to a table of rows, failing on a delete
# of a row not there (a change lost or repeated); print the rows left, sorted.
applied() {
  python3 -c '
import collections, json, sys
live = collections.Counter()
for line in sys.stdin:
    row = json.loads(line)
    op = row.pop("_op")
    key = json.dumps(row, sort_keys=True)
    if op == "insert":
        live[key] += 1
    elif live[key] == 0:
        print("BAD delete of a row not there: " + key)
    else:
        live[key] -= 1
for key in sorted(live.elements()):
    print(key)
'
}

signature() {  # output directory, (schema), sink → its rows as compared
  case "$3" in
    # The aggregate applies its input's changes one at a time but emits a group's change once a
    # batch (src/dataflow/aggregate_retract.cc), so its change stream depends on where the
    # batches end, which a restart moves: what is compared is the table the stream builds (each
    # delete must find its row) — the groups' final rows.
    per_category) cat "$1/$3"/part-* 2>/dev/null | applied ;;
    # The OVER frame as changes emits each input change's outputs as it comes, and the top-1's
    # changes come in its input's order (dataflow/over_operator.h, top_n_operator.h); the
    # exactly-once file sink writes each committed epoch's rows once, in order (part-<epoch>):
    # so the exact change stream is compared, in order.
    recent_best) cat "$1/$3"/part-* 2>/dev/null ;;
    # On the watermark, the rows one watermark releases go out partition by partition: how far
    # the watermark moves per batch orders the partitions' rows, so the rows are compared sorted
    # (each is emitted once, never changed).
    moving) cat "$1/$3"/part-* 2>/dev/null | sort ;;
  esac
}
sinks=(per_category recent_best moving)

uninterrupted_run
# Each operator must have done its work, or equal outputs would prove little: the aggregate took
# back rows (its input's deletes) and holds every category, the frame over changes took back
# outputs, the frame on the watermark emitted rows and dropped late ones.
agg_changes=$(cat "$work/expected/per_category"/part-* | wc -l)
agg_deletes=$(cat "$work/expected/per_category"/part-* | grep -c '"_op":"delete"')
categories=$(wc -l <"$work/expected.per_category")
frame_deletes=$(grep -c '"_op":"delete"' "$work/expected.recent_best")
moving=$(wc -l <"$work/expected.moving")
if grep -q '^BAD' "$work/expected.per_category" || [ "$categories" -ne 7 ] ||
  [ "$agg_deletes" -lt 30 ] || [ "$frame_deletes" -lt 500 ] || [ "$moving" -lt $((jitter_rows / 2)) ] ||
  [ "$moving" -ge "$jitter_rows" ]; then
  echo "FAIL the uninterrupted run's aggregate over changes wrote $agg_changes changes" \
    "($agg_deletes deletes) ending in $categories groups (want 7, 30 or more deletes), the" \
    "frame over changes $frame_deletes deletes (want 500 or more), the frame on the" \
    "watermark $moving rows (want from half of its $jitter_rows input rows to all but the late ones)"
  head -3 "$work/expected.per_category"
  exit 1
fi
echo "uninterrupted: the aggregate over changes wrote $agg_changes changes ($agg_deletes" \
  "deletes), the frame over changes $(wc -l <"$work/expected.recent_best") ($frame_deletes" \
  "deletes), the frame on the watermark $moving rows"

crash_rounds
echo "ok   the aggregate over changes' and the OVER frames' sinks hold exactly the" \
  "uninterrupted run's rows after $kills SIGKILLs"
