"""A contact's sort keys kept on ``customer_contact``, so its common lists are index-served.

A contact is two rows: ``sys_user`` (names, e-mail, number, creation time) and
``customer_contact`` (account, ...). A list filtered on one table and sorted on the other (an
account's contacts by last name) cannot walk one index: the database joins every match and
sorts it. So ``customer_contact`` keeps a copy of the sort keys its lists use, exactly as the
list sorts them (strings lower-cased, in code-point order: ``COLLATE "C"`` on PostgreSQL), and
indexes them alone and after the account. The compiler sorts a contact list by these columns
(``Contact.list_sort_keys``); a filter on ``sys_user`` (``active``) is then checked row by row
while the index gives the order, so a page reads about a page of rows.

The columns are not model fields: Django never writes them. Database triggers do, on every way
of writing: a new ``customer_contact`` row takes its keys from its ``sys_user`` row (unless the
writer gave them, as a bulk load does), and a change of the keyed ``sys_user`` columns is copied
to the contact. ``list_keys_install`` makes the columns, triggers and indexes where missing
and fills the keys of rows without them; it runs from contacts migration 0007 and after every
``migrate`` (SQLite rebuilds a table from the model to alter it, dropping what Django does not
know); run again with everything in place it changes nothing.
"""

# Identifiers and SQL here are ours (no request data).
# ruff: noqa: S608
from __future__ import annotations

from django.db import transaction
from django.db.backends.base.base import BaseDatabaseWrapper

from csm_project.core.sql.triggers import TriggerDef, triggers_drop, triggers_sync

TABLE = "customer_contact"
PARENT = "sys_user"
PK = "user_ptr_id"

#: sys_user column -> customer_contact column holding its sort key.
STRING_KEYS = {
    "name": "list_name",
    "last_name": "list_last_name",
    "email": "list_email",
    "employee_number": "list_number",
}
TIME_KEYS = {"sys_created_on": "list_created_on"}
KEYS = {**STRING_KEYS, **TIME_KEYS}

TRIGGER_PREFIX = "customer_contact_list_keys"


def _key_sql(parent_column: str, row: str) -> str:
    ref = f'{row}."{parent_column}"'
    return f"lower({ref})" if parent_column in STRING_KEYS else ref


def _index_statements(vendor: str) -> list[str]:
    statements = []
    for parent_column, column in KEYS.items():
        nulls = " NULLS FIRST" if vendor == "postgresql" and parent_column in STRING_KEYS else ""
        statements.append(f'CREATE INDEX IF NOT EXISTS "{TABLE}_{column}_idx" ON "{TABLE}" ("{column}"{nulls}, "{PK}")')
        statements.append(
            f'CREATE INDEX IF NOT EXISTS "{TABLE}_account_{column}_idx" '
            f'ON "{TABLE}" ("account_id", "{column}"{nulls}, "{PK}")'
        )
    return statements


def _columns(connection: BaseDatabaseWrapper) -> set[str]:
    with connection.cursor() as cursor:
        return {info.name for info in connection.introspection.get_table_description(cursor, TABLE)}


def _postgresql(connection: BaseDatabaseWrapper) -> tuple[list[str], list[TriggerDef]]:
    present = _columns(connection)
    statements = []
    for parent_column, column in KEYS.items():
        if column in present:
            continue
        kind = 'text COLLATE "C"' if parent_column in STRING_KEYS else "timestamp with time zone"
        statements.append(f'ALTER TABLE "{TABLE}" ADD COLUMN "{column}" {kind}')
    selected = ", ".join(_key_sql(p, "u") for p in KEYS)
    targets = ", ".join(f'NEW."{column}"' for column in KEYS.values())
    copied = ", ".join(f'"{column}" = {_key_sql(p, "NEW")}' for p, column in KEYS.items())
    changed = " OR ".join(f'OLD."{p}" IS DISTINCT FROM NEW."{p}"' for p in KEYS)
    fill, follow = f"{TRIGGER_PREFIX}_fill", f"{TRIGGER_PREFIX}_follow"
    triggers = [
        TriggerDef(
            fill,
            TABLE,
            f'CREATE TRIGGER {fill} BEFORE INSERT ON "{TABLE}" FOR EACH ROW '
            f"WHEN (NEW.list_created_on IS NULL) EXECUTE FUNCTION {fill}()",
            f"CREATE OR REPLACE FUNCTION {fill}() RETURNS trigger LANGUAGE plpgsql AS $fn$ "
            f'BEGIN SELECT {selected} INTO {targets} FROM "{PARENT}" u WHERE u.sys_id = NEW."{PK}"; '
            "RETURN NEW; END $fn$",
        ),
        TriggerDef(
            follow,
            PARENT,
            f'CREATE TRIGGER {follow} AFTER UPDATE OF {", ".join(KEYS)} ON "{PARENT}" FOR EACH ROW '
            f"WHEN ({changed}) EXECUTE FUNCTION {follow}()",
            f"CREATE OR REPLACE FUNCTION {follow}() RETURNS trigger LANGUAGE plpgsql AS $fn$ "
            f'BEGIN UPDATE "{TABLE}" SET {copied} WHERE "{PK}" = NEW.sys_id; RETURN NULL; END $fn$',
        ),
    ]
    return statements, triggers


def _sqlite(connection: BaseDatabaseWrapper) -> tuple[list[str], list[TriggerDef]]:
    present = _columns(connection)
    statements = [
        f'ALTER TABLE "{TABLE}" ADD COLUMN "{column}" text' for column in KEYS.values() if column not in present
    ]
    columns = ", ".join(f'"{column}"' for column in KEYS.values())
    selected = ", ".join(_key_sql(p, "u") for p in KEYS)
    from_new = ", ".join(_key_sql(p, "NEW") for p in KEYS)
    changed = " OR ".join(f'OLD."{p}" IS NOT NEW."{p}"' for p in KEYS)
    fill, follow = f"{TRIGGER_PREFIX}_fill", f"{TRIGGER_PREFIX}_follow"
    triggers = [
        TriggerDef(
            fill,
            TABLE,
            f'CREATE TRIGGER {fill} AFTER INSERT ON "{TABLE}" FOR EACH ROW '
            f"WHEN NEW.list_created_on IS NULL BEGIN "
            f'UPDATE "{TABLE}" SET ({columns}) = (SELECT {selected} FROM "{PARENT}" u WHERE u.sys_id = NEW."{PK}") '
            f'WHERE "{PK}" = NEW."{PK}"; END',
        ),
        TriggerDef(
            follow,
            PARENT,
            f'CREATE TRIGGER {follow} AFTER UPDATE OF {", ".join(KEYS)} ON "{PARENT}" FOR EACH ROW '
            f'WHEN {changed} BEGIN UPDATE "{TABLE}" SET ({columns}) = ({from_new}) WHERE "{PK}" = NEW.sys_id; END',
        ),
    ]
    return statements, triggers


def _backfill(vendor: str) -> str:
    if vendor == "postgresql":
        copied = ", ".join(f'"{column}" = {_key_sql(p, "u")}' for p, column in KEYS.items())
        return (
            f'UPDATE "{TABLE}" c SET {copied} FROM "{PARENT}" u WHERE u.sys_id = c."{PK}" AND c.list_created_on IS NULL'
        )
    columns = ", ".join(f'"{column}"' for column in KEYS.values())
    selected = ", ".join(_key_sql(p, "u") for p in KEYS)
    return (
        f'UPDATE "{TABLE}" SET ({columns}) = (SELECT {selected} FROM "{PARENT}" u WHERE u.sys_id = "{TABLE}"."{PK}") '
        "WHERE list_created_on IS NULL"
    )


def list_keys_install(connection: BaseDatabaseWrapper) -> None:
    """Columns, triggers and indexes of the contact sort keys where missing; keys filled. With
    everything in place it changes nothing (``triggers_sync`` leaves unchanged triggers alone)."""
    if connection.vendor not in ("postgresql", "sqlite"):
        return
    if TABLE not in connection.introspection.table_names():
        return
    build = _postgresql if connection.vendor == "postgresql" else _sqlite
    with transaction.atomic(using=connection.alias):
        statements, triggers = build(connection)
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
        triggers_sync(connection, TRIGGER_PREFIX, triggers)
        with connection.cursor() as cursor:
            cursor.execute(_backfill(connection.vendor))
            for statement in _index_statements(connection.vendor):
                cursor.execute(statement)


def list_keys_drop(connection: BaseDatabaseWrapper) -> None:
    """Undo ``list_keys_install`` (migration 0007 reversed)."""
    triggers_drop(connection, TRIGGER_PREFIX)
    with connection.cursor() as cursor:
        for column in KEYS.values():
            cursor.execute(f'DROP INDEX IF EXISTS "{TABLE}_{column}_idx"')
            cursor.execute(f'DROP INDEX IF EXISTS "{TABLE}_account_{column}_idx"')
        present = _columns(connection)
        for column in KEYS.values():
            if column in present:
                cursor.execute(f'ALTER TABLE "{TABLE}" DROP COLUMN "{column}"')


def after_migrate(sender, using: str = "default", **kwargs) -> None:
    """``post_migrate``: put back what a table rebuild dropped (nothing to do normally)."""
    from django.db import connections

    list_keys_install(connections[using])
