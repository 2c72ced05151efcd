"""What the staff groups may do with the contacts app's records (csm_project.core.access.staff_roles)."""

from django.db import migrations

from csm_project.core.access.staff_roles import CATALOGUE, WORK, staff_rights_grant

KINDS = {
    "contacts.account": WORK,
    "contacts.consumer": WORK,
    "contacts.contact": WORK,
    "contacts.socialprofile": WORK,
    "contacts.customcontact": WORK,
    "contacts.location": CATALOGUE,
    "contacts.socialchannel": CATALOGUE,
}


def grant(apps, schema_editor):
    staff_rights_grant(apps, KINDS)


class Migration(migrations.Migration):
    dependencies = [("contacts", "0003_account_name_index"), ("core", "0012_staff_groups")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
