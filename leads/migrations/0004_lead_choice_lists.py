"""Store the lead choice lists as ``sys_choice`` rows on every instance, not only with the demo
data: without them a fresh install had no list to check a lead's stage or rating against."""

import uuid

from django.db import migrations
from django.utils import timezone

from leads.choice_lists import CHOICES

TABLE = "sn_lead_mgmt_core_lead"


def add_choices(apps, schema_editor):
    Choice = apps.get_model("core", "Choice")
    now = timezone.now()
    rows = []
    for element, values in CHOICES.items():
        existing = set(Choice.objects.filter(table=TABLE, element=element).values_list("value", flat=True))
        for index, (value, label) in enumerate(values):
            if value in existing:
                continue
            rows.append(
                Choice(
                    sys_id=uuid.uuid4().hex, sys_created_on=now, sys_updated_on=now, sys_created_by="system",
                    sys_updated_by="system", sys_class_name="sys_choice", table=TABLE, element=element,
                    value=value, label=label, sequence=index * 10,
                )
            )  # fmt: skip
    Choice.objects.bulk_create(rows)


class Migration(migrations.Migration):
    dependencies = [("leads", "0003_drop_nulls_first_order_index"), ("core", "0003_user_name_unique_without_case")]

    operations = [migrations.RunPython(add_choices, migrations.RunPython.noop)]
