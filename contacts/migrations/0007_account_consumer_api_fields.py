"""The Account and Consumer API fields (docs/account-consumer-api.md): accounts gain the page's
fields, consumers theirs, a CSMR number and a ``user`` reference (their login)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def number_consumers(apps, schema_editor):
    from csm_project.core.sql.numbers import reserve_numbers

    Consumer = apps.get_model("contacts", "Consumer")
    ids = list(Consumer.objects.filter(number__isnull=True).order_by("sys_created_on", "sys_id").values_list("pk", flat=True))
    for sys_id, number in zip(ids, reserve_numbers("CSMR", len(ids), table="csm_consumer"), strict=True):
        Consumer.objects.filter(pk=sys_id).update(number=number)


class Migration(migrations.Migration):

    dependencies = [
        ('contacts', '0006_contact_list_keys'),
        ('core', '0014_number_sequences'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameField(
            model_name='consumer',
            old_name='phone',
            new_name='business_phone',
        ),
        migrations.AddField(
            model_name='account',
            name='account_code',
            field=models.CharField(blank=True, max_length=255, null=True),
        ),
        migrations.AddField(
            model_name='account',
            name='account_parent',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='child_accounts', to='contacts.account'),
        ),
        migrations.AddField(
            model_name='account',
            name='account_path',
            field=models.CharField(blank=True, max_length=255, null=True),
        ),
        migrations.AddField(
            model_name='account',
            name='active_escalation',
            field=models.CharField(blank=True, max_length=32, null=True),
        ),
        migrations.AddField(
            model_name='account',
            name='apple_icon',
            field=models.CharField(blank=True, max_length=255, null=True),
        ),
        migrations.AddField(
            model_name='account',
            name='banner_image',
            field=models.CharField(blank=True, max_length=255, null=True),
        ),
        migrations.AddField(
            model_name='account',
            name='banner_image_light',
            field=models.CharField(blank=True, max_length=255, null=True),
        ),
        migrations.AddField(
            model_name='account',
            name='banner_text',
            field=models.CharField(blank=True, max_length=4000, null=True),
        ),
        migrations.AddField(
            model_name='account',
            name='contact',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='account',
            name='discount',
            field=models.FloatField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='account',
            name='fax_phone',
            field=models.CharField(blank=True, max_length=40, null=True),
        ),
        migrations.AddField(
            model_name='account',
            name='fiscal_year',
            field=models.CharField(blank=True, max_length=40, null=True),
        ),
        migrations.AddField(
            model_name='account',
            name='lat_long_error',
            field=models.CharField(blank=True, max_length=1000, null=True),
        ),
        migrations.AddField(
            model_name='account',
            name='latitude',
            field=models.FloatField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='account',
            name='longitude',
            field=models.FloatField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='account',
            name='manufacturer',
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name='account',
            name='market_cap',
            field=models.FloatField(blank=True, default=0, null=True),
        ),
        migrations.AddField(
            model_name='account',
            name='num_employees',
            field=models.IntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='account',
            name='parent',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='contacts.account'),
        ),
        migrations.AddField(
            model_name='account',
            name='partner',
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name='account',
            name='primary',
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name='account',
            name='primary_contact',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='contacts.contact'),
        ),
        migrations.AddField(
            model_name='account',
            name='profits',
            field=models.FloatField(blank=True, default=0, null=True),
        ),
        migrations.AddField(
            model_name='account',
            name='publicly_traded',
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name='account',
            name='rank_tier',
            field=models.CharField(blank=True, max_length=40, null=True),
        ),
        migrations.AddField(
            model_name='account',
            name='registration_code',
            field=models.CharField(blank=True, max_length=40, null=True),
        ),
        migrations.AddField(
            model_name='account',
            name='revenue_per_year',
            field=models.FloatField(blank=True, default=0, null=True),
        ),
        migrations.AddField(
            model_name='account',
            name='stock_price',
            field=models.CharField(blank=True, max_length=40, null=True),
        ),
        migrations.AddField(
            model_name='account',
            name='stock_symbol',
            field=models.CharField(blank=True, max_length=40, null=True),
        ),
        migrations.AddField(
            model_name='account',
            name='theme',
            field=models.CharField(blank=True, max_length=32, null=True),
        ),
        migrations.AddField(
            model_name='account',
            name='vendor',
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name='account',
            name='vendor_manager',
            field=models.CharField(blank=True, max_length=4000, null=True),
        ),
        migrations.AddField(
            model_name='account',
            name='vendor_type',
            field=models.CharField(blank=True, max_length=4000, null=True),
        ),
        migrations.AddField(
            model_name='consumer',
            name='date_format',
            field=models.CharField(blank=True, max_length=40, null=True),
        ),
        migrations.AddField(
            model_name='consumer',
            name='fax',
            field=models.CharField(blank=True, max_length=40, null=True),
        ),
        migrations.AddField(
            model_name='consumer',
            name='gender',
            field=models.CharField(blank=True, max_length=40, null=True),
        ),
        migrations.AddField(
            model_name='consumer',
            name='home_phone',
            field=models.CharField(blank=True, max_length=40, null=True),
        ),
        migrations.AddField(
            model_name='consumer',
            name='household',
            field=models.CharField(blank=True, max_length=32, null=True),
        ),
        migrations.AddField(
            model_name='consumer',
            name='notes',
            field=models.CharField(blank=True, max_length=4000, null=True),
        ),
        migrations.AddField(
            model_name='consumer',
            name='notification',
            field=models.IntegerField(blank=True, default=2, null=True),
        ),
        migrations.AddField(
            model_name='consumer',
            name='number',
            field=models.CharField(editable=False, max_length=40, null=True),
        ),
        # Consumers already stored get their CSMR numbers, in creation order, before the column
        # becomes unique and mandatory.
        migrations.RunPython(number_consumers, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='consumer',
            name='number',
            field=models.CharField(editable=False, max_length=40, unique=True),
        ),
        migrations.AddField(
            model_name='consumer',
            name='photo',
            field=models.CharField(blank=True, max_length=255, null=True),
        ),
        migrations.AddField(
            model_name='consumer',
            name='preferred_language',
            field=models.CharField(blank=True, max_length=3, null=True),
        ),
        migrations.AddField(
            model_name='consumer',
            name='prefix',
            field=models.CharField(blank=True, max_length=40, null=True),
        ),
        migrations.AddField(
            model_name='consumer',
            name='primary',
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name='consumer',
            name='suffix',
            field=models.CharField(blank=True, max_length=40, null=True),
        ),
        migrations.AddField(
            model_name='consumer',
            name='time_format',
            field=models.CharField(blank=True, max_length=40, null=True),
        ),
        migrations.AddField(
            model_name='consumer',
            name='time_zone',
            field=models.CharField(blank=True, max_length=40, null=True),
        ),
        migrations.AddField(
            model_name='consumer',
            name='title',
            field=models.CharField(blank=True, max_length=60, null=True),
        ),
        migrations.AddField(
            model_name='consumer',
            name='user',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='consumers', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AlterField(
            model_name='account',
            name='website',
            field=models.CharField(blank=True, max_length=1024, null=True),
        ),
        migrations.AddField(
            model_name='socialprofile',
            name='consumer',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='social_profiles', to='contacts.consumer'),
        ),
    ]
