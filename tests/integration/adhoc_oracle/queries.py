#!/usr/bin/python3
"""The sluice side of the ad-hoc join oracle (oracle.sh): a `sluice serve` on 127.0.0.1 with
three materialized views (av, bv, cv) of random rows, the rows written to CSV for DuckDB, and
ad-hoc SELECTs (joins, subqueries, WITH, UNION ALL; fixed and random) run through
POST /api/v1/sql, their answers written to queries.json. Usage: queries.py SLUICE OUT_DIR"""

import csv
import json
import os
import random
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from server_test import DEADLINE, Serve  # noqa: E402  (reads SLUICE from argv[1], as here)

OUT = os.path.abspath(sys.argv[2])
SEED = 19
ROWS = {"a": 300, "b": 200, "c": 60}
KEYS = 12  # keys 0..11, and NULL: joins match many-to-many

rng = random.Random(SEED)


def maybe_null(value, p=0.1):
    return None if rng.random() < p else value


def make_rows(name, n):
    rows = []
    for i in range(n):
        rows.append({"id": i, "k": maybe_null(rng.randrange(KEYS)),
                     "v": maybe_null(rng.randrange(-50, 50)),
                     "s": maybe_null(rng.choice(["x", "y", "z", "w"]))})
    return rows


def random_join_query():
    """A random two- or three-way join of the views, with PostgreSQL's meaning."""
    sides = rng.sample(["av", "bv", "cv"], rng.choice([2, 2, 3]))
    names = ["t0", "t1", "t2"][:len(sides)]
    text = f"{sides[0]} {names[0]}"
    for i in range(1, len(sides)):
        kind = rng.choice(["JOIN", "LEFT JOIN"])
        on = [f"{names[rng.randrange(i)]}.k = {names[i]}.k"]
        if rng.random() < 0.4:
            on.append(f"{names[rng.randrange(i)]}.v {rng.choice(['<', '>=', '<>'])} {names[i]}.v")
        if rng.random() < 0.3:
            on.append(f"{names[i]}.s <> '{rng.choice(['x', 'y'])}'")
        text += f" {kind} {sides[i]} {names[i]} ON {' AND '.join(on)}"
    where = ""
    if rng.random() < 0.4:
        where = f" WHERE {rng.choice(names)}.v {rng.choice(['>', '<'])} {rng.randrange(-20, 20)}"
    if rng.random() < 0.4:
        # An aggregate over the join (a left join's NULL rows retracted as matches come).
        g = rng.choice(names)
        return (f"SELECT {g}.s AS g, COUNT(*) AS n, COUNT({names[-1]}.v) AS nv, "
                f"SUM({names[0]}.v) AS total, MIN({names[-1]}.id) AS low "
                f"FROM {text}{where} GROUP BY {g}.s")
    cols = ", ".join(f"{n}.id AS {n}_id, {n}.v AS {n}_v" for n in names)
    return f"SELECT {cols} FROM {text}{where}"


FIXED = [
    "SELECT a.id, b.id AS b_id FROM av a JOIN bv b ON a.k = b.k",
    "SELECT a.id, b.id AS b_id, b.s FROM av a LEFT JOIN bv b ON a.k = b.k AND b.v > a.v",
    "SELECT a.id, b.id AS b_id, c.id AS c_id FROM av a LEFT JOIN bv b ON a.k = b.k "
    "LEFT JOIN cv c ON b.k = c.k AND c.s = b.s",
    "SELECT DISTINCT a.k, b.s FROM av a JOIN bv b ON a.k = b.k",
    "SELECT a.s, COUNT(*) AS n, COUNT(b.id) AS matched FROM av a LEFT JOIN bv b ON a.k = b.k GROUP BY a.s",
    "SELECT COUNT(*) AS n FROM av a JOIN cv c ON a.k = c.k AND a.v = c.v + 1000",
    "SELECT t.k, t.total, c.id FROM (SELECT k, SUM(v) AS total FROM av GROUP BY k) AS t "
    "JOIN cv c ON t.k = c.k",
    "WITH hi AS (SELECT id, k FROM bv WHERE v > 0) SELECT a.id, hi.id AS hi_id FROM av a "
    "JOIN hi ON a.k = hi.k WHERE a.v < 0",
    "SELECT * FROM (SELECT k, v FROM av UNION ALL SELECT k, v FROM cv) AS u WHERE k IS NOT NULL",
    "SELECT u.k, COUNT(*) AS n FROM (SELECT k FROM av UNION ALL SELECT k FROM bv) AS u "
    "LEFT JOIN cv c ON u.k = c.k GROUP BY u.k",
    "SELECT a.id, b.id AS b_id FROM av a JOIN bv b ON a.k = b.k ORDER BY a.id, b.id LIMIT 25 OFFSET 5",
    "SELECT a.id, b.s FROM av a LEFT JOIN bv b ON a.k = b.k "
    "ORDER BY b.s NULLS FIRST, a.id DESC, b.id LIMIT 40",
    "SELECT k, v FROM av UNION ALL SELECT k, v FROM cv ORDER BY v DESC NULLS FIRST, k LIMIT 30 OFFSET 3",
]


def main():
    os.makedirs(OUT, exist_ok=True)
    data = os.path.join(OUT, "data")
    srv = Serve(OUT, "--data-dir", data)
    try:
        token = open(os.path.join(data, "server.token")).read().strip()

        def sql(statement):
            status, body, _ = srv.sql(statement, token)
            if status != 200:
                raise RuntimeError(f"{statement}\n-> {status} {body}")
            return json.loads(body)

        for t in ROWS:
            sql(f"CREATE SOURCE {t} (id BIGINT, k BIGINT, v BIGINT, s VARCHAR); "
                f"CREATE MATERIALIZED VIEW {t}v AS SELECT id, k, v, s FROM {t}")
        for t, n in ROWS.items():
            rows = make_rows(t, n)
            with open(os.path.join(OUT, f"{t}v.csv"), "w", newline="") as f:
                w = csv.writer(f)
                w.writerow(["id", "k", "v", "s"])
                for r in rows:
                    w.writerow(["" if r[c] is None else r[c] for c in ("id", "k", "v", "s")])
            body = "".join(json.dumps(r) + "\n" for r in rows)
            status, answer, _ = srv.request("POST", f"/api/v1/sources/{t}/rows", body, token)
            if status != 200:
                raise RuntimeError(f"push {t}: {status} {answer}")
        # Every pushed row in its view before the queries (bounded wait).
        end = time.monotonic() + DEADLINE
        for t, n in ROWS.items():
            while sql(f"SELECT COUNT(*) AS n FROM {t}v")["rows"][0]["n"] != n:
                if time.monotonic() > end:
                    raise RuntimeError(f"view {t}v did not get its {n} rows")
                time.sleep(0.05)

        queries = FIXED + [random_join_query() for _ in range(40)]
        results = []
        for q in queries:
            answer = sql(q)
            names = [c["name"] for c in answer["columns"]]
            results.append({"sql": q, "columns": names,
                            "rows": [[row[c] for c in names] for row in answer["rows"]]})
        with open(os.path.join(OUT, "queries.json"), "w") as f:
            json.dump(results, f)
        print(f"sluice answered {len(results)} queries")
        return 0
    finally:
        srv.stop()


if __name__ == "__main__":
    sys.exit(main())
