"""The metadata tables (docs/table-api.md, "Metadata tables"): sys_db_object, sys_dictionary,
sys_glide_object and sys_script (rows derived from the code after every migrate) and
sys_user_has_role (a view over the role grants, built after migrate: the model is unmanaged),
with their table access rules. Rules for sys_user_grmember (leads 0007) are set here too: a
rule names a table, it needs no model."""

import csm_project.core.models
import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


#: Read by every API role (a client introspects the tables it works with; the same facts are in
#: the public OpenAPI document), written by nobody: the rows follow the code.
DESCRIBING = ("sys_db_object", "sys_dictionary", "sys_glide_object", "sys_script")
API_ROLES = (
    "admin",
    "csm_ws_integration",
    "interaction_agent",
    "sn_lead_mgmt_core.lead_integrator",
    "contact_center_admin",
    "contact_center_agent",
)


def create_rules(apps, schema_editor):
    Role = apps.get_model("core", "Role")
    TableAccess = apps.get_model("core", "TableAccess")
    roles = {role.name: role for role in Role.objects.all()}
    admin = [roles[name] for name in ("admin",) if name in roles]
    entries = [(table, [roles[name] for name in API_ROLES if name in roles], [], False) for table in DESCRIBING]
    # Who holds which role is for admins; grants are made through the role machinery (audited).
    entries.append(("sys_user_has_role", admin, [], False))
    # Group memberships are ordinary records, kept by admins.
    entries.append(("sys_user_grmember", admin, admin, True))
    for table, read, write, writable in entries:
        rule, created = TableAccess.objects.get_or_create(table=table, defaults={"writable": writable})
        if created:
            rule.read_roles.set(read)
            rule.write_roles.set(write)


def remove_rules(apps, schema_editor):
    tables = [*DESCRIBING, "sys_user_has_role", "sys_user_grmember"]
    apps.get_model("core", "TableAccess").objects.filter(table__in=tables).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0014_number_sequences'),
    ]

    operations = [
        migrations.CreateModel(
            name='UserHasRole',
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
                ('state', models.CharField(default='active', max_length=20)),
                ('inherited', models.BooleanField(default=False)),
            ],
            options={
                'verbose_name': 'role grant',
                'db_table': 'sys_user_has_role',
                'ordering': ['sys_id'],
                'managed': False,
            },
        ),
        migrations.CreateModel(
            name='BusinessRule',
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
                ('name', models.CharField(max_length=100)),
                ('collection', models.CharField(max_length=80, verbose_name='table')),
                ('when', models.CharField(choices=[('before', 'Before'), ('after', 'After')], max_length=20)),
                ('order', models.IntegerField(default=100)),
                ('active', models.BooleanField(default=True)),
                ('action_insert', models.BooleanField(default=True)),
                ('action_update', models.BooleanField(default=True)),
                ('action_delete', models.BooleanField(default=False)),
                ('action_query', models.BooleanField(default=False)),
                ('script', models.CharField(max_length=255)),
                ('description', models.TextField(blank=True, null=True)),
            ],
            options={
                'verbose_name': 'business rule',
                'db_table': 'sys_script',
                'ordering': ['collection', 'order', 'name'],
            },
        ),
        migrations.CreateModel(
            name='GlideType',
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
                ('name', models.CharField(max_length=40, unique=True)),
                ('label', models.CharField(max_length=80)),
                ('scalar_type', models.CharField(blank=True, max_length=40, null=True)),
                ('scalar_length', models.IntegerField(blank=True, null=True)),
                ('visible', models.BooleanField(default=True)),
            ],
            options={
                'verbose_name': 'field type',
                'db_table': 'sys_glide_object',
                'ordering': ['name'],
            },
        ),
        migrations.CreateModel(
            name='TableObject',
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
                ('name', models.CharField(max_length=80, unique=True)),
                ('label', models.CharField(max_length=255)),
                ('is_extendable', models.BooleanField(default=False)),
                ('number_prefix', models.CharField(blank=True, max_length=16, null=True)),
                ('read_only', models.BooleanField(default=False)),
                ('super_class', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='core.tableobject')),
            ],
            options={
                'verbose_name': 'table',
                'db_table': 'sys_db_object',
                'ordering': ['name'],
            },
        ),
        migrations.CreateModel(
            name='DictionaryEntry',
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
                ('name', models.CharField(max_length=80, verbose_name='table')),
                ('element', models.CharField(blank=True, max_length=80, null=True, verbose_name='column name')),
                ('column_label', models.CharField(max_length=255)),
                ('max_length', models.IntegerField(blank=True, null=True)),
                ('mandatory', models.BooleanField(default=False)),
                ('read_only', models.BooleanField(default=False)),
                ('active', models.BooleanField(default=True)),
                ('display', models.BooleanField(default=False)),
                ('primary', models.BooleanField(default=False)),
                ('unique', models.BooleanField(default=False)),
                ('choice', models.IntegerField(choices=[(0, 'not a choice field'), (1, 'Dropdown with -- None --'), (3, 'Dropdown without -- None --')], default=0)),
                ('default_value', models.CharField(blank=True, max_length=255, null=True)),
                ('internal_type', models.ForeignKey(db_column='internal_type', on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.glidetype', to_field='name')),
                ('reference', models.ForeignKey(blank=True, db_column='reference', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='core.tableobject', to_field='name')),
            ],
            options={
                'verbose_name': 'dictionary entry',
                'verbose_name_plural': 'dictionary',
                'db_table': 'sys_dictionary',
                'ordering': ['name', 'element'],
                'indexes': [models.Index(fields=['name', 'element'], name='sys_dictionary_field_idx')],
            },
        ),
        migrations.RunPython(create_rules, remove_rules),
    ]
