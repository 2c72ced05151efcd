"""Granting and revoking roles. The role catalogue lives in the database (names in
``csm_project.core.access.role_names``):
migration 0002 of this app creates it, staff may add roles in the admin."""

from collections.abc import Iterable

from django.db import transaction

from csm_project.core.models import Role, User


class UnknownRole(ValueError):
    pass


def _roles_named(names: Iterable[str]) -> list[Role]:
    wanted = list(dict.fromkeys(names))
    found = {role.name: role for role in Role.objects.filter(name__in=wanted)}
    missing = [name for name in wanted if name not in found]
    if missing:
        raise UnknownRole(f"Unknown role(s): {', '.join(missing)}")
    return [found[name] for name in wanted]


@transaction.atomic
def user_grant_roles(*, user: User, roles: Iterable[str]) -> None:
    user.roles.add(*_roles_named(roles))
    user.__dict__.pop("_role_names", None)


@transaction.atomic
def user_revoke_roles(*, user: User, roles: Iterable[str]) -> None:
    user.roles.remove(*_roles_named(roles))
    user.__dict__.pop("_role_names", None)
