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
