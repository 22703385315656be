#!/usr/bin/env bash
# The exactly-once proof: a pipeline with replayable sources (a datagen generator and a
# JSON-lines file) feeding a pass-through stream, a filtered stream, a windowed aggregate and
# a keyed aggregate of 120,000 live groups (a materialized view: the checkpoints carry the
# aggregate's groups and the view's table, captured on the compute thread and written by the
# checkpoint thread), an interval join of two out-of-order files (late rows on both sides:
# its state is pruned by both watermarks) and a regular join of a file with the generator
# (its state holds both inputs) into exactly-once file sinks, and a pass-through and an EMIT CHANGES aggregate into
# exactly-once PostgreSQL sinks (append, and upsert with deletes), runs in a child
# `sluice run --data-dir`. The child is killed
# with SIGKILL, at random moments and at named fault points (SLUICE_FAULT: the process kills
# itself there), restarted on the same data_dir, killed again... until it finishes. Then every
# sink's output must equal that of an uninterrupted run, row for row: nothing lost, nothing
# twice, the same aggregates; PostgreSQL holds no prepared transaction. Rounds repeat until at
# least KILLS kills have happened. The script starts its own PostgreSQL (tools/pg_tmp.sh).
#
# Usage: crash_test.sh PATH_TO_SLUICE [KILLS]   (default 30; CRASH_KILLS=N overrides, e.g.
# CRASH_KILLS=500 for a soak run).
set -u
exec 3>&2 2>/dev/null  # bash reports every killed child on stderr; the test reports on stdout
sluice=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
target=${CRASH_KILLS:-${2:-30}}
work=$(mktemp -d)
pg_tmp=$(cd "$(dirname "$0")/../../tools" && pwd)/pg_tmp.sh
# shellcheck source=tests/integration/crash_rounds.sh
. "$(dirname "$0")/crash_rounds.sh"  # jittered, uninterrupted_run, crash_rounds
pg_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
trap '"$pg_tmp" destroy "$work/pg"; rm -rf "$work"' EXIT
if ! "$pg_tmp" start "$work/pg" "$pg_port" 2>&3; then
  echo "FAIL cannot start PostgreSQL"
  exit 1
fi
pg_dsn="host=127.0.0.1 port=$pg_port user=postgres dbname=postgres"
psql_at() { psql "$pg_dsn" -X -q -At -c "$1"; }

# The input file: 40,000 lines, some of them filtered out by the sink's WHERE.
python3 - "$work/lines.jsonl" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    for i in range(40000):
        f.write('{"id": %d, "word": "w%d", "v": %d}\n' % (i, i % 97, (i * 7919) % 1000))
PY
# Two out-of-order inputs on one clock (late rows on both sides), other keys and values.
jittered "$work/jitter.jsonl" 11 30000 40 v
jittered "$work/probes.jsonl" 12 10000 120 p

pipeline() {  # output directory, PostgreSQL schema
  cat <<SQL
CREATE SOURCE events (id BIGINT NOT NULL, k BIGINT, ts TIMESTAMP NOT NULL,
    WATERMARK FOR ts AS ts - INTERVAL '0' SECOND)
  WITH (connector = 'datagen', limit = '60000', rate = '20000',
        'fields.id.kind' = 'sequence', 'fields.k.min' = '0', 'fields.k.max' = '16',
        'fields.ts.kind' = 'sequence', 'fields.ts.step' = '10');
CREATE SOURCE wide (id BIGINT NOT NULL)
  WITH (connector = 'datagen', limit = '240000', rate = '100000', 'fields.id.kind' = 'sequence');
CREATE MATERIALIZED VIEW per_key AS
  SELECT id % 120000 AS g, COUNT(*) AS n, SUM(id) AS total FROM wide GROUP BY id % 120000;
CREATE SINK keyed FROM per_key INTO file (path = '$1/keyed', delivery = 'exactly-once');
CREATE SOURCE lines (id BIGINT, word VARCHAR, v BIGINT)
  WITH (connector = 'file', path = '$work/lines.jsonl');
CREATE SOURCE jitter (k BIGINT, v BIGINT, ts TIMESTAMP,
    WATERMARK FOR ts AS ts - INTERVAL '1' SECOND)
  WITH (connector = 'file', path = '$work/jitter.jsonl');
CREATE SINK late_hop AS
  SELECT k, window_start, COUNT(*) AS n, SUM(v) AS total FROM jitter
  GROUP BY k, HOP(ts, INTERVAL '1' SECOND, INTERVAL '3' SECOND)
  INTO file (path = '$1/late_hop', delivery = 'exactly-once');
CREATE SINK late_sessions AS
  SELECT k, window_start, window_end, COUNT(*) AS n FROM jitter
  GROUP BY k, SESSION(ts, INTERVAL '300' MILLISECOND)
  INTO file (path = '$1/late_sessions', delivery = 'exactly-once');
CREATE SOURCE probes (k BIGINT, p BIGINT, ts TIMESTAMP,
    WATERMARK FOR ts AS ts - INTERVAL '1' SECOND)
  WITH (connector = 'file', path = '$work/probes.jsonl');
CREATE SINK near AS
  SELECT J.k, J.v, P.p, J.ts, P.ts AS probe_ts FROM jitter AS J JOIN probes AS P
    ON J.k = P.k AND P.ts BETWEEN J.ts - INTERVAL '50' MILLISECOND AND J.ts + INTERVAL '50' MILLISECOND
  INTO file (path = '$1/near', delivery = 'exactly-once');
CREATE SINK matched AS
  SELECT L.id, L.word, E.k, E.ts FROM lines AS L JOIN events AS E ON L.id = E.id
  WHERE L.v >= 900
  INTO file (path = '$1/matched', delivery = 'exactly-once');
CREATE SINK raw FROM events INTO file (path = '$1/raw', delivery = 'exactly-once');
CREATE SINK per_second AS
  SELECT k, window_start, COUNT(*) AS n, SUM(id) AS total, MAX(id) AS top
  FROM events GROUP BY k, TUMBLE(ts, INTERVAL '1' SECOND)
  INTO file (path = '$1/per_second', delivery = 'exactly-once');
CREATE SINK big FROM lines WHERE v >= 500 INTO file (path = '$1/big', delivery = 'exactly-once');
CREATE SINK pg_raw FROM events
  INTO postgres (dsn = '$pg_dsn', schema = '$2', table = 'raw', delivery = 'exactly-once');
CREATE SINK pg_totals AS
  SELECT k, COUNT(*) AS n, SUM(id) AS total FROM events GROUP BY k
  HAVING COUNT(*) % 5 <> 0 EMIT CHANGES
  INTO postgres (dsn = '$pg_dsn', schema = '$2', table = 'totals', mode = 'upsert',
                 primary.key = 'k', delivery = 'exactly-once');
SQL
}

signature() {  # output directory, schema, sink → sorted rows
  case "$3" in
    pg_raw) psql_at "COPY (SELECT * FROM \"$2\".raw ORDER BY id) TO STDOUT" ;;
    pg_totals) psql_at "COPY (SELECT * FROM \"$2\".totals ORDER BY k) TO STDOUT" ;;
    *) cat "$1/$3"/part-* 2>/dev/null | sort ;;
  esac
}
sinks=(raw per_second big late_hop late_sessions keyed near matched pg_raw pg_totals)
uninterrupted_run
rows=$(wc -l <"$work/expected.raw")
big=$(wc -l <"$work/expected.big")
pg_rows=$(wc -l <"$work/expected.pg_raw")
keyed=$(wc -l <"$work/expected.keyed")
near=$(wc -l <"$work/expected.near")
matched=$(wc -l <"$work/expected.matched")
if [ "$rows" -ne 60000 ] || [ "$big" -ne 20000 ] || [ "$pg_rows" -ne 60000 ] ||
  [ "$keyed" -ne 240000 ] || [ "$near" -lt 1000 ] || [ "$matched" -ne 4000 ]; then
  echo "FAIL the uninterrupted run wrote $rows rows to raw, $pg_rows to pg_raw (want 60000)," \
    "$big to big (want 20000), $keyed to keyed (want 240000), $near to near (want 1000 or" \
    "more) and $matched to matched (want 4000)"
  exit 1
fi
echo "uninterrupted: $near rows from the interval join, $matched from the regular join"

round_checks() {  # round
  local prepared
  prepared=$(psql_at "SELECT count(*) FROM pg_prepared_xacts")
  if [ "$prepared" != "0" ]; then
    echo "FAIL round $1: PostgreSQL holds $prepared prepared transactions"
    failures=$((failures + 1))
  fi
}
crash_rounds
echo "ok   every sink holds exactly the uninterrupted run's rows after $kills SIGKILLs"
