from django.db import migrations, models


class Migration(migrations.Migration):
    """A column added (and removed again by 0003): a real schema change of an audited table that
    leaves the models as they are."""

    dependencies = [("eqtestapp", "0001_initial")]

    operations = [
        migrations.AddField("eqaccount", "scratch", models.CharField(max_length=10, null=True, blank=True)),
    ]
