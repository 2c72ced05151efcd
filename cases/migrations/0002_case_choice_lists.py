"""The case choice lists (state, priority, contact type, resolution code, ...) as ``sys_choice``
rows on every instance: every write checks a case's values against them."""

import uuid

from django.db import migrations
from django.utils import timezone

from cases.choice_lists import CHOICES

TABLE = "sn_customerservice_case"


def add_choices(apps, schema_editor):
    Choice = apps.get_model("core", "Choice")
    now = timezone.now()
    rows = []
    for element, values in CHOICES.items():
        existing = set(Choice.objects.filter(name=TABLE, element=element).values_list("value", flat=True))
        for index, (value, label) in enumerate(values):
            if value in existing:
                continue
            rows.append(
                Choice(
                    sys_id=uuid.uuid4().hex, sys_created_on=now, sys_updated_on=now, sys_created_by="system",
                    sys_updated_by="system", sys_class_name="sys_choice", name=TABLE, element=element,
                    value=value, label=label, sequence=index * 10,
                )
            )  # fmt: skip
    Choice.objects.bulk_create(rows)


def drop_choices(apps, schema_editor):
    apps.get_model("core", "Choice").objects.filter(name=TABLE).delete()


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_customer_service_case"), ("core", "0016_choice_name")]

    operations = [migrations.RunPython(add_choices, drop_choices)]
