"""Drop the PostgreSQL-only ``NULLS FIRST`` index on leads.

A NOT NULL column is now ordered without a NULLS clause, so the plain index on
``sys_created_on`` that every record table has serves the default list order, and this index
only slowed writes down.
"""

from django.db import migrations

INDEX = "sn_lead_mgmt_core_lead_default_order"


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f'DROP INDEX IF EXISTS "{INDEX}"')


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{INDEX}" ON "sn_lead_mgmt_core_lead" '
            '("sys_created_on" ASC NULLS FIRST, "sys_id" ASC)'
        )


class Migration(migrations.Migration):
    dependencies = [("leads", "0002_lead_default_order_index")]

    operations = [migrations.RunPython(drop_index, create_index)]
