"""SQLite: a transaction holds the write lock from its start.

Found by schemathesis against a live server: a DELETE on the contact-center API (a transaction
that reads, then deletes) failed with "database is locked" (a 500) when another request wrote in
between, because SQLite will not make a reader-turned-writer wait. Beginning every transaction
IMMEDIATE makes concurrent writers queue on the busy timeout instead.
"""

import pytest
from django.db import OperationalError, connection
from django.db.backends.sqlite3.base import DatabaseWrapper

# The product's SQLite options (csm_project/settings.py), on whatever database the suite runs:
# the connections below open their own files.
SQLITE_OPTIONS = {"transaction_mode": "IMMEDIATE"}


def _open(path, alias: str, *, timeout: float) -> DatabaseWrapper:
    settings = {**connection.settings_dict, "ENGINE": "django.db.backends.sqlite3", "NAME": str(path)}
    settings["OPTIONS"] = {**SQLITE_OPTIONS, "timeout": timeout}
    wrapper = DatabaseWrapper(settings, alias=alias)
    wrapper.ensure_connection()
    return wrapper


def test_a_transaction_that_reads_first_keeps_the_right_to_write(tmp_path):
    path = tmp_path / "locks.sqlite3"
    first = _open(path, "first", timeout=20)
    # The second connection does not wait at all: whether it may write is decided at once.
    second = _open(path, "second", timeout=0)
    try:
        first.connection.execute("CREATE TABLE item (id integer)")
        first._start_transaction_under_autocommit()  # what atomic() does on SQLite
        first.connection.execute("SELECT count(*) FROM item").fetchall()

        second.connection.execute("BEGIN")
        with pytest.raises(OperationalError, match="locked"):
            with second.wrap_database_errors:
                second.connection.execute("INSERT INTO item VALUES (2)")
        second.connection.execute("ROLLBACK")

        first.connection.execute("INSERT INTO item VALUES (1)")
        first.connection.execute("COMMIT")
        assert first.connection.execute("SELECT id FROM item").fetchall() == [(1,)]
    finally:
        first.close()
        second.close()


def test_the_wal_file_is_emptied_by_the_periodic_checkpoint(tmp_path, monkeypatch, settings):
    """A reader that never lets go keeps SQLite's own checkpoints from completing and the WAL
    grows; once it lets go, the product's next periodic checkpoint empties the file."""
    from django.conf import settings as project_settings

    from csm_project.core.sql import sqlite_wal

    path = tmp_path / "wal.sqlite3"
    writer = _open(path, "writer", timeout=20)
    reader = _open(path, "reader", timeout=20)
    wal = path.with_name(path.name + "-wal")
    now = [1000.0]
    monkeypatch.setattr(sqlite_wal, "clock", lambda: now[0])
    monkeypatch.setattr(sqlite_wal, "_last", {"at": None})
    settings.SQLITE_CHECKPOINT_SECONDS = 60
    try:
        for pragma in project_settings.SQLITE_PRAGMAS:
            writer.connection.execute(pragma)
        assert writer.connection.execute("PRAGMA journal_size_limit").fetchone() == (64 * 1024 * 1024,)
        writer.connection.execute("CREATE TABLE note (text TEXT)")
        reader.connection.execute("BEGIN")
        reader.connection.execute("SELECT count(*) FROM note").fetchall()  # holds its snapshot
        for _ in range(40):
            writer.connection.execute("INSERT INTO note VALUES (?)", ["x" * 100_000])
        grown = wal.stat().st_size
        assert grown > 4_000_000  # the automatic checkpoints could not complete

        assert sqlite_wal.checkpoint_when_due(writer) is False  # the first request starts the period
        reader.connection.execute("COMMIT")
        now[0] += 59
        assert sqlite_wal.checkpoint_when_due(writer) is False and wal.stat().st_size == grown
        now[0] += 1
        assert sqlite_wal.checkpoint_when_due(writer) is True
        assert wal.stat().st_size == 0
        assert writer.connection.execute("SELECT count(*) FROM note").fetchone() == (40,)
    finally:
        writer.close()
        reader.close()
