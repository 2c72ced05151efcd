"""The role the Import Set API's staging tables grant (their table access rules name it)."""

import uuid

from django.db import migrations
from django.utils import timezone

NAME = "import_transformer"
DESCRIPTION = "Posts rows to import staging tables (the Import Set API), whose transform maps write the target records"


def create_role(apps, schema_editor):
    Role = apps.get_model("core", "Role")
    if Role.objects.filter(name=NAME).exists():
        return
    now = timezone.now()
    Role.objects.create(
        name=NAME,
        description=DESCRIPTION,
        sys_id=uuid.uuid4().hex,
        sys_created_on=now,
        sys_updated_on=now,
        sys_created_by="system",
        sys_updated_by="system",
        sys_class_name="sys_user_role",
    )


def remove_role(apps, schema_editor):
    apps.get_model("core", "Role").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("import_sets", "0001_staging_tables_and_transform_maps"),
        ("core", "0014_number_sequences"),
    ]

    operations = [migrations.RunPython(create_role, remove_role)]
