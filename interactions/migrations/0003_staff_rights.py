"""What the staff groups may do with the interactions app's records (csm_project.core.access.staff_roles)."""

from django.db import migrations

from csm_project.core.access.staff_roles import CATALOGUE, WORK, staff_rights_grant

KINDS = {
    "interactions.interaction": WORK,
    "interactions.interactionjsonblob": WORK,
    "interactions.livegroupprofile": WORK,
    "interactions.interactionconnector": CATALOGUE,
    "interactions.queue": CATALOGUE,
}


def grant(apps, schema_editor):
    staff_rights_grant(apps, KINDS)


class Migration(migrations.Migration):
    dependencies = [("interactions", "0002_interaction_list_filter_indexes"), ("core", "0012_staff_groups")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
