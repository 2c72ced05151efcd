"""User names: unique without regard to case, as logins and the APIs treat them.

The database holds the rule as a unique index on ``lower(user_name)`` (migration 0003 of this
app); this module is the one place code asks it before writing, so a clash is a field error
naming ``user_name`` rather than a database refusal. Names the platform acts under (``system``)
are nobody's (``csm_project.core.access.fields.user_name_reserved``).
"""

import secrets
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db.models import QuerySet
from django.db.models.functions import Lower

from csm_project.core.access.fields import reserved_name_message, user_name_reserved
from csm_project.core.errors import INVALID, FieldError
from csm_project.core.models import SysRecord, User, display_name
from csm_project.core.records.hooks import RecordRules

USER_NAME = "user_name"


def user_name_key(user_name: str) -> str:
    """The form user names are compared in."""
    return user_name.lower()


def user_names_taken(user_names: Iterable[str], *, exclude_pk: str | None = None) -> set[str]:
    """Which of ``user_names`` some user already holds (compared without case), as
    ``user_name_key`` values; one query whatever the number of names."""
    rows = user_names_taken_query(user_names, exclude_pk=exclude_pk)
    return set() if rows is None else set(rows.values_list("lowered", flat=True))


def user_names_taken_query(user_names: Iterable[str], *, exclude_pk: str | None = None) -> QuerySet | None:
    """``user_names_taken`` as a query not yet run (users annotated ``lowered``, the
    ``user_name_key`` of their name), for a caller joining it to its other look-ups; None when
    there is no name to look up."""
    wanted = {user_name_key(name) for name in user_names if name}
    if not wanted:
        return None
    rows = User.objects.annotate(lowered=Lower(USER_NAME)).filter(lowered__in=wanted)
    return rows if exclude_pk is None else rows.exclude(pk=exclude_pk)


def user_name_taken_message(user_name: str | None) -> str:
    return f"User name {user_name!r} is already taken"


class UserRules(RecordRules):
    """``sys_user`` (and the tables extending it): a user written as a record gets no usable
    password (staff give logins); the user name's uniqueness is checked by the field rules."""

    def clean(self, record: SysRecord, *, creating: bool, changed: dict[str, Any]) -> list[FieldError]:
        if creating and not record.password:
            record.set_unusable_password()
        return user_name_problems(record.user_name) if creating or USER_NAME in changed else []

    def clean_new(self, values: dict[str, Any]) -> list[FieldError] | None:
        if not values.get("password"):
            values["password"] = unusable_password()
        if not values.get("name"):
            values["name"] = display_name(values.get("first_name"), values.get("last_name"))
        return user_name_problems(values.get(USER_NAME))


def user_name_problems(user_name: Any) -> list[FieldError]:
    """The refusal of a user name no user may hold (``system``...), else nothing."""
    if user_name_reserved(user_name):
        return [FieldError(USER_NAME, reserved_name_message(user_name), INVALID)]
    return []


def unusable_password() -> str:
    """A password hash no password matches (what ``set_unusable_password`` stores), drawn
    faster than Django's 40 random choices: bulk loads create users by the million."""
    return UNUSABLE_PASSWORD_PREFIX + secrets.token_urlsafe(30)
