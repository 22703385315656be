"""Subscriptions: iteration, recv(timeout), the batch conversions, threads, the GIL and
Ctrl-C."""

import datetime as dt
import decimal
import os
import signal
import threading
import time

import numpy as np
import pandas as pd
import pytest

import sluice

UTC = dt.timezone.utc


def test_batch_conversions(trades):
    source, sub = trades
    source.push_many([
        {"symbol": "a", "price": 1.5, "volume": 10, "n": 1, "ok": True,
         "ts": dt.datetime(2026, 1, 1, tzinfo=UTC), "d": dt.date(2026, 1, 1),
         "span": dt.timedelta(seconds=1), "amount": decimal.Decimal("2.50")},
        {"symbol": None, "price": None, "volume": None, "n": None, "ok": None, "ts": None,
         "d": None, "span": None, "amount": None},
    ])
    batch = sub.recv(timeout=10)
    assert batch.num_rows == 2 and len(batch) == 2
    assert batch.column_names == ["symbol", "price", "volume", "n", "ok", "ts", "d", "span",
                                  "amount"]
    assert ("amount", "DECIMAL(10,2)", True) in batch.schema
    assert batch.to_pydict()["volume"] == [10, None]
    assert batch.to_pylist()[1]["symbol"] is None

    cols = batch.to_numpy()
    assert cols["price"].dtype == np.float64 and np.isnan(cols["price"][1])
    assert isinstance(cols["volume"], np.ma.MaskedArray) and cols["volume"].dtype == np.int64
    assert cols["volume"].mask.tolist() == [False, True]
    assert cols["n"].dtype == np.int32
    assert cols["ts"].dtype == np.dtype("datetime64[us]") and np.isnat(cols["ts"][1])
    assert cols["d"].dtype == np.dtype("datetime64[D]")
    assert cols["span"].dtype == np.dtype("timedelta64[us]")
    assert cols["symbol"].tolist() == ["a", None]
    assert cols["amount"].tolist() == [decimal.Decimal("2.50"), None]

    df = batch.to_pandas()
    assert str(df["volume"].dtype) == "Int64" and df["volume"].isna().tolist() == [False, True]
    assert str(df["ok"].dtype) == "boolean"
    assert str(df["ts"].dtype) == "datetime64[ns, UTC]"
    assert df["ts"][0] == pd.Timestamp("2026-01-01", tz="UTC") and pd.isna(df["ts"][1])
    assert df["price"].isna().tolist() == [False, True]
    assert "2 rows" in repr(batch)


def test_empty_result_batches_convert(db):
    db.execute("CREATE SOURCE t (n BIGINT, s VARCHAR)")
    db.execute("CREATE MATERIALIZED VIEW v AS SELECT s, SUM(n) AS total FROM t GROUP BY s")
    result = db.execute("SELECT s, total FROM v")
    assert result == [] and result.batch.num_rows == 0
    assert result.batch.to_pydict() == {"s": [], "total": []}
    assert {k: len(v) for k, v in result.batch.to_numpy().items()} == {"s": 0, "total": 0}
    df = result.df()
    assert list(df.columns) == ["s", "total"] and len(df) == 0


def test_recv_timeout_and_poll(db):
    db.execute("CREATE SOURCE t (n BIGINT)")
    sub = db.subscribe("t")
    assert sub.poll() is None
    started = time.monotonic()
    with pytest.raises(sluice.TimeoutError) as e:
        sub.recv(timeout=0.2)
    assert e.value.code == "SLC-0004"
    assert time.monotonic() - started < 5
    db.source("t").push({"n": 1})
    db.flush()
    assert sub.poll().to_pylist() == [{"n": 1}]


def test_iteration_ends_when_the_subscription_closes(db):
    db.execute("CREATE SOURCE t (n BIGINT)")
    with db.subscribe("t") as sub:
        db.source("t").push_many([{"n": 1}, {"n": 2}])
        db.flush()
        seen = []
        for batch in sub:
            seen.extend(r["n"] for r in batch.to_pylist())
            if len(seen) == 2:
                sub.close()
        assert seen == [1, 2]


def test_iterate_in_one_thread_while_another_pushes(db):
    db.execute("CREATE SOURCE t (n BIGINT)")
    db.execute("CREATE STREAM doubled AS SELECT n * 2 AS n2 FROM t")
    sub = db.subscribe("doubled")
    source = db.source("t")
    total = 5000
    seen = []

    def consume():
        for batch in sub:
            seen.extend(batch.to_numpy()["n2"].tolist())

    consumer = threading.Thread(target=consume)
    consumer.start()

    def produce():
        for start in range(0, total, 100):
            source.push({"n": np.arange(start, start + 100)})

    producers = [threading.Thread(target=produce)]
    for p in producers:
        p.start()
    for p in producers:
        p.join(timeout=60)
    db.close()  # drains: the consumer sees everything, then the end
    consumer.join(timeout=60)
    assert not consumer.is_alive()
    assert sorted(seen) == [2 * i for i in range(total)]


def test_waiting_releases_the_gil(db):
    db.execute("CREATE SOURCE t (n BIGINT)")
    sub = db.subscribe("t")
    ticks = []

    def tick():
        deadline = time.monotonic() + 0.5
        while time.monotonic() < deadline:
            ticks.append(1)
            time.sleep(0.01)

    ticker = threading.Thread(target=tick)
    ticker.start()
    with pytest.raises(sluice.TimeoutError):
        sub.recv(timeout=0.6)
    ticker.join()
    assert len(ticks) > 10  # the other thread ran while recv waited


def test_ctrl_c_interrupts_a_blocking_recv(db):
    db.execute("CREATE SOURCE t (n BIGINT)")
    sub = db.subscribe("t")
    timer = threading.Timer(0.3, lambda: os.kill(os.getpid(), signal.SIGINT))
    timer.start()
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        sub.recv(timeout=30)
    timer.join()
    assert time.monotonic() - started < 10
