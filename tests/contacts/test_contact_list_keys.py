"""The common contact lists are index-served, and their sort keys follow the contact (contacts/list_keys.py).

A contact's account is on customer_contact, its names, e-mail, number, creation time and active
flag on sys_user. Each list below (by account, by active, by both; each by name, last name,
e-mail, number, creation) is planned with sorting made as unattractive as it can be, and
scanning too, which an empty test table would favour (PostgreSQL's `enable_sort` and
`enable_seqscan` off). It must neither sort its matches nor join whole tables (a hash or merge
join, a sequential scan): the page comes from walking one index in order.
"""

import pytest
from django.db import connection

from contacts.list_keys import KEYS
from contacts.models import Contact
from csm_project.core.models import User
from csm_project.core.records.queries import apply_encoded_query
from csm_project.registry import get_table
from tests.contacts.factories_contacts import AccountFactory, ContactFactory

SOME_ID = "0123456789abcdef0123456789abcdef"
FILTERS = {"account": f"account={SOME_ID}", "active": "active=true", "account_active": f"account={SOME_ID}^active=true"}
ORDERS = ["name", "last_name", "email", "employee_number", "sys_created_on", None]


def _page(query: str):
    table = get_table("customer_contact")
    return apply_encoded_query(Contact.objects.all(), query, table=table)[:20]


def _plan(query: str) -> str:
    sql, params = _page(query).query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_sort = off")
            cursor.execute("SET LOCAL enable_seqscan = off")  # an empty table is cheaper to scan
            cursor.execute(f"EXPLAIN {sql}", params)
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return "\n".join(str(row[-1]) for row in cursor.fetchall())


def _nodes(plan: str) -> list[str]:
    return [line.strip().removeprefix("->").strip() for line in plan.splitlines()]


@pytest.mark.django_db
@pytest.mark.parametrize("order", ORDERS)
@pytest.mark.parametrize("filter_name", sorted(FILTERS))
def test_a_common_contact_list_walks_one_index_in_order(filter_name, order):
    query = FILTERS[filter_name] + (f"^ORDERBY{order}" if order else "")
    plan = _plan(query)
    if connection.vendor == "postgresql":
        nodes = _nodes(plan)
        assert not [node for node in nodes if node.startswith(("Sort ", "Incremental Sort "))], plan
        assert not [node for node in nodes if node.startswith(("Hash Join", "Merge Join", "Seq Scan"))], plan
        assert nodes[0].startswith("Limit") and "Nested Loop" in nodes[1], plan
        index = "customer_contact_account_list_" if filter_name.startswith("account") else "customer_contact_list_"
        assert f"Index Scan using {index}" in plan, plan
    else:
        assert "USE TEMP B-TREE FOR ORDER BY" not in plan, plan
        contact_step = next(line.strip() for line in plan.splitlines() if " customer_contact " in line + " ")
        if filter_name.startswith("account"):
            assert contact_step.startswith("SEARCH customer_contact USING INDEX customer_contact_account_list_"), plan
        else:
            assert contact_step.startswith("SCAN customer_contact USING INDEX customer_contact_list_"), plan


@pytest.mark.django_db
def test_contact_lists_sort_by_the_keys_kept_in_step_with_the_user_row():
    account = AccountFactory()
    ada = ContactFactory(account=account, last_name="lovelace", email="z@example.com", employee_number="7")
    bob = ContactFactory(account=account, last_name="Babbage", email="A@example.com", employee_number="10")
    nil = ContactFactory(account=account, last_name=None, email=None, employee_number=None)
    ContactFactory(last_name="Aardvark")  # another account

    def listed(order: str) -> list[str]:
        return [c.pk for c in _page(f"account={account.pk}^ORDERBY{order}")]

    assert listed("last_name") == [nil.pk, bob.pk, ada.pk]  # empty first, then without regard to case
    assert listed("email") == [nil.pk, bob.pk, ada.pk]
    assert listed("employee_number") == [nil.pk, bob.pk, ada.pk]  # strings: "10" < "7"
    assert listed("sys_created_on") == [ada.pk, bob.pk, nil.pk]
    assert [c.pk for c in _page(f"account={account.pk}^ORDERBYDESClast_name")] == [ada.pk, bob.pk, nil.pk]

    # A change of the user row, by save() or by a queryset update, moves the contact in the list.
    ada.last_name = "Able"
    ada.save()
    User.objects.filter(pk=bob.pk).update(last_name="Zuse")
    assert listed("last_name") == [nil.pk, ada.pk, bob.pk]

    # The kept keys are exactly the user's values as the list compares them.
    with connection.cursor() as cursor:
        columns = ", ".join(f"c.{column}" for column in KEYS.values())
        cursor.execute(f"SELECT {columns} FROM customer_contact c WHERE c.user_ptr_id = %s", [bob.pk])  # noqa: S608
        stored = cursor.fetchone()
    bob.refresh_from_db()
    assert stored[:4] == ((bob.name or "").lower() or None, "zuse", "a@example.com", "10")
    created = stored[4]
    if isinstance(created, str):  # SQLite keeps date-times as text
        created = created[:19]
        assert created == bob.sys_created_on.strftime("%Y-%m-%d %H:%M:%S")
    else:
        assert created == bob.sys_created_on
