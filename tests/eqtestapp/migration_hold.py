"""A point inside the test app's migration 0003 where a test may hold the migration, while its
transaction is open, to look at the database from another connection. Not armed, it does nothing
(the test database is migrated through it at start-up)."""

import threading

reached = threading.Event()
release = threading.Event()
armed = threading.Event()


def hold(apps, schema_editor) -> None:
    if armed.is_set():
        reached.set()
        assert release.wait(timeout=300), "the test never released the migration"
