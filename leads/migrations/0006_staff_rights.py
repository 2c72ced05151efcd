"""What the staff groups may do with lead management's records (csm_project.core.access.staff_roles)."""

from django.db import migrations

from csm_project.core.access.staff_roles import CATALOGUE, WORK, staff_rights_grant

KINDS = {
    "leads.lead": WORK,
    "leads.leadlineitem": WORK,
    "leads.productoffering": CATALOGUE,
    "leads.unitofmeasure": CATALOGUE,
    "leads.usergroup": CATALOGUE,
}


def grant(apps, schema_editor):
    staff_rights_grant(apps, KINDS)


class Migration(migrations.Migration):
    dependencies = [("leads", "0005_lead_list_filter_indexes"), ("core", "0012_staff_groups")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
