"""Field access rules (docs/access.md): the login fields of users are changed by admins only.
Tables that extend sys_user (contacts) add their own login fields in their apps' migrations."""

from django.db import migrations, models

from csm_project.core.access.staff_roles import PLATFORM, staff_rights_grant

#: Fields that decide who logs in as whom: admin only (no other role listed).
USER_LOGIN_FIELDS = ("user_name", "active")


def create_rules(apps, schema_editor):
    FieldAccess = apps.get_model("core", "FieldAccess")
    for name in USER_LOGIN_FIELDS:  # rules already there are kept
        FieldAccess.objects.get_or_create(table="sys_user", field=name)
    staff_rights_grant(apps, {"core.fieldaccess": PLATFORM})


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0012_staff_groups"),
    ]

    operations = [
        migrations.CreateModel(
            name="FieldAccess",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("table", models.CharField(help_text="Wire table name, e.g. customer_contact.", max_length=80)),
                ("field", models.CharField(help_text="Wire field name, e.g. locked_out.", max_length=80)),
                (
                    "write_roles",
                    models.ManyToManyField(
                        blank=True,
                        help_text="Any one of these may change it (besides admin).",
                        related_name="+",
                        to="core.role",
                    ),
                ),
            ],
            options={
                "verbose_name": "field access rule",
                "db_table": "sys_field_access",
                "ordering": ["table", "field"],
                "constraints": [models.UniqueConstraint(fields=("table", "field"), name="field_access_unique_field")],
            },
        ),
        migrations.RunPython(create_rules, migrations.RunPython.noop),
    ]
