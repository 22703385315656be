#!/usr/bin/env python3
"""The Python package's push rates (docs/python.md):
  columnar  a 1 M-row pandas DataFrame of 4 numeric columns pushed with Source.push and
            processed (flush), ÷ the same through the C++ API (python_push_baseline, run from
            here): the ratio of the best runs, each side warmed up and run 5 times in its own
            process, in 3 alternating rounds so that both meet the same machine load
            (target ≥ 0.8);
  rows      push_many of row dicts (100 000 per call): rows/s.
Usage: PYTHONPATH=build/release/python /usr/bin/python3 bench/python_bench.py \\
           build/release/bench/python_push_baseline
"""

import subprocess
import sys
import time

import numpy as np
import pandas as pd

import sluice

ROWS = 1_000_000
DDL = ("CREATE SOURCE t (a BIGINT, b BIGINT, c DOUBLE, d DOUBLE);"
       "CREATE MATERIALIZED VIEW m AS SELECT COUNT(*) AS n, SUM(a) AS sa, SUM(c) AS sc FROM t")


def columnar_once(df):
    with sluice.connect() as db:
        db.execute(DDL)
        source = db.source("t")
        t0 = time.perf_counter()
        source.push(df)
        db.flush()
        seconds = time.perf_counter() - t0
        assert db.execute("SELECT n FROM m") == [{"n": len(df)}]
    return seconds


def rows_once(rows):
    with sluice.connect() as db:
        db.execute(DDL)
        source = db.source("t")
        t0 = time.perf_counter()
        source.push_many(rows)
        db.flush()
        return time.perf_counter() - t0


def main():
    baseline = sys.argv[1] if len(sys.argv) > 1 else "build/release/bench/python_push_baseline"
    i = np.arange(ROWS, dtype=np.int64)
    df = pd.DataFrame({"a": i, "b": i % 1000, "c": i * 0.5, "d": (i % 7).astype(np.float64)})
    columnar_once(df)  # warm-up, as the C++ side does one
    py_rate = cpp_rate = 0.0
    for _ in range(3):
        py_rate = max(py_rate, ROWS / min(columnar_once(df) for _ in range(5)))
        out = subprocess.run([baseline, str(ROWS), "5"], check=True, capture_output=True,
                             text=True)
        cpp_rate = max(cpp_rate, float(out.stdout.split()[-1]))
    print(f"columnar push of a {ROWS:,}-row DataFrame: python {py_rate / 1e6:.1f} M rows/s, "
          f"C++ {cpp_rate / 1e6:.1f} M rows/s")
    print(f"ratio python_columnar_push {py_rate / cpp_rate:6.2f}  (target >= 0.8)")

    n = 100_000
    rows = [{"a": k, "b": k % 1000, "c": k * 0.5, "d": float(k % 7)} for k in range(n)]
    row_rate = n / min(rows_once(rows) for _ in range(3))
    print(f"row-dict push (push_many, {n:,} dicts of 4 values): {row_rate / 1e3:.0f} k rows/s")


if __name__ == "__main__":
    main()
