"""The Arrow PyCapsule interface: batches out of sluice and back in, compared; with pyarrow
when it is installed (Debian 12 has no python3-pyarrow: those cases are skipped, saying so)."""

import datetime as dt
import decimal
import subprocess
import sys

import pytest

import sluice

UTC = dt.timezone.utc

ROWS = [
    {"symbol": "Zürich", "price": 1.5, "volume": 10, "n": 1, "ok": True,
     "ts": dt.datetime(2026, 1, 1, 0, 0, 0, 1, tzinfo=UTC), "d": dt.date(2026, 1, 1),
     "span": dt.timedelta(seconds=-1), "amount": decimal.Decimal("2.50")},
    {"symbol": None, "price": None, "volume": None, "n": None, "ok": None, "ts": None,
     "d": None, "span": None, "amount": None},
]


def one_batch(trades):
    source, sub = trades
    source.push_many(ROWS)
    return sub.recv(timeout=10)


def test_capsules_round_trip_through_sluice(db, trades):
    batch = one_batch(trades)
    db.execute("CREATE SOURCE copy (symbol VARCHAR, price DOUBLE, volume BIGINT, n INT, "
               "ok BOOLEAN, ts TIMESTAMP, d DATE, span INTERVAL, amount DECIMAL(10, 2))")
    copies = db.subscribe("copy")
    db.source("copy").push(batch)  # __arrow_c_array__
    back = copies.recv(timeout=10)
    assert back.equals(batch) and back.to_pylist() == ROWS

    class StreamOnly:  # what pyarrow.Table or a polars DataFrame offer
        def __arrow_c_stream__(self, requested_schema=None):
            return batch.__arrow_c_stream__(requested_schema)

    db.source("copy").push(StreamOnly())
    assert copies.recv(timeout=10).to_pylist() == ROWS


def test_capsules_are_named_and_consumed_once(trades):
    batch = one_batch(trades)
    schema, array = batch.__arrow_c_array__()
    assert type(schema).__name__ == "PyCapsule" and "arrow_schema" in repr(schema)
    assert "arrow_array" in repr(array)
    assert "arrow_array_stream" in repr(batch.__arrow_c_stream__())
    assert "arrow_schema" in repr(batch.__arrow_c_schema__())


def test_arrow_push_checks_types_by_name(db, trades):
    batch = one_batch(trades)
    db.execute("CREATE SOURCE other (price VARCHAR)")
    with pytest.raises(sluice.DataError) as e:
        db.source("other").push(batch)
    assert e.value.code in ("SLC-2008",) or e.value.number == 1002, str(e.value)
    db.execute("CREATE SOURCE narrow (symbol VARCHAR, price DOUBLE)")
    with pytest.raises(sluice.SqlError) as e:  # the batch has columns the source lacks
        db.source("narrow").push(batch)
    assert e.value.code == "SLC-1002"


def test_pyarrow_round_trip(db, trades):
    pa = pytest.importorskip(
        "pyarrow", reason="pyarrow is not installed (Debian 12 has no python3-pyarrow)")
    batch = one_batch(trades)
    table = pa.table(batch)  # __arrow_c_stream__
    record_batch = pa.record_batch(batch)  # __arrow_c_array__
    assert table.num_rows == 2 and record_batch.num_rows == 2
    assert table.column("symbol").to_pylist() == ["Zürich", None]
    assert table.schema.field("ts").type == pa.timestamp("us", tz="UTC")
    assert table.column("amount").to_pylist() == [decimal.Decimal("2.50"), None]
    db.execute("CREATE SOURCE copy (symbol VARCHAR, price DOUBLE, volume BIGINT, n INT, "
               "ok BOOLEAN, ts TIMESTAMP, d DATE, span INTERVAL, amount DECIMAL(10, 2))")
    copies = db.subscribe("copy")
    db.source("copy").push(record_batch)
    db.source("copy").push(table)
    assert copies.recv(timeout=10).equals(batch)
    assert copies.recv(timeout=10).to_pylist() == ROWS


def test_pyarrow_round_trip_with_pyarrow_from_pip(tmp_path):
    """Without a system pyarrow, the round trip above in a virtual environment with pyarrow
    installed from pip; skipped, saying why, when pip cannot get it (no network, no index)."""
    try:
        import pyarrow  # noqa: F401
        pytest.skip("pyarrow is installed: test_pyarrow_round_trip ran with it")
    except ImportError:
        pass
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)],
                   check=True, timeout=120)
    python = str(venv / "bin" / "python")
    got = subprocess.run([python, "-m", "pip", "install", "--quiet", "--timeout", "10",
                          "--retries", "0", "pyarrow"],
                         capture_output=True, text=True, timeout=240)
    if got.returncode != 0:
        last = (got.stderr.strip().splitlines() or ["no output"])[-1]
        pytest.skip(f"pyarrow could not be installed from pip: {last}")
    run = subprocess.run([python, "-m", "pytest", "-q", "-p", "no:cacheprovider", __file__,
                          "-k", "test_pyarrow_round_trip and not pip"],
                         capture_output=True, text=True, timeout=240)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 passed" in run.stdout, run.stdout
