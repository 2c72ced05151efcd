"""Table access rules (``TableAccess``): which roles may read and which may write each table
through the generic Table API. The rules are data staff edit in the admin; this module reads
them on every request (a change applies at once), in one small query together with the
caller's roles.
"""

from functools import cache

from django.db import connection

from csm_project.core.access.role_names import ADMIN
from csm_project.core.models import TableAccess, User


def table_access_allows(*, user: User, table: str, write: bool) -> bool:
    """Whether ``user`` may read (``write=False``) or create/update/delete records of ``table``.

    A superuser or a holder of ``admin`` may do anything, except write a table whose rule is
    marked not writable (nobody may). Anyone else needs one of the rule's read or write roles;
    a table without a rule admits ``admin`` only.
    """
    if not user.is_active:
        return False
    with connection.cursor() as cursor:
        cursor.execute(_access_sql(write), [user.pk, ADMIN, table, user.pk, table])
        is_admin, granted, frozen = cursor.fetchone()
    if write and frozen:
        return False
    return bool(user.is_superuser or is_admin or granted)


@cache
def _access_sql(write: bool) -> str:
    """(holds admin, holds a role the rule grants, rule not writable) in one statement. Written
    as SQL because the ORM's version costs more to build than the three index look-ups it runs
    on every Table API request. Only table and column names from the models are spliced in;
    the user and table name are bound parameters."""
    quote = connection.ops.quote_name
    held = User.roles.through._meta
    role = User.roles.field.related_model._meta
    rule = TableAccess._meta
    granting = (TableAccess.write_roles if write else TableAccess.read_roles).through._meta
    held_user, held_role = (quote(held.get_field(name).column) for name in ("user", "role"))
    granting_rule, granting_role = (quote(granting.get_field(name).column) for name in ("tableaccess", "role"))
    table_column, writable = quote(rule.get_field("table").column), quote(rule.get_field("writable").column)
    return (
        f"SELECT EXISTS (SELECT 1 FROM {quote(held.db_table)} h JOIN {quote(role.db_table)} r"  # noqa: S608
        f" ON r.{quote(role.pk.column)} = h.{held_role} WHERE h.{held_user} = %s AND r.{quote('name')} = %s),"
        f" EXISTS (SELECT 1 FROM {quote(granting.db_table)} g JOIN {quote(rule.db_table)} t"
        f" ON t.{quote(rule.pk.column)} = g.{granting_rule} JOIN {quote(held.db_table)} h"
        f" ON h.{held_role} = g.{granting_role} WHERE t.{table_column} = %s AND h.{held_user} = %s),"
        f" EXISTS (SELECT 1 FROM {quote(rule.db_table)} t WHERE t.{table_column} = %s AND NOT t.{writable})"
    )
