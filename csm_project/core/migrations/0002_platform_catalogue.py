"""The roles of docs/platform.md and the first system property; staff may add more later."""

import uuid

from django.db import migrations
from django.utils import timezone

ROLES = (
    ("admin", "Everything."),
    ("csm_ws_integration", "Full Contact API."),
    ("interaction_agent", "Interaction Management API."),
    ("sn_lead_mgmt_core.lead_integrator", "Full Lead API."),
    ("contact_center_admin", "Contact-center Contacts API: read and write."),
    ("contact_center_agent", "Contact-center Contacts API: read only."),
)

PROPERTIES = (
    (
        "glide.invalid_query.returns_no_rows",
        "false",
        "boolean",
        "When true, a query with an invalid part returns no rows instead of ignoring that part.",
    ),
)


def _system(table: str) -> dict:
    now = timezone.now()
    return {
        "sys_id": uuid.uuid4().hex,
        "sys_created_on": now,
        "sys_updated_on": now,
        "sys_created_by": "system",
        "sys_updated_by": "system",
        "sys_class_name": table,
    }


def create_catalogue(apps, schema_editor):
    Role = apps.get_model("core", "Role")
    SystemProperty = apps.get_model("core", "SystemProperty")
    for name, description in ROLES:
        if not Role.objects.filter(name=name).exists():
            Role.objects.create(name=name, description=description, **_system("sys_user_role"))
    for name, value, kind, description in PROPERTIES:
        if not SystemProperty.objects.filter(name=name).exists():
            SystemProperty.objects.create(
                name=name, value=value, type=kind, description=description, **_system("sys_properties")
            )


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunPython(create_catalogue, migrations.RunPython.noop)]
