"""``sys_user_has_role``: a database view over the user-role link table, one row per grant.

Its sys_id is the grant's audit key (``csm_project.core.sql.audit.grant_key``: md5 of
``user:role``), so ``sys_audit`` rows with that ``documentkey`` are the grant's history; its
creation time and creator are those of the latest grant found there (the user's own creation
time when the history was archived). The view is built from the models' table and column
names, dropped before a ``migrate`` that applies migrations and rebuilt after it (so a migration
is free to rebuild the tables under it, as SQLite's ``ALTER TABLE`` does); after a flush, and
after a ``migrate`` with nothing to apply, it is rebuilt only if its SQL changed.
"""

# Only table and column names from the models (quoted) and literals of this module reach the SQL.
# ruff: noqa: S608
from __future__ import annotations

import hashlib

from django.db.backends.base.base import BaseDatabaseWrapper

from csm_project.core.models import SysAudit, User, UserHasRole
from csm_project.core.sql.audit import GRANT_TABLE

VIEW = UserHasRole._meta.db_table


def _view_sql(connection: BaseDatabaseWrapper) -> str:
    q = connection.ops.quote_name
    held = User.roles.through._meta
    user_column, role_column = (q(held.get_field(name).column) for name in ("user", "role"))
    users, audit = User._meta, SysAudit._meta

    def column(meta, name: str) -> str:
        return q(meta.get_field(name).column)

    if connection.vendor == "postgresql":
        key = f"md5(h.{user_column} || ':' || h.{role_column})"
        boolean_false, text_null = "false", "NULL::text"
    else:
        key = f"csm_audit_key(h.{user_column}, h.{role_column})"
        boolean_false, text_null = "0", "NULL"
    latest = (
        f"FROM {q(audit.db_table)} a WHERE a.{column(audit, 'documentkey')} = {key}"
        f" AND a.{column(audit, 'tablename')} = '{GRANT_TABLE}' AND a.{column(audit, 'fieldname')} = 'role'"
        f" AND a.{column(audit, 'newvalue')} <> '' ORDER BY a.{column(audit, 'sys_created_on')} DESC LIMIT 1"
    )
    granted_on = f"COALESCE((SELECT a.{column(audit, 'sys_created_on')} {latest}), u.{column(users, 'sys_created_on')})"
    granted_by = f"COALESCE((SELECT a.{column(audit, 'user')} {latest}), '')"
    meta = UserHasRole._meta
    selected = {
        "sys_id": key,
        "user": f"h.{user_column}",
        "role": f"h.{role_column}",
        "state": "'active'",
        "inherited": boolean_false,
        "sys_created_on": granted_on,
        "sys_created_by": granted_by,
        "sys_updated_on": granted_on,
        "sys_updated_by": granted_by,
        "sys_mod_count": "0",
        "sys_domain": "'global'",
        "sys_domain_path": "'/'",
        "sys_class_name": f"'{UserHasRole.sys_table}'",
        "sys_tags": text_null,
    }
    columns = ", ".join(f"{expression} AS {column(meta, name)}" for name, expression in selected.items())
    return (
        f"CREATE VIEW {q(VIEW)} AS SELECT {columns} FROM {q(held.db_table)} h"
        f" JOIN {q(users.db_table)} u ON u.{q(users.pk.column)} = h.{user_column}"
    )


def grants_view_drop(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP VIEW IF EXISTS {connection.ops.quote_name(VIEW)}")


def grants_view_create(connection: BaseDatabaseWrapper) -> bool:
    """(Re)build the view, if the tables it reads exist and it is not already as the models call
    for (a ``migrate`` with nothing to do changes nothing). Returns whether it was built."""
    needed = {User.roles.through._meta.db_table, User._meta.db_table, SysAudit._meta.db_table}
    if not needed <= set(connection.introspection.table_names()):
        return False
    sql = _view_sql(connection)
    fingerprint = hashlib.md5(sql.encode(), usedforsecurity=False).hexdigest()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT obj_description(to_regclass(%s), 'pg_class')", [VIEW])
            current = cursor.fetchone()[0]
        else:
            cursor.execute("SELECT sql FROM sqlite_master WHERE type = 'view' AND name = %s", [VIEW])
            found = cursor.fetchone()
            current = found and hashlib.md5(found[0].encode(), usedforsecurity=False).hexdigest()
        if current == fingerprint:
            return False
        cursor.execute(f"DROP VIEW IF EXISTS {connection.ops.quote_name(VIEW)}")
        cursor.execute(sql)
        if connection.vendor == "postgresql":
            cursor.execute(f"COMMENT ON VIEW {connection.ops.quote_name(VIEW)} IS '{fingerprint}'")
    return True
