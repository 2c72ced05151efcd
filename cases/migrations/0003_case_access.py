"""Who may use cases: the table access rule of ``sn_customerservice_case`` (read and write for
``csm_ws_integration``; ``admin`` passes every rule), which the Case API asks as the Table API
does, and what the staff groups may do with cases in the admin."""

from django.db import migrations

from csm_project.core.access.staff_roles import WORK, staff_rights_grant

TABLE = "sn_customerservice_case"
ROLES = ("csm_ws_integration",)


def create_rule(apps, schema_editor):
    Role = apps.get_model("core", "Role")
    TableAccess = apps.get_model("core", "TableAccess")
    roles = list(Role.objects.filter(name__in=ROLES))
    rule, created = TableAccess.objects.get_or_create(table=TABLE, defaults={"writable": True})
    if created:
        rule.read_roles.set(roles)
        rule.write_roles.set(roles)


def drop_rule(apps, schema_editor):
    apps.get_model("core", "TableAccess").objects.filter(table=TABLE).delete()


def grant(apps, schema_editor):
    staff_rights_grant(apps, {"cases.case": WORK})


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_case_choice_lists"), ("core", "0012_staff_groups")]

    operations = [
        migrations.RunPython(create_rule, drop_rule),
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
