// The ad-hoc join oracle's DuckDB side (oracle.sh runs it): loads the views' rows from the
// CSVs queries.py wrote, runs each query of queries.json in DuckDB and compares its answer
// with sluice's: as multisets of rows, or in order when the query's ORDER BY sorts totally
// (the ones that say ORDER BY). Values are compared as text (integers of any width alike),
// NULL as NULL. Prints one line per differing query; exits 1 if any differs.
//
//   node compare.mjs RUN_DIR
import { DuckDBInstance } from '@duckdb/node-api';
import fs from 'node:fs';
import path from 'node:path';

const [runDir] = process.argv.slice(2);
const db = await DuckDBInstance.create(':memory:');
const c = await db.connect();

for (const view of ['av', 'bv', 'cv']) {
  const file = path.join(runDir, `${view}.csv`).replaceAll("'", "''");
  await c.run(`CREATE TABLE ${view} AS SELECT * FROM read_csv('${file}', header = true,
               columns = {'id': 'BIGINT', 'k': 'BIGINT', 'v': 'BIGINT', 's': 'VARCHAR'})`);
}

const text = (v) => (v === null || v === undefined ? null : v.toString());
const key = (row) => JSON.stringify(row.map(text));
const queries = JSON.parse(fs.readFileSync(path.join(runDir, 'queries.json'), 'utf8'));
let failed = 0;
let rows = 0;
for (const q of queries) {
  const expected = (await c.runAndReadAll(q.sql)).getRows().map(key);
  const actual = q.rows.map(key);
  rows += actual.length;
  const ordered = /ORDER BY/i.test(q.sql);
  const same = ordered
    ? expected.length === actual.length && expected.every((r, i) => r === actual[i])
    : expected.length === actual.length &&
      JSON.stringify([...expected].sort()) === JSON.stringify([...actual].sort());
  if (!same) {
    failed++;
    const missing = expected.filter((r) => !actual.includes(r)).slice(0, 5);
    const extra = actual.filter((r) => !expected.includes(r)).slice(0, 5);
    console.log(`DIFFERS: ${q.sql}\n  duckdb ${expected.length} rows, sluice ${actual.length}` +
                `\n  only in duckdb: ${missing.join(' ')}\n  only in sluice: ${extra.join(' ')}`);
  }
}
console.log(`${queries.length - failed}/${queries.length} queries agree with DuckDB (${rows} rows)`);
process.exit(failed ? 1 : 0);
