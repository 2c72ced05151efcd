"""Exact row counts of registered tables without ``COUNT(*)`` over the table (PostgreSQL).

``exact_count(queryset)`` is the one way list endpoints learn their ``X-Total-Count``. For a
queryset over a whole table (no filter, no DISTINCT, no slice, no grouping) on PostgreSQL it
reads the table's counter; for anything else it is ``queryset.count()``. Both are exact.

How the counter works (docs/platform.md, "Counting rows"):

- ``sys_row_count`` holds signed deltas: ``(table_name, delta)``. Every registered table has
  statement-level AFTER INSERT and AFTER DELETE triggers that append one row per statement,
  ``+n`` / ``-n``, counted from the statement's transition table. The delta is written in the
  writing transaction, so it commits or rolls back with the rows, and a reader's snapshot sees
  exactly the deltas of the rows it sees. Writers only ever append: concurrent inserts never
  wait on one another (a single counter row updated in place would serialise them).
- The count is ``SUM(delta)`` over the table's rows. When a read finds more than
  ``COMPACT_ABOVE`` of them it folds them into one (``compact``), under a transaction-level
  advisory lock taken with ``pg_try_advisory_xact_lock``: a second compaction at the same
  moment skips rather than waits. One write in ``FOLD_EVERY`` (at random) folds too, so a
  table seldom listed whole does not pile deltas up; ``manage.py compact_row_counts`` folds every table.
- AFTER TRUNCATE resets the table's counter to 0 (waiting for a running compaction first).
- After ``migrate`` the triggers are brought in step with the registry (``sql.triggers``): a
  migrate with nothing to do touches nothing; a table that had no triggers (new, or dropped by
  hand) gets them and its counter is seeded from ``COUNT(*)`` with the table locked in SHARE
  mode, so no write slips between the count and the triggers. Rows migrations write into
  tables that have their triggers are counted as they are written.

Multi-table records count their own table: a contact is one ``customer_contact`` row (and one
``sys_user`` row), so ``Contact.objects.all()`` reads the ``customer_contact`` counter.

SQLite has a single writer and holds the demo-sized data sets it is meant for: there the count
is always ``queryset.count()``.

Pitfalls:
- ``ALTER TABLE ... DISABLE TRIGGER`` or ``session_replication_role = replica`` (bulk loads that
  skip triggers) leave the counter wrong until ``compact_row_counts --reseed``.
- Renaming a counted table keeps its triggers but not its counter's name: ``--reseed`` after it.
"""

# The SQL below names tables from the registry only (quoted by _q); values are bound parameters.
# ruff: noqa: S608
from __future__ import annotations

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import QuerySet

from csm_project.core.sql.audit import _q
from csm_project.core.sql.triggers import TriggerDef, installed, triggers_drop, triggers_sync

COUNT_TABLE = "sys_row_count"
TRIGGER_PREFIX = "csm_rowcount_"
#: A read finding more delta rows than this folds them into one.
COMPACT_ABOVE = 32
# Advisory lock key space of the counters: (this, hashtext(table name)).
_LOCK_CLASS = 0x43534D52  # "CSMR"

#: One write statement in this many (at random) also folds the table's deltas, so tables written
#: often and seldom listed whole (the audit history) stay small too. Checking the number of deltas
#: on every write instead costs more than the append itself in a long transaction.
FOLD_EVERY = 64

_FUNCTIONS_SQL = (
    # Fold a table's deltas into one row; false (nothing done) when another fold holds the table.
    # Only under READ COMMITTED, where the DELETE's snapshot is taken after the lock is held.
    f"""CREATE OR REPLACE FUNCTION {TRIGGER_PREFIX}fold(t text) RETURNS boolean LANGUAGE plpgsql AS $fn$
BEGIN
    IF current_setting('transaction_isolation') <> 'read committed'
       OR NOT pg_try_advisory_xact_lock({_LOCK_CLASS}, hashtext(t)) THEN
        RETURN false;
    END IF;
    WITH gone AS (DELETE FROM {COUNT_TABLE} WHERE table_name = t RETURNING delta)
    INSERT INTO {COUNT_TABLE} (table_name, delta) SELECT t, sum(delta) FROM gone HAVING count(*) > 0;
    RETURN true;
END $fn$""",
    f"""CREATE OR REPLACE FUNCTION {TRIGGER_PREFIX}ins() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    INSERT INTO {COUNT_TABLE} (table_name, delta)
        SELECT TG_TABLE_NAME, count(*) FROM new_rows HAVING count(*) > 0;
    IF random() < 1.0 / {FOLD_EVERY} THEN
        PERFORM {TRIGGER_PREFIX}fold(TG_TABLE_NAME);
    END IF;
    RETURN NULL;
END $fn$""",
    f"""CREATE OR REPLACE FUNCTION {TRIGGER_PREFIX}del() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    INSERT INTO {COUNT_TABLE} (table_name, delta)
        SELECT TG_TABLE_NAME, -count(*) FROM old_rows HAVING count(*) > 0;
    IF random() < 1.0 / {FOLD_EVERY} THEN
        PERFORM {TRIGGER_PREFIX}fold(TG_TABLE_NAME);
    END IF;
    RETURN NULL;
END $fn$""",
    f"""CREATE OR REPLACE FUNCTION {TRIGGER_PREFIX}trunc() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    PERFORM pg_advisory_xact_lock({_LOCK_CLASS}, hashtext(TG_TABLE_NAME));
    DELETE FROM {COUNT_TABLE} WHERE table_name = TG_TABLE_NAME;
    INSERT INTO {COUNT_TABLE} (table_name, delta) VALUES (TG_TABLE_NAME, 0);
    RETURN NULL;
END $fn$""",
)


def counted_tables() -> list[str]:
    """The database tables that have a counter: every registered table's own table (a view,
    such as ``sys_user_has_role``, has none: it is counted by reading it)."""
    from csm_project.registry import all_tables

    return sorted({spec.model._meta.db_table for spec in all_tables().values() if spec.model._meta.managed})


def _uses_counter(connection: BaseDatabaseWrapper) -> bool:
    return connection.vendor == "postgresql"


def _trigger_defs(table: str) -> list[TriggerDef]:
    name = TRIGGER_PREFIX + table
    return [
        TriggerDef(
            name + "_ins", table,
            f"CREATE TRIGGER {_q(name + '_ins')} AFTER INSERT ON {_q(table)} REFERENCING NEW TABLE AS new_rows "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {TRIGGER_PREFIX}ins()",
        ),
        TriggerDef(
            name + "_del", table,
            f"CREATE TRIGGER {_q(name + '_del')} AFTER DELETE ON {_q(table)} REFERENCING OLD TABLE AS old_rows "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {TRIGGER_PREFIX}del()",
        ),
        TriggerDef(
            name + "_trunc", table,
            f"CREATE TRIGGER {_q(name + '_trunc')} AFTER TRUNCATE ON {_q(table)} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {TRIGGER_PREFIX}trunc()",
        ),
    ]  # fmt: skip


# --- Installing, seeding, removing ---------------------------------------------------------------


def row_count_triggers_drop(connection: BaseDatabaseWrapper) -> None:
    if _uses_counter(connection):
        triggers_drop(connection, TRIGGER_PREFIX)


def _seed(cursor, table: str) -> None:
    """Set the counter of ``table`` to its ``COUNT(*)``; writers wait until the transaction ends."""
    cursor.execute(f"LOCK TABLE {_q(table)} IN SHARE MODE")
    cursor.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", [_LOCK_CLASS, table])
    cursor.execute(f"DELETE FROM {COUNT_TABLE} WHERE table_name = %s", [table])
    cursor.execute(
        f"INSERT INTO {COUNT_TABLE} (table_name, delta) SELECT %s, count(*) FROM {_q(table)}",
        [table],
    )


_FUNCTIONS_FINGERPRINT = TriggerDef("", "", "\n".join(_FUNCTIONS_SQL)).fingerprint


def _functions_sync(cursor) -> None:
    """(Re)create the shared functions only when their text changed (the fold function's comment
    holds the fingerprint of them all)."""
    cursor.execute(f"SELECT obj_description(to_regprocedure('{TRIGGER_PREFIX}fold(text)'), 'pg_proc')")
    if cursor.fetchone()[0] == _FUNCTIONS_FINGERPRINT:
        return
    for statement in _FUNCTIONS_SQL:
        cursor.execute(statement)
    cursor.execute(f"COMMENT ON FUNCTION {TRIGGER_PREFIX}fold(text) IS '{_FUNCTIONS_FINGERPRINT}'")


def row_count_triggers_install(connection: BaseDatabaseWrapper) -> None:
    """Every counted table's triggers in step, in one transaction (``sql.triggers``: unchanged ones
    are not touched); a table that had none is counted again from ``COUNT(*)`` (its rows were
    written with nothing counting them: a new table, or triggers dropped)."""
    if not _uses_counter(connection):
        return
    existing = set(connection.introspection.table_names())
    if COUNT_TABLE not in existing:
        return
    tables = [table for table in counted_tables() if table in existing]
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        _functions_sync(cursor)
        counted_before = {table for table, _fingerprint in installed(connection, TRIGGER_PREFIX).values()}
        triggers_sync(connection, TRIGGER_PREFIX, [trigger for table in tables for trigger in _trigger_defs(table)])
        for table in tables:
            if table not in counted_before:
                _seed(cursor, table)
        cursor.execute(f"DELETE FROM {COUNT_TABLE} WHERE NOT (table_name = ANY(%s))", [tables])


def row_counts_reseed(connection: BaseDatabaseWrapper, tables: list[str] | None = None) -> None:
    """Count ``tables`` (default: all) again from ``COUNT(*)``: after writes that skipped triggers."""
    if not _uses_counter(connection):
        return
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        for table in tables or counted_tables():
            _seed(cursor, table)


def after_migrate(sender, using: str = "default", **kwargs) -> None:
    row_count_triggers_install(connections[using])


# --- Reading and compacting ----------------------------------------------------------------------


def compact(connection: BaseDatabaseWrapper, table: str) -> bool:
    """Fold the table's delta rows into one; False when another fold holds the table."""
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute(f"SELECT {TRIGGER_PREFIX}fold(%s)", [table])
        return bool(cursor.fetchone()[0])


def stored_count(connection: BaseDatabaseWrapper, table: str) -> int | None:
    """The table's row count from its counter; None when the table has no counter."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT sum(delta), count(*) FROM {COUNT_TABLE} WHERE table_name = %s", [table])
        total, rows = cursor.fetchone()
    if rows == 0:
        return None
    if rows > COMPACT_ABOVE:
        compact(connection, table)
    return int(total)


def _whole_table(queryset: QuerySet) -> str | None:
    """The table whose every row ``queryset`` yields once, or None when it may yield fewer or more."""
    query = queryset.query
    if (
        query.where
        or query.distinct
        or query.combinator
        or query.group_by is not None
        or query.low_mark
        or query.high_mark is not None
        or query.is_empty()
    ):
        return None
    table = queryset.model._meta.concrete_model._meta.db_table
    return table if table in _counted() else None


_COUNTED: frozenset[str] | None = None


def _counted() -> frozenset[str]:
    global _COUNTED
    if _COUNTED is None:
        _COUNTED = frozenset(counted_tables())
    return _COUNTED


def counter_serves(queryset: QuerySet) -> bool:
    """Whether ``exact_count(queryset)`` reads a counter rather than counting rows."""
    return _uses_counter(connections[queryset.db]) and _whole_table(queryset) is not None


def exact_count(queryset: QuerySet) -> int:
    """The number of rows ``queryset`` yields: from the table's counter when the queryset is the
    whole table on PostgreSQL, else ``queryset.count()``.

    Counted on the primary unless the queryset names its database, never on a read replica
    (docs/deployment.md): clients page on the total, so it must include what was just written,
    and reading a counter may fold its deltas, a write a replica cannot take."""
    if queryset._db is None:
        queryset = queryset.using(DEFAULT_DB_ALIAS)
    connection = connections[queryset.db]
    table = _whole_table(queryset) if _uses_counter(connection) else None
    if table is not None:
        total = stored_count(connection, table)
        if total is not None:
            return total
    return queryset.count()
