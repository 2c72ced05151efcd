"""Database triggers the platform keeps in step with its models (the audit history, the row
counters), installed so that installing them again changes nothing.

A trigger is described by a ``TriggerDef``: its name, its table, the ``CREATE TRIGGER`` statement
and, on PostgreSQL, the function it alone calls. ``triggers_sync`` makes the database hold
exactly the wanted triggers of a name prefix, in one transaction: a trigger whose definition is
unchanged is left alone, a changed one is replaced, a missing one created, one no longer wanted
dropped. Definitions are compared by a fingerprint of their SQL: on PostgreSQL kept as the
trigger's comment, on SQLite the stored ``CREATE TRIGGER`` text itself.

So a ``migrate`` with nothing to do touches no trigger, and a real change replaces the changed
triggers inside one transaction: on PostgreSQL it locks their tables until it commits, on SQLite
it holds the database's write lock, so concurrent writers wait and none commits in between
without its trigger.
"""

# Statements name only identifiers from the models (quoted by quote_name) and our own SQL.
# ruff: noqa: S608
from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.backends.base.base import BaseDatabaseWrapper

_COMMENT = "csm:"


@dataclass(frozen=True)
class TriggerDef:
    name: str
    table: str
    create: str
    #: PostgreSQL: ``CREATE OR REPLACE FUNCTION`` of the function this trigger alone executes,
    #: named like the trigger (dropped with it). Empty when the trigger calls a shared function.
    function: str = ""

    @property
    def fingerprint(self) -> str:
        return hashlib.sha256(f"{self.function}\n{self.create}".encode()).hexdigest()[:32]


def supported(connection: BaseDatabaseWrapper) -> bool:
    return connection.vendor in ("sqlite", "postgresql")


def installed(connection: BaseDatabaseWrapper, prefix: str) -> dict[str, tuple[str, str | None]]:
    """Name -> (table, fingerprint) of the triggers whose name starts with ``prefix``
    (fingerprint None for one this module did not make)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT t.tgname, c.relname, obj_description(t.oid, 'pg_trigger') FROM pg_trigger t "
                "JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace s ON s.oid = c.relnamespace "
                "WHERE NOT t.tgisinternal AND t.tgname LIKE %s AND s.nspname = current_schema()",
                [prefix + "%"],
            )
            return {
                name: (table, comment[len(_COMMENT) :] if comment and comment.startswith(_COMMENT) else None)
                for name, table, comment in cursor.fetchall()
            }
        cursor.execute("SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s",
                       [prefix + "%"])  # fmt: skip
        return {name: (table, TriggerDef(name, table, sql).fingerprint) for name, table, sql in cursor.fetchall()}


def triggers_sync(
    connection: BaseDatabaseWrapper, prefix: str, wanted: Iterable[TriggerDef], *, tables: Iterable[str] | None = None
) -> list[TriggerDef]:
    """Make the ``prefix`` triggers (of ``tables`` only, when given) exactly ``wanted``; the
    triggers created or replaced. One transaction (see the module docstring)."""
    if not supported(connection):
        return []
    wanted = list(wanted)
    scope = None if tables is None else set(tables)
    with transaction.atomic(using=connection.alias):
        present = installed(connection, prefix)
        keep = {trigger.name for trigger in wanted}
        with connection.cursor() as cursor:
            for name, (table, _fingerprint) in sorted(present.items()):
                if name not in keep and (scope is None or table in scope):
                    _drop(cursor, connection, name, table)
            changed = [t for t in wanted if present.get(t.name) != (t.table, t.fingerprint)]
            for trigger in changed:
                if trigger.name in present:
                    _drop(cursor, connection, trigger.name, present[trigger.name][0], function=False)
                if connection.vendor == "postgresql":
                    if trigger.function:
                        cursor.execute(trigger.function)
                    cursor.execute(trigger.create)
                    cursor.execute(
                        f"COMMENT ON TRIGGER {_q(trigger.name)} ON {_q(trigger.table)} IS "
                        f"'{_COMMENT}{trigger.fingerprint}'"
                    )
                else:
                    cursor.execute(trigger.create)
    return changed


def triggers_drop(connection: BaseDatabaseWrapper, prefix: str, *, tables: Iterable[str] | None = None) -> None:
    """Drop the ``prefix`` triggers (of ``tables`` only, when given), and their own functions."""
    if not supported(connection):
        return
    scope = None if tables is None else set(tables)
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        for name, (table, _fingerprint) in sorted(installed(connection, prefix).items()):
            if scope is None or table in scope:
                _drop(cursor, connection, name, table)


def _drop(cursor, connection: BaseDatabaseWrapper, name: str, table: str, *, function: bool = True) -> None:
    if connection.vendor == "postgresql":
        cursor.execute(f"DROP TRIGGER IF EXISTS {_q(name)} ON {_q(table)}")
        if function:
            # A trigger's own function has its name; shared functions have other names and stay.
            cursor.execute(f"DROP FUNCTION IF EXISTS {_q(name)}()")
    else:
        cursor.execute(f"DROP TRIGGER IF EXISTS {_q(name)}")


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
