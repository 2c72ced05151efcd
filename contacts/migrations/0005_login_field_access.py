"""A contact's own login fields are changed by admins only (docs/access.md); its user name and
``active`` are guarded by the sys_user rules (core migration 0013), which hold for contacts."""

from django.db import migrations

CONTACT_LOGIN_FIELDS = ("locked_out", "failed_attempts", "web_service_access_only", "enable_multifactor_authn")


def create_rules(apps, schema_editor):
    FieldAccess = apps.get_model("core", "FieldAccess")
    for name in CONTACT_LOGIN_FIELDS:  # rules already there are kept
        FieldAccess.objects.get_or_create(table="customer_contact", field=name)


class Migration(migrations.Migration):
    dependencies = [("contacts", "0004_staff_rights"), ("core", "0013_field_access")]

    operations = [migrations.RunPython(create_rules, migrations.RunPython.noop)]
