"""sluice: an embedded streaming SQL database (docs/python.md).

    import sluice
    with sluice.connect() as db:
        db.execute("CREATE SOURCE t (n BIGINT)")
        db.execute("CREATE STREAM doubled AS SELECT n * 2 AS n2 FROM t")
        sub = db.subscribe("doubled")
        db.source("t").push({"n": 21})
        print(sub.recv().to_pylist())   # [{'n2': 42}]
"""

import atexit
import datetime as _dt
import threading
import weakref
from collections.abc import Mapping

from . import _columns
from ._sluice import _Batch, _Database
from .errors import (ClosedError, DataError, Error, InternalError, InvalidArgument,
                     NotSupportedError, ResourceExhausted, SinkError, SqlError, StorageError,
                     TimeoutError)

__all__ = [
    "connect", "Database", "Source", "Subscription", "Batch", "Result",
    "Error", "SqlError", "DataError", "SinkError", "StorageError", "ClosedError", "TimeoutError",
    "InvalidArgument", "NotSupportedError", "ResourceExhausted", "InternalError",
]

Batch = _Batch
"""A batch of rows (columnar, immutable): to_pylist(), to_pydict(), to_numpy(), to_pandas(),
and the Arrow PyCapsule interface (__arrow_c_array__, __arrow_c_stream__)."""


def _batch_to_pandas(self):
    """The batch as a pandas DataFrame (needs pandas)."""
    from ._pandas import batch_to_pandas
    return batch_to_pandas(self)


def _batch_repr(self):
    return f"<sluice.Batch {self.num_rows} rows>\n{self.to_string()}"


Batch.to_pandas = _batch_to_pandas
Batch.__repr__ = _batch_repr

_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc)


def _micros(t):
    """µs since the epoch of an int (µs already), a datetime (naive: UTC) or numpy datetime64."""
    if isinstance(t, int):
        return t
    if isinstance(t, _dt.datetime):
        if t.tzinfo is None:
            t = t.replace(tzinfo=_dt.timezone.utc)
        return (t - _EPOCH) // _dt.timedelta(microseconds=1)
    if hasattr(t, "astype"):  # numpy.datetime64
        return int(t.astype("datetime64[us]").astype("int64"))
    raise TypeError(f"a time is an int (µs since the epoch), a datetime or a datetime64, "
                    f"not {type(t).__name__}")


class Result(list):
    """What execute() returns: the rows of a SELECT, SHOW, DESCRIBE or EXPLAIN as a list of
    dicts (empty for other statements), with ``message`` ("CREATE STREAM s", "SELECT 3"),
    ``batch`` (the rows as a Batch, or None), ``df()`` and the Arrow stream interface."""

    def __init__(self, message, batch):
        super().__init__(batch.to_pylist() if batch is not None else [])
        self.message = message
        self.batch = batch

    def df(self):
        """The rows as a pandas DataFrame."""
        if self.batch is None:
            import pandas as pd
            return pd.DataFrame()
        return self.batch.to_pandas()

    def __arrow_c_stream__(self, requested_schema=None):
        if self.batch is None:
            raise InvalidArgument(f"'{self.message}' returned no rows")
        return self.batch.__arrow_c_stream__(requested_schema)


class Source:
    """A push source: push() takes a row (dict), a pandas DataFrame, a dict of arrays (numpy,
    pandas, lists) or anything with __arrow_c_array__ / __arrow_c_stream__ (pyarrow, polars).
    A push is checked whole: on an error nothing of it is accepted, and what was pushed before
    stays. It may wait while the source's credits are spent (overflow 'block'); the GIL is
    released meanwhile."""

    def __init__(self, handle):
        self._handle = handle

    @property
    def name(self):
        return self._handle.name

    @property
    def column_names(self):
        return self._handle.column_names

    def push(self, data):
        h = self._handle
        if _columns.is_dataframe(data):
            h.push_columns(*_columns.columns_of(data))
        elif hasattr(data, "__arrow_c_array__"):
            h.push_arrow_array(*data.__arrow_c_array__())
        elif hasattr(data, "__arrow_c_stream__"):
            h.push_arrow_stream(data.__arrow_c_stream__())
        elif isinstance(data, Mapping):
            if _columns.is_columns(data):
                h.push_columns(*_columns.columns_of(data))
            else:
                h.push_rows([data])
        else:
            raise TypeError("push() takes a dict (a row, or columns of arrays), a pandas "
                            "DataFrame or an Arrow array or stream, not "
                            f"{type(data).__name__}")

    def push_many(self, rows):
        """Pushes rows (dicts) as one batch: all of them, or on an error none."""
        self._handle.push_rows(rows if isinstance(rows, (list, tuple)) else list(rows))

    def advance_watermark(self, time):
        """Moves the watermark to ``time`` (a datetime, datetime64 or µs since the epoch)."""
        self._handle.advance_watermark(_micros(time))

    def end(self):
        """No more rows: the final watermark closes every window downstream."""
        self._handle.end()

    def metrics(self):
        return self._handle.metrics()


class Subscription:
    """The batches a stream, view or source emits. Iterate it (until the database closes or
    close() is called), or recv(timeout=seconds). Waiting releases the GIL; Ctrl-C
    interrupts it."""

    def __init__(self, handle):
        self._handle = handle

    @property
    def name(self):
        return self._handle.name

    def recv(self, timeout=None):
        """The next batch; waits at most ``timeout`` seconds (None: until one comes). Raises
        sluice.TimeoutError after the timeout, sluice.ClosedError once closed and drained."""
        return self._handle.recv(timeout)

    def poll(self):
        """The next batch if one is waiting, else None; never waits."""
        return self._handle.poll()

    def close(self):
        self._handle.close()

    @property
    def dropped_rows(self):
        return self._handle.dropped_rows

    @property
    def dropped_batches(self):
        return self._handle.dropped_batches

    def __iter__(self):
        return self

    def __next__(self):
        try:
            return self._handle.recv(None)
        except ClosedError:
            raise StopIteration from None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


_open_databases = weakref.WeakSet()
_open_lock = threading.Lock()


@atexit.register
def _close_all():
    # Before the interpreter finalizes: sink threads calling Python functions must be done.
    with _open_lock:
        databases = list(_open_databases)
    for db in databases:
        try:
            db.close()
        except Error:
            pass


class Database:
    """An embedded sluice database; see connect()."""

    def __init__(self, data_dir=None, **options):
        self._db = _Database(data_dir, options)
        self._callbacks = 0
        with _open_lock:
            _open_databases.add(self)

    def execute(self, sql):
        """Runs ';'-separated statements; returns the last one's Result (a list of row dicts)."""
        return Result(*self._db.execute(sql))

    def declare(self, sql):
        """Runs a pipeline script so that running it again on a recovered data_dir resumes it."""
        return Result(*self._db.declare(sql))

    def source(self, name):
        return Source(self._db.source(name))

    def subscribe(self, name, capacity=64, overflow="block"):
        """Subscribes to a stream, view or source. ``overflow``: 'block' (the pipeline waits
        for this subscriber) or 'drop_oldest' (counted in dropped_rows)."""
        if overflow not in ("block", "drop_oldest"):
            raise InvalidArgument(f"overflow is 'block' or 'drop_oldest', not {overflow!r}",
                                  "SLC-0002")
        return Subscription(self._db.subscribe(name, capacity, overflow == "drop_oldest"))

    def register_callback(self, name, function):
        """Registers function(batch) for ``CREATE SINK ... INTO callback (function = 'name')``.
        It runs on the sink's thread, holding the GIL only while it runs; an exception it
        raises is a failed write (SLC-3003): the sink's retry.max and on.error apply."""
        self._db.register_callback(name, function)

    def on_rows(self, name, function, sink=None, where=None, options=None):
        """Calls function(batch) with every batch of stream, view or source ``name``, through a
        callback sink (named ``sink``, default '<name>_python_<n>'; returned). ``options`` are
        the sink's (docs/sinks.md), e.g. {'on.error': 'dead_letter', 'retry.max': 0}."""
        self._callbacks += 1
        sink = sink or f"{name}_python_{self._callbacks}"
        function_name = f"python.{sink}"
        self.register_callback(function_name, function)
        opts = [f"function = '{function_name}'"]
        for key, value in (options or {}).items():
            text = str(value).replace("'", "''")
            opts.append(f"{key} = '{text}'")
        where_sql = f" WHERE {where}" if where else ""
        self.execute(f"CREATE SINK {sink} FROM {name}{where_sql} INTO callback ({', '.join(opts)})")
        return sink

    def flush(self):
        """Returns once every row accepted so far is processed and delivered."""
        self._db.flush()

    def checkpoint(self):
        """Cuts and commits a checkpoint (needs a data_dir); returns its epoch."""
        return self._db.checkpoint()

    def start(self):
        """Starts the connector sources (files, generators) declared so far."""
        self._db.start()

    def status(self):
        """Raises the first error the pipeline met while running, if any."""
        self._db.status()

    def sink_metrics(self, name):
        return self._db.sink_metrics(name)

    def source_metrics(self, name):
        return self._db.source_metrics(name)

    def graph_json(self):
        return self._db.graph_json()

    @property
    def closed(self):
        return self._db.closed

    def close(self):
        """Drains (every accepted row is processed and delivered), stops and frees the database.
        Raises the first error the pipeline met, if any. Closing again does nothing."""
        self._db.close()

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.close()
        else:
            try:
                self.close()
            except Error:
                pass  # the exception already on its way matters more


def connect(data_dir=None, **options):
    """Opens a database: in memory (data_dir None) or durable in ``data_dir``. Options:
    checkpoint_interval and shutdown_grace (seconds), keep_checkpoints, accept_duplicates,
    max_batch_rows, source_credits, input_queue_batches, state_memory_max (bytes of operator
    state and view tables; past it the pipeline fails with ResourceExhausted; 0: no budget)
    (include/sluice/database.h)."""
    return Database(data_dir, **options)
