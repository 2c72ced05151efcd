"""What the staff groups may do with attachments (csm_project.core.access.staff_roles)."""

from django.db import migrations

from csm_project.core.access.staff_roles import FILES, staff_rights_grant


def grant(apps, schema_editor):
    staff_rights_grant(apps, {"attachments.attachment": FILES})


class Migration(migrations.Migration):
    dependencies = [("attachments", "0001_sys_attachment"), ("core", "0012_staff_groups")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
