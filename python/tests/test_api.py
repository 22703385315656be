"""connect, execute (rows, df, messages), the context manager, options and errors."""

import pytest

import sluice


def test_execute_returns_rows_as_dicts_and_a_dataframe(db):
    created = db.execute("CREATE SOURCE t (n BIGINT, name VARCHAR)")
    assert created == [] and created.message == "CREATE SOURCE t"
    shown = db.execute("SHOW SOURCES")
    assert any(row.get("name") == "t" for row in shown), shown
    db.execute("CREATE MATERIALIZED VIEW totals AS SELECT name, SUM(n) AS total FROM t "
               "GROUP BY name")
    db.source("t").push_many([{"n": 2, "name": "a"}, {"n": 3, "name": "a"},
                              {"n": 5, "name": "b"}])
    db.flush()
    rows = db.execute("SELECT name, total FROM totals ORDER BY name")
    assert rows == [{"name": "a", "total": 5}, {"name": "b", "total": 5}]
    assert rows.message == "SELECT 2"
    df = rows.df()
    assert list(df.columns) == ["name", "total"]
    assert df["total"].tolist() == [5, 5]


def test_context_manager_closes_and_later_calls_raise_closed():
    with sluice.connect() as db:
        db.execute("CREATE SOURCE t (n BIGINT)")
        source = db.source("t")
        source.push({"n": 1})
    assert db.closed
    with pytest.raises(sluice.ClosedError) as e:
        db.execute("SHOW SOURCES")
    assert e.value.code == "SLC-0003"
    with pytest.raises(sluice.ClosedError):
        source.push({"n": 2})


def test_sql_error_has_code_line_and_column(db):
    with pytest.raises(sluice.SqlError) as e:
        db.execute("CREATE SOURCE t (n BIGINT);\nCREATE STREAM s AS SELECT nope FROM t")
    err = e.value
    assert err.code == "SLC-1002" and err.number == 1002
    assert (err.line, err.column) == (2, 27), (err.location, str(err))
    assert "nope" in err.message
    assert isinstance(err, sluice.Error)

    with pytest.raises(sluice.SqlError) as e:
        db.execute("CREATE SOURCE")
    assert e.value.code == "SLC-1001" and (e.value.line, e.value.column) == (1, 14)


def test_unknown_names_and_options(db):
    with pytest.raises(sluice.SqlError) as e:
        db.source("missing")
    assert e.value.code == "SLC-1002"
    with pytest.raises(sluice.InvalidArgument) as e:
        sluice.connect(no_such_option=1)
    assert "no_such_option" in str(e.value) and isinstance(e.value, ValueError)
    with pytest.raises(sluice.InvalidArgument):
        db.subscribe("x", overflow="sometimes")


def test_connect_with_a_data_dir_recovers_the_catalog(tmp_path):
    with sluice.connect(tmp_path / "data", checkpoint_interval=0.05) as db:
        db.execute("CREATE SOURCE t (n BIGINT)")
        db.execute("CREATE MATERIALIZED VIEW total AS SELECT SUM(n) AS s FROM t")
        db.source("t").push_many([{"n": 20}, {"n": 22}])
        db.flush()
        assert db.checkpoint() >= 1
    with sluice.connect(str(tmp_path / "data")) as db:
        assert db.execute("SELECT s FROM total") == [{"s": 42}]


def test_state_memory_max_bounds_operator_state():
    db = sluice.connect(state_memory_max=1 << 20)
    db.execute("CREATE SOURCE s (k BIGINT, v BIGINT)")
    db.execute("CREATE MATERIALIZED VIEW per_key AS SELECT k, COUNT(*) AS n FROM s GROUP BY k")
    # Ever more keys: the view's state passes 1 MiB long before the last batch.
    with pytest.raises(sluice.ResourceExhausted) as failed:
        for first in range(0, 1_000_000, 10_000):
            db.source("s").push_many([{"k": k, "v": 1} for k in range(first, first + 10_000)])
            db.flush()
            db.status()
    assert failed.value.code == "SLC-6001"
    assert "per_key" in failed.value.message
    with pytest.raises(sluice.ResourceExhausted):
        db.close()  # raises the pipeline's error


def test_a_negative_state_memory_max_is_refused():
    with pytest.raises(sluice.InvalidArgument, match="state_memory_max"):
        sluice.connect(state_memory_max=-1)


def test_close_while_another_thread_runs_statements():
    import threading

    db = sluice.connect()
    db.execute("CREATE SOURCE t (n BIGINT)")
    outcome = []

    def busy():
        try:
            while True:
                db.execute("SHOW SOURCES")
                db.source("t").push({"n": 1})
        except sluice.ClosedError as e:
            outcome.append(e.code)

    worker = threading.Thread(target=busy)
    worker.start()
    db.execute("SHOW SOURCES")
    db.close()
    worker.join(timeout=30)
    assert not worker.is_alive() and outcome == ["SLC-0003"]
