"""The row counters' table (``csm_project.core.sql.row_counts``), on PostgreSQL only.

Not a model: Django's flush must never empty it on its own (a test flushing some tables would
leave the counters of the others at zero); a TRUNCATE of a counted table resets that table's
counter through its trigger instead. The triggers and the counts are made after every migrate.
"""

from django.db import migrations

CREATE = (
    "CREATE TABLE IF NOT EXISTS sys_row_count ("
    "id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, "
    "table_name varchar(80) NOT NULL, "
    "delta bigint NOT NULL)",
    "CREATE INDEX IF NOT EXISTS sys_row_count_table_idx ON sys_row_count (table_name)",
)


def create_table(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in CREATE:
            schema_editor.execute(statement)


def drop_table(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP TABLE IF EXISTS sys_row_count")


class Migration(migrations.Migration):
    dependencies = [("core", "0007_sys_audit")]

    operations = [migrations.RunPython(create_table, drop_table)]
