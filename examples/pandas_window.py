#!/usr/bin/env python3
"""A one-minute VWAP per symbol over a pandas DataFrame of trades, with sluice's Python
package (docs/python.md). The test suite runs this file (ctest python.example), so it stays
true.
    PYTHONPATH=build/release/python python3 examples/pandas_window.py
"""

import pandas as pd

import sluice

trades = pd.DataFrame({
    "symbol": ["AAPL", "AAPL", "MSFT", "AAPL", "MSFT"],
    "price": [189.5, 190.5, 411.0, 191.0, 412.0],
    "volume": [100, 300, 50, 200, 150],
    "ts": pd.to_datetime(["2026-11-24 10:00:01", "2026-11-24 10:00:31", "2026-11-24 10:00:45",
                          "2026-11-24 10:01:10", "2026-11-24 10:01:20"]).tz_localize("UTC"),
})

with sluice.connect() as db:
    db.execute("""
        CREATE SOURCE trades (
            symbol VARCHAR NOT NULL, price DOUBLE, volume BIGINT, ts TIMESTAMP,
            WATERMARK FOR ts AS ts - INTERVAL '1' SECOND);
        CREATE STREAM per_minute AS
            SELECT symbol, window_start, SUM(price * volume) / SUM(volume) AS vwap,
                   COUNT(*) AS trades
            FROM trades
            GROUP BY symbol, TUMBLE(ts, INTERVAL '1' MINUTE)""")
    results = db.subscribe("per_minute")
    source = db.source("trades")
    source.push(trades)  # columnar: no Python work per row for the numeric columns
    source.end()         # no more input: the final watermark closes the last windows

    windows = []
    while sum(len(w) for w in windows) < 4:
        windows.append(results.recv(timeout=10).to_pandas())
    vwap = pd.concat(windows).sort_values(["window_start", "symbol"], ignore_index=True)
    print(vwap.to_string(index=False))
