// The Nexmark oracle's DuckDB side (oracle.sh runs it): loads the generator's tables from the
// CSV files `sluice run` wrote, runs each query's batch equivalent (duckdb/<query>.sql) over
// them, and compares the result with sluice's output (CSV parts under a directory) as
// multisets of rows.
//
//   node compare.mjs TABLES_DIR QUERIES_DIR QUERY:SLUICE_OUT_DIR[:OTHER_BATCHES_OUT_DIR]...
//                    [proctime:QUERY:SLUICE_OUT_DIR:WINDOW_SECONDS]...
//
// Rows are compared column by column, by position, in the types of DuckDB's answer: sluice's
// text is cast to them, TIMESTAMPs compared as microseconds since 1970, DECIMAL and DOUBLE
// within a relative 1e-9 (AVG and products are summed in another order), everything else
// exactly. A sluice output with an `_op` column (EMIT CHANGES, a changelog) is applied in
// order first: each `delete` removes one equal row inserted before it. With a second output
// directory (the same query over other batches), both must end in exactly the same rows.
// Prints one line per query; exits 1 if any differs.
//
// A processing-time query (proctime:..., Nexmark q12) puts each row into the window of the time
// it was processed, so its windows are not a function of the input and no batch engine can
// reproduce them. What is, is checked: its output is (key, count, starttime, endtime) and
// duckdb/<query>.sql gives (key, count) over the whole input; per key, the counts of all its
// windows add up to DuckDB's (every row counted once, in some window); every window is
// WINDOW_SECONDS long and starts at a multiple of it; no key has the same window twice.
import { DuckDBInstance } from '@duckdb/node-api';
import fs from 'node:fs';
import path from 'node:path';

const [tablesDir, queriesDir, ...checks] = process.argv.slice(2);
const db = await DuckDBInstance.create(':memory:');
const c = await db.connect();

// The generator's schemas (src/connectors/generator/nexmark.cc), so no column is guessed.
const kTables = {
  person: `id BIGINT, name VARCHAR, email_address VARCHAR, credit_card VARCHAR, city VARCHAR,
           state VARCHAR, date_time TIMESTAMP, extra VARCHAR`,
  auction: `id BIGINT, item_name VARCHAR, description VARCHAR, initial_bid BIGINT,
            reserve BIGINT, date_time TIMESTAMP, expires TIMESTAMP, seller BIGINT,
            category BIGINT, extra VARCHAR`,
  bid: `auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR, url VARCHAR,
        date_time TIMESTAMP, extra VARCHAR`,
};

const quote = (s) => `'${s.replaceAll("'", "''")}'`;
const parts = (dir) =>
  fs.existsSync(dir)
    ? fs.readdirSync(dir).filter((f) => /^part-.*\.csv$/.test(f)).sort().map((f) => path.join(dir, f))
    : [];
// A CSV part holds its header even when no row follows; a sink that got no row has no part.
const hasRows = (file) => fs.readFileSync(file, 'utf8').split('\n').filter((l) => l !== '').length > 1;

for (const [table, columns] of Object.entries(kTables)) {
  const files = parts(path.join(tablesDir, table));
  if (files.length === 0) throw new Error(`no CSV parts for table ${table} under ${tablesDir}`);
  const list = `[${files.map(quote).join(', ')}]`;
  const typed = columns.replace(/\s+/g, ' ').split(', ').map((d) => {
    const [n, ...t] = d.trim().split(' ');
    return `${quote(n)}: ${quote(t.join(' '))}`;
  });
  await c.run(`CREATE TABLE ${table} AS SELECT * FROM read_csv(${list}, header = true,
               columns = {${typed.join(', ')}})`);
}

// The three sources were declared separately; they must be one event stream: ids dense from
// 1000, every seller a person registered before the auction, every bid's auction and bidder
// one that exists or will within the next 10 ids (the reference generator's lead).
const kIntegrity = [
  ['person ids dense from 1000', `SELECT min(id) = 1000 AND max(id) - min(id) + 1 = count(DISTINCT id)
                                   AND count(DISTINCT id) = count(*) FROM person`],
  ['auction ids dense from 1000', `SELECT min(id) = 1000 AND max(id) - min(id) + 1 = count(DISTINCT id)
                                    AND count(DISTINCT id) = count(*) FROM auction`],
  ['every seller registered before its auction',
   `SELECT count(*) = 0 FROM auction A LEFT JOIN person P ON A.seller = P.id
    WHERE P.id IS NULL OR P.date_time > A.date_time`],
  ['every bid on an auction opened or among the next 10',
   `SELECT count(*) = 0 FROM bid B WHERE B.auction < 1000 OR B.auction >
      (SELECT coalesce(max(id), 999) FROM auction A WHERE A.date_time <= B.date_time) + 10`],
  ['every bidder registered or among the next 10',
   `SELECT count(*) = 0 FROM bid B WHERE B.bidder < 1000 OR B.bidder >
      (SELECT max(id) FROM person P WHERE P.date_time <= B.date_time) + 10`],
  ['most bids on an auction already open',
   `SELECT count(*) FILTER (WHERE A.id IS NOT NULL) > 0.9 * count(*) FROM bid B
    LEFT JOIN auction A ON B.auction = A.id AND A.date_time <= B.date_time`],
];

// The expression that puts column `name` of type `type` into its compared form.
function normalized(name, type) {
  const col = `"${name.replaceAll('"', '""')}"`;
  if (type.startsWith('TIMESTAMP')) return `epoch_us(CAST(${col} AS TIMESTAMP))`;
  if (type.startsWith('DECIMAL') || type === 'DOUBLE' || type === 'FLOAT') return `CAST(${col} AS DOUBLE)`;
  if (/INT/.test(type)) return `CAST(${col} AS BIGINT)`;
  if (type === 'BOOLEAN') return `CAST(${col} AS BOOLEAN)`;
  return `CAST(${col} AS VARCHAR)`;
}

const isDouble = (type) => type.startsWith('DECIMAL') || type === 'DOUBLE' || type === 'FLOAT';
const show = (row) => JSON.stringify(row, (_, v) => (typeof v === 'bigint' ? v.toString() : v));

function sameValue(a, b, double) {
  if (a === null || b === null) return a === b;
  if (double) return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
  return a === b;
}

// Sorts rows by every column, as ORDER BY ALL would (NULLs first).
function byAll(a, b) {
  for (let i = 0; i < a.length; ++i) {
    if (a[i] === b[i]) continue;
    if (a[i] === null) return -1;
    if (b[i] === null) return 1;
    return a[i] < b[i] ? -1 : 1;
  }
  return 0;
}

// Sluice's rows in an output directory, in their compared form (changelog applied), or an
// error as text.
async function sluiceRows(outDir, names, types) {
  const files = parts(outDir).filter(hasRows);
  if (files.length === 0) return [];
  await c.run(`CREATE OR REPLACE TEMP TABLE actual AS SELECT * FROM
               read_csv([${files.map(quote).join(', ')}], header = true, all_varchar = true)`);
  const got = (await c.runAndReadAll('DESCRIBE actual')).getRows().map((r) => r[0]);
  const changelog = got.length === names.length + 1 && got[got.length - 1] === '_op';
  const data = changelog ? got.slice(0, -1) : got;
  if (data.length !== names.length) {
    return `${data.length} columns (${data.join(', ')}), DuckDB has ${names.length} (${names.join(', ')})`;
  }
  const select = data.map((n, i) => normalized(n, types[i])).join(', ');
  const rows = (await c.runAndReadAll(
    `SELECT ${select}${changelog ? ', "_op"' : ''} FROM actual`)).getRows();
  if (!changelog) return rows;
  // Applied in order; rows compared exactly here (a delete repeats its insert's text).
  const live = new Map();
  for (const row of rows) {
    const op = row.pop();
    const key = show(row);
    const same = live.get(key) ?? [];
    if (op === 'delete') {
      if (same.length === 0) return `a delete of a row never inserted: ${key}`;
      same.pop();
    } else {
      same.push(row);
    }
    live.set(key, same);
  }
  return [...live.values()].flat();
}

async function check(query, outDir, otherDir) {
  const sql = fs.readFileSync(path.join(queriesDir, `${query}.sql`), 'utf8');
  await c.run(`CREATE OR REPLACE TEMP VIEW expected AS ${sql}`);
  const described = (await c.runAndReadAll('DESCRIBE expected')).getRows();
  const names = described.map((r) => r[0]);
  const types = described.map((r) => String(r[1]));
  const expected = (await c.runAndReadAll(
    `SELECT ${names.map((n, i) => normalized(n, types[i])).join(', ')} FROM expected`)).getRows();
  const actual = await sluiceRows(outDir, names, types);
  if (typeof actual === 'string') return actual;
  if (otherDir) {
    // Another batching must end in exactly the same rows (a changelog's intermediate
    // updates may differ; what they end in may not).
    const other = await sluiceRows(otherDir, names, types);
    if (typeof other === 'string') return `${otherDir}: ${other}`;
    const a = actual.map(show).sort(), b = other.map(show).sort();
    const i = a.findIndex((r, k) => r !== b[k]);
    if (a.length !== b.length || i >= 0) {
      return `${outDir} and ${otherDir} (other batches) differ: ${a.length} and ${b.length} rows` +
             (i >= 0 ? `, first ${a[i]} against ${b[i]}` : '');
    }
  }
  expected.sort(byAll);
  actual.sort(byAll);
  const doubles = types.map(isDouble);
  const shown = [];
  let differ = 0;
  for (let i = 0; i < Math.max(expected.length, actual.length); ++i) {
    const e = expected[i], a = actual[i];
    if (e && a && e.every((v, k) => sameValue(v, a[k], doubles[k]))) continue;
    ++differ;
    if (shown.length < 5) shown.push(`  row ${i}: sluice ${a ? show(a) : '(none)'}, DuckDB ${e ? show(e) : '(none)'}`);
  }
  if (differ === 0 && expected.length === 0) return 'DuckDB\'s answer is empty: the input shows nothing';
  if (differ === 0) return { rows: expected.length };
  return `${actual.length} rows from sluice, ${expected.length} from DuckDB, ${differ} differ ` +
         `(sorted, columns ${names.join(', ')}):\n${shown.join('\n')}`;
}

async function checkProcessingTime(query, outDir, windowSeconds) {
  const sql = fs.readFileSync(path.join(queriesDir, `${query}.sql`), 'utf8');
  await c.run(`CREATE OR REPLACE TEMP VIEW expected AS ${sql}`);
  const files = parts(outDir).filter(hasRows);
  if (files.length === 0) return 'sluice wrote no rows';
  await c.run(`CREATE OR REPLACE TEMP TABLE actual AS SELECT * FROM
               read_csv([${files.map(quote).join(', ')}], header = true, all_varchar = true)`);
  const got = (await c.runAndReadAll('DESCRIBE actual')).getRows().map((r) => `"${r[0]}"`);
  if (got.length !== 4) return `${got.length} columns, not (key, count, starttime, endtime)`;
  await c.run(`CREATE OR REPLACE TEMP TABLE windows AS SELECT CAST(${got[0]} AS BIGINT) AS k,
               CAST(${got[1]} AS BIGINT) AS n, epoch_us(CAST(${got[2]} AS TIMESTAMP)) AS s,
               epoch_us(CAST(${got[3]} AS TIMESTAMP)) AS e FROM actual`);
  const size = BigInt(windowSeconds) * 1000000n;
  const one = async (q) => (await c.runAndReadAll(q)).getRows()[0];
  const [bad] = await one(`SELECT count(*) FROM windows WHERE e - s <> ${size} OR s % ${size} <> 0`);
  if (bad !== 0n) return `${bad} windows are not ${windowSeconds} s long and aligned`;
  const [twice] = await one(`SELECT count(*) FROM (SELECT k, s FROM windows GROUP BY k, s
                             HAVING count(*) > 1)`);
  if (twice !== 0n) return `${twice} (key, window) pairs come more than once`;
  const [windows] = await one('SELECT count(*) FROM windows');
  const [key, count] = (await c.runAndReadAll('DESCRIBE expected')).getRows().map((r) => `"${r[0]}"`);
  const [differ, expectedKeys] = await one(`SELECT count(*) FILTER (WHERE t.n IS DISTINCT FROM
      x.n), count(x.k) FROM (SELECT k, sum(n) AS n FROM windows GROUP BY k) t
      FULL JOIN (SELECT CAST(${key} AS BIGINT) AS k, CAST(${count} AS BIGINT) AS n
                 FROM expected) x ON t.k = x.k`);
  if (differ !== 0n) return `${differ} keys' totals over their windows differ from DuckDB's`;
  return { windows, keys: expectedKeys };
}

let failed = 0;
for (const [what, sql] of kIntegrity) {
  const holds = (await c.runAndReadAll(sql)).getRows()[0][0] === true;
  if (!holds) ++failed;
  console.log(`${holds ? 'ok  ' : 'FAIL'} tables: ${what}`);
}
for (const arg of checks) {
  if (arg.startsWith('proctime:')) {
    const [, query, outDir, windowSeconds] = arg.split(':');
    const result = await checkProcessingTime(query, outDir, windowSeconds);
    if (typeof result === 'string') {
      ++failed;
      console.log(`FAIL ${query}: ${result}`);
    } else {
      console.log(`ok   ${query}: ${result.windows} processing-time windows of ${result.keys} ` +
                  `keys, each key's total equal to DuckDB's count`);
    }
    continue;
  }
  const [query, outDir, otherDir] = arg.split(':');
  const result = await check(query, outDir, otherDir);
  if (typeof result === 'string') {
    ++failed;
    console.log(`FAIL ${query}: ${result}`);
  } else {
    console.log(`ok   ${query}: ${result.rows} rows equal to DuckDB's`);
  }
}
process.exit(failed ? 1 : 0);
