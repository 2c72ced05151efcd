"""Customers and consumers reach their own cases (docs/row-access.md):

- the case table's rule lets ``sn_customerservice.customer`` and ``sn_customerservice.consumer``
  read and write it;
- row rules hold them to their own cases: a customer reads, opens and updates the cases of its
  contact's account; a consumer those naming the consumer whose user it is. Neither deletes one.

Rules already there are kept (staff may have changed them).
"""

from django.db import migrations

TABLE = "sn_customerservice_case"
CUSTOMER = "sn_customerservice.customer"
CONSUMER = "sn_customerservice.consumer"

#: (role, case field, caller table, its field holding the caller, its field the case must hold)
ROW_RULES = (
    (CUSTOMER, "account", "customer_contact", "sys_id", "account"),  # the account of the caller's contact
    (CONSUMER, "consumer", "csm_consumer", "user", "sys_id"),  # the consumer whose user the caller is
)


def add_rules(apps, schema_editor):
    Role = apps.get_model("core", "Role")
    TableAccess = apps.get_model("core", "TableAccess")
    RowAccess = apps.get_model("core", "RowAccess")
    roles = {role.name: role for role in Role.objects.filter(name__in=[CUSTOMER, CONSUMER])}
    rule, _created = TableAccess.objects.get_or_create(table=TABLE, defaults={"writable": True})
    rule.read_roles.add(*roles.values())
    rule.write_roles.add(*roles.values())
    for role, field, caller_table, match, value in ROW_RULES:
        if RowAccess.objects.filter(table=TABLE, role=roles[role], field=field).exists():
            continue
        RowAccess.objects.create(
            table=TABLE, role=roles[role], field=field, caller_table=caller_table, caller_match=match,
            caller_field=value, read=True, create=True, update=True, delete=False,
        )  # fmt: skip


def drop_rules(apps, schema_editor):
    RowAccess = apps.get_model("core", "RowAccess")
    RowAccess.objects.filter(table=TABLE, role__name__in=[CUSTOMER, CONSUMER]).delete()
    rule = apps.get_model("core", "TableAccess").objects.filter(table=TABLE).first()
    if rule is not None:
        external = apps.get_model("core", "Role").objects.filter(name__in=[CUSTOMER, CONSUMER])
        rule.read_roles.remove(*external)
        rule.write_roles.remove(*external)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0003_case_access"),
        ("contacts", "0008_customer_consumer_access"),
    ]

    operations = [migrations.RunPython(add_rules, drop_rules)]
