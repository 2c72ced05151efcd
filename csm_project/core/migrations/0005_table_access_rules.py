"""The product's table access rules for the Table API; staff may change them in the admin.

Each entry: tables, roles that may read, roles that may create/update/delete. ``admin`` passes
every rule anyway; it is listed where it is the only role allowed, so the rule reads as meant.
"""

from django.db import migrations

CONTACT = ("csm_ws_integration",)
AGENT = ("interaction_agent",)
LEADS = ("sn_lead_mgmt_core.lead_integrator",)
ADMIN = ("admin",)

RULES = (
    (("customer_contact", "customer_account", "csm_consumer", "cmn_location", "sn_app_cs_social_social_profile",
      "sn_app_cs_social_social_channel"), CONTACT, CONTACT),
    (("interaction", "interaction_json_blob", "live_group_profile"), AGENT, AGENT),
    (("interaction_connector", "awa_queue"), AGENT, ADMIN),
    (("sn_lead_mgmt_core_lead", "sn_lead_mgmt_core_lead_line_item"), LEADS, LEADS),
    (("sn_prd_pm_product_offering", "sn_prd_pm_uom", "sys_user_group"), LEADS, ADMIN),
    (("sn_cc_custom_contact",), ("contact_center_agent", "contact_center_admin"), ("contact_center_admin",)),
    (("sys_user", "sys_user_role", "sys_journal_field", "sys_properties", "sys_choice"), ADMIN, ADMIN),
)  # fmt: skip

# Read by admin only, written by nobody: the audit trail is appended by the platform itself.
READ_ONLY = (("sys_audit", ADMIN),)


def create_rules(apps, schema_editor):
    Role = apps.get_model("core", "Role")
    TableAccess = apps.get_model("core", "TableAccess")
    roles = {role.name: role for role in Role.objects.all()}
    entries = [(table, read, write, True) for tables, read, write in RULES for table in tables]
    entries += [(table, read, (), False) for table, read in READ_ONLY]
    for table, read, write, writable in entries:
        rule, created = TableAccess.objects.get_or_create(table=table, defaults={"writable": writable})
        if created:
            rule.read_roles.set([roles[name] for name in read if name in roles])
            rule.write_roles.set([roles[name] for name in write if name in roles])


class Migration(migrations.Migration):
    dependencies = [("core", "0004_table_access")]

    operations = [migrations.RunPython(create_rules, migrations.RunPython.noop)]
