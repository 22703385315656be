"""sluice's errors as exception classes, one per category of error code (docs/errors.md).

Every exception carries ``code`` ("SLC-1002"), ``message`` and ``location`` (where, when known:
"3:14" in a statement, "row 2, column 'price'" in pushed data). Catch ``sluice.Error`` for all.
"""

import re

__all__ = [
    "Error", "SqlError", "DataError", "SinkError", "StorageError", "ClosedError", "TimeoutError",
    "InvalidArgument", "NotSupportedError", "ResourceExhausted", "InternalError",
]


class Error(Exception):
    """Any error sluice reports."""

    def __init__(self, message, code="", location=""):
        self.message = message
        self.code = code
        self.location = location
        where = f" at {location}" if location else ""
        super().__init__(f"{code}{where}: {message}" if code else message)

    @property
    def number(self):
        """The code's number: 1002 for SLC-1002."""
        return int(self.code[4:]) if self.code.startswith("SLC-") else 0


class SqlError(Error):
    """SLC-1xxx: a statement that does not parse, bind or plan; ``line`` and ``column`` (from 1)
    say where in the statement, or are None when the error has no position."""

    def __init__(self, message, code="", location=""):
        super().__init__(message, code, location)
        m = re.match(r"(\d+):(\d+)", location or "")
        self.line = int(m.group(1)) if m else None
        self.column = int(m.group(2)) if m else None


class DataError(Error):
    """SLC-2xxx (and SLC-0006): data that does not fit: a wrong type, a NULL in a NOT NULL
    column, bad JSON or UTF-8, a value out of range. Nothing of the refused push is accepted."""


class SinkError(Error):
    """SLC-3xxx: a sink's destination is unavailable or refused, or a Python callback raised."""


class StorageError(Error):
    """SLC-4xxx and SLC-0008: the data directory or the file system."""


class ClosedError(Error):
    """SLC-0003: the database, source or subscription is closed."""


class TimeoutError(Error):  # noqa: A001 - sluice.TimeoutError, as the code's meaning
    """SLC-0004: a wait (``Subscription.recv(timeout=...)``) timed out."""


class InvalidArgument(Error, ValueError):
    """SLC-0002: an argument the API does not accept."""


class NotSupportedError(Error):
    """SLC-0005: not supported (yet); the message names the alternative."""


class ResourceExhausted(Error):
    """SLC-0007: a queue or credit budget is full and its policy is 'error'; SLC-6001: operator
    state and view tables passed the database's memory budget (``state_memory_max``)."""


class InternalError(Error):
    """SLC-0001: sluice broke one of its own rules (a bug: please report it)."""


_BY_NUMBER = {
    1: InternalError, 2: InvalidArgument, 3: ClosedError, 4: TimeoutError,
    5: NotSupportedError, 6: DataError, 7: ResourceExhausted, 8: StorageError,
    6001: ResourceExhausted,
}
_BY_THOUSAND = {1: SqlError, 2: DataError, 3: SinkError, 4: StorageError}


def _from_status(number, code, message, location):
    """The exception for a sluice Status (the extension module raises what this returns)."""
    cls = _BY_NUMBER.get(number) or _BY_THOUSAND.get(number // 1000, Error)
    return cls(message, code, location)
