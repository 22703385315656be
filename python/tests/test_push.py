"""Pushing rows, row lists, DataFrames, dicts of numpy arrays: types, NULLs, time, text,
empty input and refused pushes (which lose nothing already accepted)."""

import datetime as dt
import decimal

import numpy as np
import pandas as pd
import pytest

import sluice

UTC = dt.timezone.utc


def received(sub, rows):
    """The next `rows` rows the subscription gets, as dicts."""
    out = []
    while len(out) < rows:
        out.extend(sub.recv(timeout=10).to_pylist())
    return out


def test_push_one_row_of_every_type(trades):
    source, sub = trades
    paris = dt.timezone(dt.timedelta(hours=1))
    source.push({"symbol": "Zürich ☃ 東京", "price": 1.5, "volume": 2**40, "n": -7, "ok": True,
                 "ts": dt.datetime(2026, 11, 24, 11, 0, 0, 123456, tzinfo=paris),
                 "d": dt.date(2024, 1, 31), "span": dt.timedelta(seconds=90, microseconds=5),
                 "amount": decimal.Decimal("12.30")})
    [row] = received(sub, 1)
    assert row == {"symbol": "Zürich ☃ 東京", "price": 1.5, "volume": 2**40, "n": -7, "ok": True,
                   "ts": dt.datetime(2026, 11, 24, 10, 0, 0, 123456, tzinfo=UTC),
                   "d": dt.date(2024, 1, 31), "span": dt.timedelta(seconds=90, microseconds=5),
                   "amount": decimal.Decimal("12.30")}
    assert row["ts"].tzinfo is not None


def test_null_spellings_are_null(trades):
    source, sub = trades
    source.push_many([
        {"symbol": None, "price": float("nan"), "volume": pd.NA, "ts": pd.NaT,
         "d": None, "span": None, "amount": None, "n": None, "ok": None},
        {"price": np.nan, "ts": np.datetime64("NaT")},  # columns left out are NULL too
    ])
    rows = received(sub, 2)
    assert all(v is None for row in rows for v in row.values()), rows


def test_naive_datetimes_strings_and_numpy_scalars(trades):
    source, sub = trades
    source.push_many([
        {"ts": dt.datetime(2026, 1, 2, 3, 4, 5), "volume": np.int64(7), "price": np.float32(0.5)},
        {"ts": "2026-01-02T04:04:05+01:00", "amount": "1.25", "d": "2024-02-29"},
        {"ts": np.datetime64("2026-01-02T03:04:05.000000001"), "n": np.int8(3), "ok": np.True_},
    ])
    rows = received(sub, 3)
    expected = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert [r["ts"] for r in rows] == [expected] * 3
    assert rows[0]["volume"] == 7 and rows[0]["price"] == 0.5
    assert rows[1]["amount"] == decimal.Decimal("1.25") and rows[1]["d"] == dt.date(2024, 2, 29)
    assert rows[2]["n"] == 3 and rows[2]["ok"] is True


def test_wrong_types_raise_data_error_and_lose_nothing_accepted(db):
    db.execute("CREATE SOURCE t (n BIGINT NOT NULL, s VARCHAR)")
    db.execute("CREATE MATERIALIZED VIEW c AS SELECT COUNT(*) AS rows, SUM(n) AS total FROM t")
    source = db.source("t")
    source.push({"n": 1})
    with pytest.raises(sluice.DataError) as e:
        source.push_many([{"n": 2}, {"n": "three"}])
    assert e.value.code == "SLC-2008" and "row 1" in e.value.location, str(e.value)
    with pytest.raises(sluice.DataError) as e:
        source.push_many([{"n": 4}, {"s": "no n"}])
    assert e.value.code == "SLC-2006"
    with pytest.raises(sluice.DataError) as e:
        source.push({"n": 2**70})
    assert e.value.code == "SLC-2003"
    with pytest.raises(sluice.SqlError) as e:
        source.push({"n": 1, "nope": 2})
    assert e.value.code == "SLC-1002" and "nope" in e.value.message
    with pytest.raises(sluice.DataError) as e:
        source.push({"n": np.array([1.5, 2.5])})  # float array into BIGINT
    assert e.value.code == "SLC-2008"
    with pytest.raises(sluice.DataError) as e:
        source.push(pd.DataFrame({"n": [1, None]}, dtype="Int64"))  # a NULL in NOT NULL
    assert e.value.code == "SLC-2006"
    with pytest.raises(TypeError):
        source.push([1, 2])
    source.push({"n": 10})
    db.flush()
    assert db.execute("SELECT rows, total FROM c") == [{"rows": 2, "total": 11}]


def test_dataframe_push_keeps_types_nulls_and_time_zones(trades):
    source, sub = trades
    df = pd.DataFrame({
        "symbol": ["a", None, "ß"],
        "price": [1.0, np.nan, 3.5],
        "volume": pd.array([1, None, 3], dtype="Int64"),
        "n": np.array([1, 2, 3], dtype=np.int16),
        "ok": pd.array([True, None, False], dtype="boolean"),
        "ts": pd.to_datetime(["2026-11-24 11:00:00", None, "2026-11-24 11:00:01.5"])
                .tz_localize("Europe/Paris"),
        "d": np.array(["2024-01-31", "NaT", "1969-12-31"], dtype="datetime64[D]"),
        "span": pd.to_timedelta(["1s", None, "-2ms"]),
        "amount": [decimal.Decimal("1.5"), None, 2],
    })
    source.push(df)
    rows = received(sub, 3)
    assert rows[0] == {"symbol": "a", "price": 1.0, "volume": 1, "n": 1, "ok": True,
                       "ts": dt.datetime(2026, 11, 24, 10, 0, tzinfo=UTC),
                       "d": dt.date(2024, 1, 31), "span": dt.timedelta(seconds=1),
                       "amount": decimal.Decimal("1.50")}
    assert all(v is None for k, v in rows[1].items() if k != "n"), rows[1]
    assert rows[2]["ts"] == dt.datetime(2026, 11, 24, 10, 0, 1, 500000, tzinfo=UTC)
    assert rows[2]["d"] == dt.date(1969, 12, 31)
    assert rows[2]["span"] == dt.timedelta(milliseconds=-2)
    assert rows[2]["amount"] == decimal.Decimal("2.00")


def test_dict_of_numpy_arrays_and_masked_arrays(trades):
    source, sub = trades
    n = 1000
    source.push({
        "volume": np.arange(n, dtype=np.int64),
        "price": np.linspace(0, 1, n),
        "n": np.ma.masked_array(np.arange(n, dtype=np.int32), mask=np.arange(n) % 2 == 1),
        "ts": np.arange(n, dtype=np.int64).astype("datetime64[ms]"),
    })
    got = []
    while sum(b.num_rows for b in got) < n:
        got.append(sub.recv(timeout=10))
    cols = {k: np.concatenate([b.to_numpy()[k] for b in got]) for k in ("volume", "price", "ts")}
    assert (cols["volume"] == np.arange(n)).all()
    assert np.allclose(cols["price"], np.linspace(0, 1, n))
    assert (cols["ts"] == np.arange(n).astype("datetime64[ms]").astype("datetime64[us]")).all()
    n_values = [r["n"] for b in got for r in b.to_pylist()]
    assert n_values[:4] == [0, None, 2, None]


def test_int_column_range_is_checked(db):
    db.execute("CREATE SOURCE t (n INT)")
    with pytest.raises(sluice.DataError) as e:
        db.source("t").push({"n": np.array([1, 2**40])})
    assert e.value.code == "SLC-2003" and "row 1" in e.value.location


def test_empty_pushes_are_accepted_and_deliver_nothing(db):
    db.execute("CREATE SOURCE t (n BIGINT, s VARCHAR)")
    db.execute("CREATE MATERIALIZED VIEW c AS SELECT COUNT(*) AS rows FROM t")
    source = db.source("t")
    source.push_many([])
    source.push(pd.DataFrame({"n": pd.Series([], dtype="int64"), "s": pd.Series([], dtype=object)}))
    source.push({"n": np.array([], dtype=np.int64)})
    source.push({"n": 1})
    db.flush()
    assert db.execute("SELECT rows FROM c") == [{"rows": 1}]
