"""An index for the Lead API's default list order on PostgreSQL.

The encoded-query backend orders ``ASC NULLS FIRST`` (empty values first on every database) and
appends the primary key; a plain btree (``ASC NULLS LAST``) cannot serve that order, so without
this index every page sorts the whole lead table. SQLite's CREATE INDEX has no NULLS clause
(and needs no help at demo sizes), so the index is PostgreSQL-only.
"""

from django.db import migrations

INDEX = "sn_lead_mgmt_core_lead_default_order"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{INDEX}" ON "sn_lead_mgmt_core_lead" '
            '("sys_created_on" ASC NULLS FIRST, "sys_id" ASC)'
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f'DROP INDEX IF EXISTS "{INDEX}"')


class Migration(migrations.Migration):
    dependencies = [("leads", "0001_lead_management")]

    operations = [migrations.RunPython(create_index, drop_index)]
