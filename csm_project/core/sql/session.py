"""Per-transaction settings of a database session for work longer than a request.

Request connections on PostgreSQL carry ``statement_timeout`` and ``lock_timeout`` (settings
``DB_STATEMENT_TIMEOUT``, ``DB_LOCK_TIMEOUT``): a request never runs nor waits for long. A bulk
load or a migration may legitimately run statements for longer; ``allow_long_statements`` lifts
the statement limit for the rest of the current transaction only (``SET LOCAL``), so it can
never linger on a pooled connection. The lock limit stays: long work still never waits forever
behind another writer.
"""

from django.db import connection as default_connection
from django.db.backends.base.base import BaseDatabaseWrapper


def allow_long_statements(connection: BaseDatabaseWrapper = default_connection) -> None:
    """No statement time limit until the current transaction ends (PostgreSQL; a no-op
    elsewhere, and outside a transaction, where ``SET LOCAL`` would last one statement)."""
    if connection.vendor == "postgresql" and connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL statement_timeout = 0")
