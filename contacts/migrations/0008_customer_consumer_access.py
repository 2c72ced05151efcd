"""Data for the Account and Consumer APIs (docs/account-consumer-api.md, docs/row-access.md):

- the choice lists of the new account and consumer fields, in ``sys_choice``;
- the external roles ``sn_customerservice.customer`` (a contact's own login) and
  ``sn_customerservice.consumer`` (a consumer's own login);
- their table rights (added to the table rules of core migration 0005) and their row rules:
  a customer reads its account and that account's contacts and updates its own contact; a
  consumer reads and updates its own consumer record.

Rules already there are kept (staff may have changed them).
"""

import uuid

from django.db import migrations
from django.utils import timezone

from contacts.choice_lists import CHOICES

CUSTOMER = "sn_customerservice.customer"
CONSUMER = "sn_customerservice.consumer"

ROLES = (
    (CUSTOMER, "A customer contact's own login: its account and that account's contacts (row rules)."),
    (CONSUMER, "A consumer's own login: its own consumer record (row rules)."),
)

#: table -> (roles added to its readers, roles added to its writers)
TABLE_RIGHTS = {
    "customer_account": ((CUSTOMER,), ()),
    "customer_contact": ((CUSTOMER,), (CUSTOMER,)),
    "csm_consumer": ((CONSUMER,), (CONSUMER,)),
}

MY_ACCOUNT = ("customer_contact", "sys_id", "account")  # the account of the caller's contact
ME = ("", "sys_id", "sys_id")  # the caller's own sys_id

#: (table, role, field, caller value, read, create, update, delete)
ROW_RULES = (
    ("customer_account", CUSTOMER, "sys_id", MY_ACCOUNT, True, False, False, False),
    ("customer_contact", CUSTOMER, "account", MY_ACCOUNT, True, False, False, False),
    ("customer_contact", CUSTOMER, "sys_id", ME, False, False, True, False),
    ("csm_consumer", CONSUMER, "user", ME, True, False, True, False),
)


def _system(table: str, now) -> dict:
    return {
        "sys_id": uuid.uuid4().hex, "sys_created_on": now, "sys_updated_on": now, "sys_created_by": "system",
        "sys_updated_by": "system", "sys_class_name": table,
    }  # fmt: skip


def add_data(apps, schema_editor):
    Choice = apps.get_model("core", "Choice")
    Role = apps.get_model("core", "Role")
    TableAccess = apps.get_model("core", "TableAccess")
    RowAccess = apps.get_model("core", "RowAccess")
    now = timezone.now()
    rows = []
    for table, elements in CHOICES.items():
        for element, values in elements.items():
            existing = set(Choice.objects.filter(name=table, element=element).values_list("value", flat=True))
            rows += [
                Choice(**_system("sys_choice", now), name=table, element=element, value=value, label=label,
                       sequence=index * 10)
                for index, (value, label) in enumerate(values) if value not in existing
            ]  # fmt: skip
    Choice.objects.bulk_create(rows)
    for name, description in ROLES:
        if not Role.objects.filter(name=name).exists():
            Role.objects.create(name=name, description=description, **_system("sys_user_role", now))
    roles = {role.name: role for role in Role.objects.filter(name__in=[CUSTOMER, CONSUMER])}
    for table, (readers, writers) in TABLE_RIGHTS.items():
        rule, _created = TableAccess.objects.get_or_create(table=table)
        rule.read_roles.add(*(roles[name] for name in readers))
        rule.write_roles.add(*(roles[name] for name in writers))
    for table, role, field, (caller_table, match, value), read, create, update, delete in ROW_RULES:
        RowAccess.objects.get_or_create(
            table=table, role=roles[role], field=field, caller_table=caller_table, caller_match=match,
            caller_field=value, defaults={"read": read, "create": create, "update": update, "delete": delete},
        )  # fmt: skip


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0007_account_consumer_api_fields"),
        ("core", "0018_row_access"),
        ("core", "0005_table_access_rules"),
    ]

    operations = [migrations.RunPython(add_data, migrations.RunPython.noop)]
