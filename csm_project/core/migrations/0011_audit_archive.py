"""The log of audit archive runs (``archive_audit``): read by admin through the Table API,
written by nobody there (the command writes it)."""

import csm_project.core.models
import django.utils.timezone
from django.db import migrations, models


def create_rule(apps, schema_editor):
    Role = apps.get_model("core", "Role")
    TableAccess = apps.get_model("core", "TableAccess")
    rule, created = TableAccess.objects.get_or_create(table="sys_audit_archive", defaults={"writable": False})
    if created:
        rule.read_roles.set(Role.objects.filter(name="admin"))


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0010_role_name_no_control_characters'),
    ]

    operations = [
        migrations.CreateModel(
            name='AuditArchive',
            fields=[
                ('sys_id', models.CharField(default=csm_project.core.models.new_sys_id, editable=False, max_length=32, primary_key=True, serialize=False)),
                ('sys_created_on', models.DateTimeField(db_index=True, default=django.utils.timezone.now, editable=False)),
                ('sys_created_by', models.CharField(blank=True, editable=False, max_length=100)),
                ('sys_updated_on', models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                ('sys_updated_by', models.CharField(blank=True, editable=False, max_length=100)),
                ('sys_mod_count', models.PositiveIntegerField(default=0, editable=False)),
                ('sys_domain', models.CharField(default='global', editable=False, max_length=32)),
                ('sys_domain_path', models.CharField(default='/', editable=False, max_length=255)),
                ('sys_class_name', models.CharField(blank=True, editable=False, max_length=80)),
                ('sys_tags', models.TextField(blank=True, editable=False, null=True)),
                ('cutoff', models.DateTimeField(help_text='Audit rows created before this moment are archived.')),
                ('file_name', models.CharField(help_text='Where the archived rows were written (JSON lines).', max_length=500)),
                ('state', models.CharField(choices=[('running', 'Running'), ('complete', 'Complete'), ('failed', 'Failed')], default='running', max_length=20)),
                ('rows', models.PositiveBigIntegerField(default=0, help_text='Audit rows written to the file and removed.')),
                ('newest', models.DateTimeField(blank=True, help_text='Creation time of the newest row archived.', null=True)),
                ('finished_on', models.DateTimeField(blank=True, null=True)),
            ],
            options={
                'verbose_name': 'audit archive run',
                'db_table': 'sys_audit_archive',
                'ordering': ['-sys_created_on'],
            },
        ),
        migrations.RunPython(create_rule, migrations.RunPython.noop),
    ]
