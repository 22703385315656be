"""Fixtures of the sluice package's tests (run by ctest: python.<file>, with PYTHONPATH at
the built package)."""

import pytest

import sluice


@pytest.fixture
def db():
    database = sluice.connect()
    yield database
    database.close()


@pytest.fixture
def trades(db):
    """A source `trades` of every scalar type, and a subscription to it."""
    db.execute("""CREATE SOURCE trades (
        symbol VARCHAR, price DOUBLE, volume BIGINT, n INT, ok BOOLEAN, ts TIMESTAMP,
        d DATE, span INTERVAL, amount DECIMAL(10, 2))""")
    return db.source("trades"), db.subscribe("trades")
