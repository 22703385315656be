"""Python callback sinks: batches on the sink's thread, and a function that raises handled by
the sink's on.error policy."""

import threading
import time

import pytest

import sluice


def eventually(condition, timeout=10):
    """Waits until condition() holds: flush() returns once sinks are handed the rows, and
    their threads write them after (bounded: fails after `timeout` seconds)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_on_rows_calls_the_function_with_every_batch(db):
    db.execute("CREATE SOURCE t (n BIGINT)")
    seen, threads = [], set()

    def collect(batch):
        seen.extend(r["n"] for r in batch.to_pylist())
        threads.add(threading.get_ident())

    sink = db.on_rows("t", collect, where="n > 1")
    db.source("t").push_many([{"n": 1}, {"n": 2}, {"n": 3}])
    eventually(lambda: len(seen) == 2)
    assert seen == [2, 3]
    assert threading.get_ident() not in threads  # the sink's own thread
    assert db.sink_metrics(sink)["rows"] == 2


def test_sql_callback_sink_with_a_registered_function(db):
    got = []
    db.register_callback("keep", lambda batch: got.append(batch.num_rows))
    db.execute("CREATE SOURCE t (n BIGINT)")
    db.execute("CREATE SINK kept FROM t INTO callback (function = 'keep')")
    db.source("t").push_many([{"n": 1}, {"n": 2}])
    eventually(lambda: got == [2])


def test_a_raising_function_fails_the_pipeline_with_on_error_fail():
    db = sluice.connect()
    db.execute("CREATE SOURCE t (n BIGINT)")

    def broken(batch):
        raise ValueError("no thanks")

    sink = db.on_rows("t", broken, options={"retry.max": 0})
    db.source("t").push({"n": 1})
    eventually(lambda: db.sink_metrics(sink)["state"] == "failed")
    with pytest.raises(sluice.SinkError) as e:
        db.status()
    err = e.value
    assert err.code == "SLC-3003" and "ValueError: no thanks" in err.message, str(err)
    with pytest.raises(sluice.SinkError):
        db.close()  # reports the pipeline's error, and closes all the same
    assert db.closed


def test_a_raising_function_dead_letters_and_the_pipeline_goes_on(db):
    db.execute("CREATE SOURCE t (n BIGINT)")
    db.execute("CREATE SOURCE nothing (n BIGINT)")  # the dead-letter sink gets only what fails
    dead = []
    db.on_rows("nothing", lambda batch: dead.extend(batch.to_pydict()["n"]), sink="dead")
    calls = []

    def odd_only(batch):
        calls.append(1)
        if any(n % 2 == 0 for n in batch.to_pydict()["n"]):
            raise RuntimeError("even")

    sink = db.on_rows("t", odd_only, options={"retry.max": 0, "on.error": "dead_letter",
                                              "dead_letter.sink": "dead"})
    source = db.source("t")
    for n in (1, 2, 3):  # one batch each
        source.push({"n": n})
        eventually(lambda: len(calls) == n)
    eventually(lambda: dead == [2])
    metrics = db.sink_metrics(sink)
    assert metrics["dead_lettered_rows"] == 1 and "RuntimeError: even" in metrics["last_error"]
    assert dead == [2] and len(calls) == 3
    db.status()  # no pipeline error
