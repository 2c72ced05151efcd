from django.core.management.base import BaseCommand, CommandError

from csm_project.core.access.roles import UnknownRole, user_grant_roles, user_revoke_roles
from csm_project.core.models import User


class Command(BaseCommand):
    help = (
        "Grant roles to a user (docs/platform.md), or take them away with --revoke. "
        "Example: manage.py grant_role george.warren csm_ws_integration interaction_agent"
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("user_name", help="The user's user name.")
        parser.add_argument("roles", nargs="+", help="Role names, e.g. sn_lead_mgmt_core.lead_integrator.")
        parser.add_argument("--revoke", action="store_true", help="Revoke the roles instead of granting them.")

    def handle(self, *args, user_name: str, roles: list[str], revoke: bool, **options) -> None:
        user = User.objects.filter(user_name=user_name).first()
        if user is None:
            raise CommandError(f"No user named {user_name!r}.")
        try:
            (user_revoke_roles if revoke else user_grant_roles)(user=user, roles=roles)
        except UnknownRole as exc:
            raise CommandError(str(exc)) from None
        held = ", ".join(sorted(user.role_names())) or "none"
        verb = "Revoked" if revoke else "Granted"
        self.stdout.write(self.style.SUCCESS(f"{verb} {', '.join(roles)} for {user_name}. Roles now: {held}."))
