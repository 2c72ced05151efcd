from django.db import migrations

from tests.eqtestapp.migration_hold import hold


class Migration(migrations.Migration):
    dependencies = [("eqtestapp", "0002_eqaccount_scratch")]

    operations = [
        migrations.RunPython(hold, migrations.RunPython.noop),
        migrations.RemoveField("eqaccount", "scratch"),
    ]
