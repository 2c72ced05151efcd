"""Demo users (docs/demo-data.md): one per role and one with none."""

from django.db import transaction

from csm_project.core.access.role_names import (
    ADMIN,
    CONTACT_CENTER_ADMIN,
    CONTACT_CENTER_AGENT,
    CSM_WS_INTEGRATION,
    IMPORT_TRANSFORMER,
    INTERACTION_AGENT,
    LEAD_INTEGRATOR,
)
from csm_project.core.access.roles import user_grant_roles
from csm_project.core.models import User

# The platform's own administrator has this well-known sys_id; the API documents' examples
# show it (e.g. closed_by of the interaction close example), so the demo admin keeps it.
ADMIN_SYS_ID = "6816f79cc0a8016401c5a33be04be441"

DEMO_USERS = (
    # user_name, first, last, roles, superuser
    (ADMIN, "System", "Administrator", (), True),
    ("csm.integration", "CSM", "Integration", (CSM_WS_INTEGRATION,), False),
    ("interaction.agent", "Interaction", "Agent", (INTERACTION_AGENT,), False),
    ("lead.integrator", "Lead", "Integrator", (LEAD_INTEGRATOR,), False),
    ("cc.admin", "Contact Center", "Admin", (CONTACT_CENTER_ADMIN,), False),
    ("cc.agent", "Contact Center", "Agent", (CONTACT_CENTER_AGENT,), False),
    ("import.transformer", "Import", "Transformer", (IMPORT_TRANSFORMER,), False),
    ("no.role", "No", "Role", (), False),
)


@transaction.atomic
def load_users(*, password: str, stdout) -> int:
    """Create the demo users that do not exist yet; existing ones keep their password."""
    created = 0
    for user_name, first, last, roles, superuser in DEMO_USERS:
        if User.objects.filter(user_name=user_name).exists():
            continue
        user = User.objects.create_user(
            user_name,
            password,
            **({"sys_id": ADMIN_SYS_ID} if user_name == ADMIN else {}),
            first_name=first,
            last_name=last,
            email=f"{user_name}@example.com",
            is_staff=superuser,
            is_superuser=superuser,
        )
        if roles:
            user_grant_roles(user=user, roles=roles)
        created += 1
    stdout.write(f"users: {created} created, {len(DEMO_USERS) - created} already there")
    return created
