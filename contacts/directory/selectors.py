"""Reads of the contact-center directory (docs/contact-center-api.md): three kinds of contact
combined into one list.

Kinds:
- ``User``: each active user explicitly granted ``contact_center_agent`` or
  ``contact_center_admin``. Being a superuser or holding ``admin`` is not enough: the
  directory lists the people of the contact center, not everyone who could act as one.
- ``Queue``: each ``awa_queue`` record.
- ``Custom``: each ``CustomContact``, the only kind written (``contacts.directory.services``).

Reading: each kind is one ``.values()`` queryset with the same columns (``COLUMNS``, NULL
where a kind lacks an attribute). Callers refine each part (filters) before the parts are
combined with ``UNION ALL``; the union is then counted (one query) and ordered and sliced
(one query), so a page costs the same number of queries whatever its size. A filter on an
attribute a kind lacks compares with NULL and so excludes that kind.

Pitfall: a union can no longer be filtered, only ordered and sliced, and it can be ordered
only by its own columns; filter the parts, never the result.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import CharField, Exists, F, OuterRef, QuerySet, Value

from contacts.models import CustomContact
from csm_project.core.access.role_names import CONTACT_CENTER_ADMIN, CONTACT_CENTER_AGENT
from csm_project.core.models import User, is_sys_id
from interactions.models import Queue

USER = "User"
QUEUE = "Queue"
CUSTOM = "Custom"
TYPES = (USER, QUEUE, CUSTOM)

CONTACT_CENTER_ROLES = (CONTACT_CENTER_AGENT, CONTACT_CENTER_ADMIN)

# Wire attribute -> column of the combined query. The columns are prefixed because an
# annotation may not share a name with a model field (``name``).
COLUMNS = {
    "id": "c_id",
    "name": "c_name",
    "type": "c_type",
    "phoneNumber": "c_phone_number",
    "userName": "c_user_name",
    "firstName": "c_first_name",
    "lastName": "c_last_name",
    "employeeId": "c_employee_id",
}

# The attributes each kind has; the others are absent from its contacts.
ATTRIBUTES = {
    USER: ("id", "name", "type", "phoneNumber", "userName", "firstName", "lastName", "employeeId"),
    QUEUE: ("id", "name", "type", "phoneNumber"),
    CUSTOM: ("id", "name", "type", "phoneNumber"),
}


def _text(value: Any) -> Value:
    return Value(value, output_field=CharField())


def _part(queryset: QuerySet, kind: str, **sources) -> QuerySet:
    """``queryset`` as rows of ``COLUMNS``: ``sources`` maps wire attribute -> field name."""
    expressions = {
        column: (F(sources[attribute]) if attribute in sources else _text(None))
        for attribute, column in COLUMNS.items()
        if attribute != "type"
    }
    expressions[COLUMNS["type"]] = _text(kind)
    ordered = {column: expressions[column] for column in COLUMNS.values()}
    # order_by(): a part of a compound statement may not be ordered (SQLite refuses it).
    return queryset.order_by().annotate(**ordered).values(*COLUMNS.values())


def directory_parts() -> list[QuerySet]:
    """One unordered, unfiltered ``.values()`` queryset per kind, columns ``COLUMNS``."""
    holds_role = User.roles.through.objects.filter(user_id=OuterRef("sys_id"), role__name__in=CONTACT_CENTER_ROLES)
    users = User.objects.filter(Exists(holds_role), active=True)
    return [
        _part(
            users,
            USER,
            id="sys_id",
            name="user_name",
            phoneNumber="phone",
            userName="user_name",
            firstName="first_name",
            lastName="last_name",
            employeeId="employee_number",
        ),
        _part(Queue.objects.all(), QUEUE, id="sys_id", name="name", phoneNumber="phone_number"),
        _part(CustomContact.objects.all(), CUSTOM, id="sys_id", name="name", phoneNumber="phone_number"),
    ]


@dataclass(frozen=True)
class DirectoryPage:
    total_count: int
    rows: list[dict[str, Any]]  # keyed by wire attribute; absent attributes are None


def _wire(row: dict[str, Any]) -> dict[str, Any]:
    return {attribute: row[column] for attribute, column in COLUMNS.items()}


def _combined(refine: Callable[[QuerySet], QuerySet]) -> QuerySet:
    first, *others = (refine(part) for part in directory_parts())
    return first.union(*others, all=True)


def directory_list(
    *,
    refine: Callable[[QuerySet], QuerySet] = lambda part: part,
    sort_by: Sequence[str] = ("name",),
    descending: bool = False,
    offset: int = 0,
    limit: int = 100,
) -> DirectoryPage:
    """A page of the directory: two queries (count, page), whatever ``limit``.

    ``refine`` is applied to each kind's queryset before they are combined (filters go
    there). ``sort_by`` names wire attributes (``COLUMNS``); ``id`` always breaks ties, so
    consecutive pages never repeat or skip a contact. Absent values sort after present ones
    ascending (before them descending), on every database, so Descending is the exact
    reverse of Ascending.
    """
    unknown = [attribute for attribute in sort_by if attribute not in COLUMNS]
    if unknown:
        raise ValueError(f"Unknown sort attribute(s): {', '.join(unknown)}")
    keys = [*dict.fromkeys([*sort_by, "id"])]
    ordering = [
        F(COLUMNS[key]).desc(nulls_first=True) if descending else F(COLUMNS[key]).asc(nulls_last=True) for key in keys
    ]
    combined = _combined(refine)
    total = combined.count()
    if limit <= 0 or offset >= total:
        return DirectoryPage(total_count=total, rows=[])
    rows = combined.order_by(*ordering)[offset : offset + limit]
    return DirectoryPage(total_count=total, rows=[_wire(row) for row in rows])


def directory_get(*, contact_id: str) -> dict[str, Any] | None:
    """One contact by id (any kind), keyed by wire attribute; None when there is none (an id
    that is not a sys_id names none)."""
    if not is_sys_id(contact_id):
        return None
    rows = list(_combined(lambda part: part.filter(c_id=contact_id))[:1])
    return _wire(rows[0]) if rows else None
