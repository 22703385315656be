#!/usr/bin/env bash
# A baseline for Nexmark q5's windowed half (bench/nexmark.cc, q5-agg): DuckDB computes the
# same aggregation — bids per auction over HOP(date_time, 2 s, 10 s) — over the same bids, as
# one batch query on one thread. Not part of the tests; needs node and npm.
#
#   bench/duckdb_q5.sh [EVENTS]      (default 10000000, as `bench/nexmark --events`)
#
# 1. `sluice run` writes the generator's bids (the nexmark connector, the same events the
#    benchmark's q5-agg reads) to CSV with the file sink.
# 2. @duckdb/node-api (installed under $WORK, default /tmp/sluice-duckdb) loads them into a
#    table (not timed), then times the aggregation with `SET threads = 1`: every bid counted in
#    each of the five 10 s windows, starting every 2 s, that hold it, as HOP does.
# It prints DuckDB's bids per second and per CPU-second and its groups (the same as q5-agg's
# rows out); compare with q5-agg's events per CPU-second (bids are 92% of the events).
set -euo pipefail
EVENTS=${1:-10000000}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SLUICE=${SLUICE:-$ROOT/build/release/tools/sluice}
WORK=${WORK:-/tmp/sluice-duckdb}
mkdir -p "$WORK"
rm -rf "$WORK/bids" "$WORK/bids.sql"
cat > "$WORK/bids.sql" <<SQL
CREATE SOURCE bid WITH (connector = 'nexmark', table = 'bid', limit = '$EVENTS');
CREATE SINK bids AS SELECT auction, date_time FROM bid
  INTO file (path = '$WORK/bids', format = 'csv', rolling.size = '4294967296');
SQL
"$SLUICE" run "$WORK/bids.sql" > /dev/null
if [ ! -d "$WORK/node_modules/@duckdb/node-api" ]; then
  (cd "$WORK" && npm install --silent --no-audit --no-fund @duckdb/node-api@1.5.6-r.1 > /dev/null)
fi
cat > "$WORK/q5.mjs" <<'JS'
import { DuckDBInstance } from '@duckdb/node-api';
const dir = process.argv[2];
const db = await DuckDBInstance.create(':memory:');
const c = await db.connect();
await c.run('SET threads = 1');
// Event time as microseconds (BIGINT), as sluice holds TIMESTAMP; the load is not timed.
await c.run(`CREATE TABLE bid AS SELECT auction, epoch_us(date_time) AS ts
             FROM read_csv('${dir}/part-*.csv', header = true)`);
const bids = Number((await (await c.runAndReadAll('SELECT count(*) FROM bid')).getRows())[0][0]);
// HOP(date_time, 2 s, 10 s): the five windows [s, s + 10 s), s a multiple of 2 s, holding a bid.
const q5 = `SELECT count(*) FROM (
  SELECT auction, w AS window_start, count(*) AS bids
  FROM (SELECT auction, (ts // 2000000 - k) * 2000000 AS w FROM bid, range(5) t(k))
  GROUP BY auction, w)`;
// CPU time as well as wall time: on a shared machine the wall time includes waiting.
const t0 = process.hrtime.bigint();
const cpu0 = process.cpuUsage();
const groups = Number((await (await c.runAndReadAll(q5)).getRows())[0][0]);
const s = Number(process.hrtime.bigint() - t0) / 1e9;
const used = process.cpuUsage(cpu0);
const cpu = (used.user + used.system) / 1e6;
console.log(`DuckDB 1.5.6, 1 thread: ${bids} bids, ${groups} groups in ${s.toFixed(3)} s ` +
            `(${cpu.toFixed(3)} CPU-s): ${(bids / s / 1e6).toFixed(2)} M bids/s, ` +
            `${(bids / cpu / 1e6).toFixed(2)} M bids/CPU-s`);
JS
cd "$WORK" && node q5.mjs "$WORK/bids"
