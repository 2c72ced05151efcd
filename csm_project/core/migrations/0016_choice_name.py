"""sys_choice's table field takes the platform's name, ``name`` (clients ask ``name=incident``);
the column keeps its name ``table``, so only Django's state changes. After every leads
migration: leads 0004 writes choices with the old field name."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("core", "0015_metadata_tables"), ("leads", "0007_group_members")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveConstraint(model_name="choice", name="choice_unique_value"),
                migrations.RenameField(model_name="choice", old_name="table", new_name="name"),
                migrations.AlterField(
                    model_name="choice",
                    name="name",
                    field=models.CharField(db_column="table", max_length=80, verbose_name="table"),
                ),
                migrations.AlterModelOptions(
                    name="choice",
                    options={"ordering": ["name", "element", "sequence", "value"]},
                ),
                migrations.AddConstraint(
                    model_name="choice",
                    constraint=models.UniqueConstraint(fields=("name", "element", "value"), name="choice_unique_value"),
                ),
            ],
            database_operations=[],
        )
    ]
