"""The staff groups (CSM agent, CSM manager, CSM administrator) and their rights on the
platform's own models; each app's migration adds its models (csm_project.core.access.staff_roles)."""

from django.db import migrations

from csm_project.core.access.staff_roles import PEOPLE, PLATFORM, TRAIL, staff_rights_grant

KINDS = {
    "core.user": PEOPLE,
    "core.role": PLATFORM,
    "auth.group": PLATFORM,
    "core.tableaccess": PLATFORM,
    "core.systemproperty": PLATFORM,
    "core.choice": PLATFORM,
    "core.numbercounter": PLATFORM,
    "core.journalentry": TRAIL,
    "core.sysaudit": TRAIL,
    "core.auditarchive": TRAIL,
}


def grant(apps, schema_editor):
    staff_rights_grant(apps, KINDS)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0011_audit_archive"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
