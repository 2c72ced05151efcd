"""Keeping SQLite's WAL file small (docs/sqlite.md).

SQLite appends every commit to the WAL file and copies it back into the database at a
checkpoint. A commit checkpoints by itself once the WAL holds ``wal_autocheckpoint`` pages, but
only as far as no reader still needs: under readers that never all pause at once the WAL can
grow without limit, and a WAL file, once grown, is never shrunk (``journal_size_limit`` cuts it
back after a complete checkpoint). So each process also runs a complete checkpoint
(``TRUNCATE``: waits for readers to move on, then empties the file) after a request, at most once
every ``SQLITE_CHECKPOINT_SECONDS``. It waits at most ``CHECKPOINT_WAIT_MS`` for readers and
writers; if they do not make way, it tries again after the next period.
"""

import threading
import time

from django.conf import settings
from django.db import DatabaseError, connections
from django.db.backends.base.base import BaseDatabaseWrapper

CHECKPOINT_WAIT_MS = 1000

clock = time.monotonic  # tests replace it
_last = {"at": None}
_lock = threading.Lock()


def checkpoint(connection: BaseDatabaseWrapper, *, wait_ms: int = CHECKPOINT_WAIT_MS) -> bool:
    """A complete checkpoint that empties the WAL file; False when readers or writers did not
    make way within ``wait_ms`` (the busy timeout is put back afterwards)."""
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        (busy_timeout,) = cursor.fetchone()
        cursor.execute(f"PRAGMA busy_timeout = {int(wait_ms)}")
        try:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            busy, _log_pages, _copied = cursor.fetchone()
        finally:
            cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout)}")
    return busy == 0


def checkpoint_when_due(connection: BaseDatabaseWrapper) -> bool:
    """``checkpoint`` if this process's last one is ``SQLITE_CHECKPOINT_SECONDS`` old (the first
    time: one period after the first call); whether one ran."""
    period = settings.SQLITE_CHECKPOINT_SECONDS
    if period <= 0 or connection.vendor != "sqlite" or connection.connection is None or connection.in_atomic_block:
        return False
    now = clock()
    with _lock:
        if _last["at"] is None:
            _last["at"] = now
        if now - _last["at"] < period:
            return False
        _last["at"] = now
    try:
        return checkpoint(connection)
    except DatabaseError:
        return False


def after_request(sender, **kwargs) -> None:
    """``request_finished`` receiver."""
    checkpoint_when_due(connections["default"])
