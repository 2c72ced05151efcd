"""Rights below the table: who may change which fields of which records, and which tables a
dot-walk may enter (docs/access.md).

Writes (``check_update``, ``check_delete``), asked by the record engine
(``csm_project.core.records.services``) on every write whatever the way in:

- A field with a ``FieldAccess`` rule (data, edited in the admin; the login fields of users and
  contacts are seeded) may be changed on an existing record only by a holder of one of the
  rule's roles, or by someone who administers logins (``administers_logins``). A rule on a
  table holds for the tables extending it (``sys_user.active`` guards contacts too). A new
  record cannot log in (no usable password, no role), so its creator sets its fields freely.
- A user or contact that can log in (a usable password, a role, staff or superuser) is
  updated or deleted only by someone who administers logins.
- The system (management commands, imports, migrations: no acting user) passes both.

A refusal is ``AccessDenied`` (a ``DomainError`` of kind ``forbidden``: the APIs' 403 envelope,
a form error in the admin), raised before anything is written.

User names (``user_name_reserved``): no user may be named like an actor the platform writes
under (``system``, any case), since ``sys_created_by`` and the audit's ``user`` hold names.

Reads (``table_reader``, ``staff_reader``): a dot-walk enters each referenced table only when
the caller may read it; the encoded-query compiler and the field-path resolvers take the
reader and treat a hop it refuses like an unknown field. The display value of a reference the
caller may read is part of that field, so a last hop onto the target's display field needs no
right on the target.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cache
from typing import Any

from csm_project.core.access.actor import SYSTEM, current_actor_user
from csm_project.core.access.role_names import ADMIN
from csm_project.core.access.rows import DELETE, row_filter, row_limited
from csm_project.core.access.table_access import table_access_allows
from csm_project.core.errors import DomainError, FieldError
from csm_project.core.models import FieldAccess, SysRecord, User
from csm_project.core.records.wire_values import password_text
from csm_project.registry import TableSpec, all_tables

#: Names the platform writes under as an actor; no user may hold one (compared without case).
RESERVED_USER_NAMES = frozenset({SYSTEM})

#: The staff permission of those who manage users (and give logins) in the admin.
MANAGE_USERS = "core.change_user"

UPDATE_REFUSED = "Insufficient rights to update records"
DELETE_REFUSED = "Insufficient rights to delete records"
PASSWORD_REFUSED = "Insufficient rights to set a password: only an admin sets one"  # noqa: S105 - a message

#: May the caller read this table? (asked for each table a dot-walk enters)
TableReader = Callable[[TableSpec], bool]


class AccessDenied(DomainError):
    """The caller may not write this record, or these fields of it."""

    kind = "forbidden"


# --- writes ----------------------------------------------------------------------------------


def administers_logins(user: User | None) -> bool:
    """Whether ``user`` may change logins: the system (``None``), a superuser, a holder of
    ``admin``, or staff who manage users in the admin."""
    if user is None:
        return True
    if not user.is_active:
        return False
    if user.is_superuser or ADMIN in user.role_names():
        return True
    return bool(user.is_staff and user.has_perm(MANAGE_USERS))


def can_log_in(record: SysRecord) -> bool:
    """Whether ``record`` is a user (or contact) that can log in, or could once re-activated."""
    if not isinstance(record, User) or record._state.adding:
        return False
    if (record.password and record.has_usable_password()) or record.is_staff or record.is_superuser:
        return True
    return User.roles.through.objects.filter(user_id=record.pk).exists()


def check_update(table: TableSpec, record: SysRecord, changed: Iterable[str]) -> None:
    """Raise ``AccessDenied`` unless the acting user may change the fields ``changed`` of the
    existing ``record`` of ``table`` (see the module docstring)."""
    user = current_actor_user()
    if administers_logins(user):
        return
    if can_log_in(record) and record.pk != user.pk:  # one's own record: its guarded fields stay guarded
        raise AccessDenied(f"{UPDATE_REFUSED}: the record is a login, which only an admin changes")
    names = list(changed)
    if not names:
        return
    held = user.role_names()
    refused = [name for name, roles in _field_rules(table, names).items() if not roles & held]
    if refused:
        raise AccessDenied(
            [FieldError(name, f"{UPDATE_REFUSED}: only an admin changes this field") for name in sorted(refused)]
        )


def check_secrets(table: TableSpec, record: SysRecord, changed: Iterable[str]) -> None:
    """Raise ``AccessDenied`` unless the acting user may give ``record`` the passwords among
    ``changed``, on a new record as on an existing one (a password is what lets a record log
    in): only those who administer logins may. Leaving a record without a password (``""``
    where none was) needs no right; taking one from a login is ``check_update``'s refusal."""
    secret = []
    for name in changed:
        spec = table.field(name)
        if spec is not None and spec.is_secret and password_text(getattr(record, spec.model_field, "")):
            secret.append(name)
    if secret and not administers_logins(current_actor_user()):
        raise AccessDenied([FieldError(name, PASSWORD_REFUSED) for name in sorted(secret)])


def check_delete(record: SysRecord) -> None:
    """Raise ``AccessDenied`` unless the acting user may delete ``record``."""
    user = current_actor_user()
    if not administers_logins(user) and can_log_in(record):
        raise AccessDenied(f"{DELETE_REFUSED}: the record is a login, which only an admin deletes")
    condition = row_filter(user, record.sys_table, DELETE)
    if condition is not None and not type(record)._base_manager.filter(condition, pk=record.pk).exists():
        raise AccessDenied(f"{DELETE_REFUSED}: the record is outside the rows you may reach")


def _field_rules(table: TableSpec, names: list[str]) -> dict[str, frozenset[str]]:
    """The guarded fields among ``names`` -> the roles that may change them (one query)."""
    rows = FieldAccess.objects.filter(table__in=_lineage(table.name), field__in=names).values_list(
        "field", "write_roles__name"
    )
    rules: dict[str, set[str]] = {}
    for name, role in rows:
        rules.setdefault(name, set())
        if role:
            rules[name].add(role)
    return {name: frozenset(roles) for name, roles in rules.items()}


@cache
def _lineage(table: str) -> tuple[str, ...]:
    """``table`` and the registry tables it extends (a contact's: customer_contact, sys_user)."""
    model = all_tables()[table].model
    return tuple(sorted(name for name, spec in all_tables().items() if issubclass(model, spec.model)))


def user_name_reserved(user_name: Any) -> bool:
    """Whether ``user_name`` is one no user may hold."""
    return isinstance(user_name, str) and user_name.strip().lower() in RESERVED_USER_NAMES


def reserved_name_message(user_name: str) -> str:
    return f"User name {user_name!r} is reserved"


# --- reads -----------------------------------------------------------------------------------


def table_reader(user) -> TableReader | None:
    """The read rights of an API caller, by the table access rules (asked once per table per
    reader); ``None`` (no check) for the system."""
    if user is None:
        return None
    if not getattr(user, "is_authenticated", False):
        return lambda table: False
    answers: dict[str, bool] = {}

    def may_read(table: TableSpec) -> bool:
        allowed = answers.get(table.name)
        if allowed is None:
            # A table the caller reaches only in part is not entered (docs/row-access.md).
            allowed = table_access_allows(user=user, table=table.name, write=False) and not row_limited(user, table)
            answers[table.name] = allowed
        return allowed

    return may_read


def staff_reader(user) -> TableReader | None:
    """The read rights of a staff member in the admin: the tables they may view there."""
    from csm_project.core.access.staff_roles import viewable_tables

    tables = viewable_tables(user)
    return None if tables is None else (lambda table: table.name in tables)
