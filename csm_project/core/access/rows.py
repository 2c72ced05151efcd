"""Row rules: which rows of a table a caller reaches (docs/row-access.md), beside the table
rules (``table_access``) and the field rules (``fields``).

The rules are data (``RowAccess``, edited in the admin; the external roles' rules are seeded by
migrations). A role named in any rule is *row-limited*: through it a caller reaches, on each
table, only the rows its rules there admit for the operation (``read``, ``create``, ``update``,
``delete``), the rows whose ``field`` equals the caller's value; on a table where none of its
rules does, no row. A caller reaches every row of a table when it is the system, a superuser, a
holder of ``admin``, or holds a role the table rule grants that is not row-limited.

Everything that builds a caller's rows asks here:

- ``rows_for`` filters a queryset: the encoded-query entry (``apply_encoded_query``, under every
  list, count, ``X-Total-Count``, Aggregate and Batch item), the Table API's get, update and
  delete look-ups, the record APIs, and the attachment rights (an attachment on a row the caller
  cannot reach does not exist for it);
- ``row_limited`` tells the dot-walk resolver (``fields.table_reader``) not to enter a table the
  caller reaches only in part, so a term through a reference can say nothing about a row outside
  the caller's rows;
- ``check_row_write`` is asked by the record engine on every write: the record as it will be
  stored must lie inside the caller's rows for the operation and for reading (a customer cannot
  create or move a record onto another account).

The filter is one equality (or ``IN``) on the rule's field with values read once per request
(the caller's account: one indexed look-up), so a list stays a plain indexed predicate.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from csm_project.core.access.actor import current_actor_user
from csm_project.core.access.role_names import ADMIN
from csm_project.core.errors import DomainError
from csm_project.core.models import RowAccess, SysRecord, TableAccess
from csm_project.registry import TableSpec, get_table

READ, CREATE, UPDATE, DELETE = "read", "create", "update", "delete"
OPERATIONS = (READ, CREATE, UPDATE, DELETE)
NOTHING = Q(pk__in=[])

CREATE_REFUSED = "Insufficient rights to create records"
UPDATE_REFUSED = "Insufficient rights to update records"


class RowOutsideReach(DomainError):
    """The record written would lie outside the caller's rows."""

    kind = "forbidden"


# --- the caller's rows ------------------------------------------------------------------------


def row_filter(user, table: TableSpec | str, operation: str = READ) -> Q | None:
    """The condition on ``table``'s rows ``user`` reaches for ``operation``: ``None`` for every
    row, else a ``Q`` (``NOTHING`` when no rule admits a row)."""
    name = table if isinstance(table, str) else table.name
    if user is None:
        return None  # the system: commands, imports, migrations
    if not getattr(user, "is_authenticated", False) or not user.is_active or user.is_superuser:
        return None  # the table rules refuse anonymous and inactive callers; row rules narrow roles
        return None
    held = user.role_names()
    if ADMIN in held:
        return None
    cache = user.__dict__.setdefault("_row_filters", {})
    key = (name, operation)
    if key not in cache:
        cache[key] = _filter(user, held, name, operation)
    return cache[key]


def row_limited(user, table: TableSpec | str) -> bool:
    """Whether ``user`` reads only some rows of ``table`` (a dot-walk does not enter it)."""
    return row_filter(user, table, READ) is not None


def rows_for(queryset: QuerySet, user, operation: str = READ, *, table: TableSpec | str | None = None) -> QuerySet:
    """``queryset`` narrowed to the rows ``user`` reaches for ``operation``."""
    condition = row_filter(user, table or queryset.model.sys_table, operation)
    return queryset if condition is None else queryset.filter(condition)


def _rules(user, name: str) -> list[tuple[str, str, str, str, str, dict[str, bool]]]:
    """The table's row rules (one query per table per request)."""
    cache = user.__dict__.setdefault("_row_rules", {})
    if name not in cache:
        cache[name] = [
            (rule.role.name, rule.field, rule.caller_table, rule.caller_match, rule.caller_field,
             {operation: getattr(rule, operation) for operation in OPERATIONS})
            for rule in RowAccess.objects.filter(table=name).select_related("role")
        ]  # fmt: skip
    return cache[name]


def _limited_roles(user) -> frozenset[str]:
    """The roles named in any row rule (one query per request, whatever the tables)."""
    cached = user.__dict__.get("_row_limited_roles")
    if cached is None:
        cached = frozenset(RowAccess.objects.values_list("role__name", flat=True).distinct())
        user.__dict__["_row_limited_roles"] = cached
    return cached


def _filter(user, held: frozenset[str], name: str, operation: str) -> Q | None:
    if not held or not held & _limited_roles(user):
        return None  # the common case: no row-limited role anywhere, one small query
    rules = _rules(user, name)
    # A role named in any row rule is row-limited on every table: where no rule of it admits a
    # row, it reaches none (removing its rules never opens a table to it).
    others = held - _limited_roles(user)
    if others:
        column = "read_roles__name" if operation == READ else "write_roles__name"
        granting = set(TableAccess.objects.filter(table=name).values_list(column, flat=True))
        if others & granting:
            return None  # another role reaches the whole table
    condition = NOTHING
    table = get_table(name)
    for role, field, caller_table, match, source, operations in rules:
        if role not in held or not operations[operation]:
            continue
        values = caller_values(user, caller_table, match, source)
        if not values:
            continue
        path = _path(table, field)
        term = Q(**{path: values[0]}) if len(values) == 1 else Q(**{f"{path}__in": values})
        condition = term if condition is NOTHING else condition | term
    return condition


def _path(table: TableSpec, field: str) -> str:
    spec = table.field(field)
    if spec is None:
        raise LookupError(f"row rule on {table.name}: unknown field {field!r}")
    return spec.model_field


def caller_values(user, caller_table: str, match: str, source: str) -> list[str]:
    """The caller's value(s) a rule compares with: its own sys_id, or the ``source`` field of the
    ``caller_table`` rows whose ``match`` field holds its sys_id (cached for the request)."""
    if not caller_table:
        return [user.pk]
    cache = user.__dict__.setdefault("_row_caller_values", {})
    key = (caller_table, match, source)
    if key not in cache:
        table = get_table(caller_table)
        rows = table.model.objects.filter(**{_path(table, match): user.pk}).values_list(_path(table, source), flat=True)
        cache[key] = sorted({str(value) for value in rows if value is not None})
    return cache[key]


# --- writes -------------------------------------------------------------------------------------


def check_row_write(table: TableSpec, record: SysRecord, *, creating: bool) -> None:
    """Raise ``RowOutsideReach`` unless the acting user may store ``record`` as it now is: inside
    its rows for the write (create or update) and for reading."""
    user = current_actor_user()
    if user is None:
        return
    operation = CREATE if creating else UPDATE
    for needed in (operation, READ):
        condition = row_filter(user, table, needed)
        if condition is not None and not _holds(user, table, record, needed):
            refused = CREATE_REFUSED if creating else UPDATE_REFUSED
            raise RowOutsideReach(f"{refused}: the record would be outside the rows you may reach")


def _holds(user, table: TableSpec, record: SysRecord, operation: str) -> bool:
    """Whether ``record`` (not yet saved) meets one of the caller's rules for ``operation``."""
    held = user.role_names()
    for role, field, caller_table, match, source, operations in _rules(user, table.name):
        if role not in held or not operations[operation]:
            continue
        if _value(table, record, field) in caller_values(user, caller_table, match, source):
            return True
    return False


def _value(table: TableSpec, record: SysRecord, field: str) -> Any:
    model_field = record._meta.get_field(_path(table, field))
    value = getattr(record, model_field.attname)
    return None if value is None else str(value)
