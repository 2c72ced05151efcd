"""The contacts demo data set (docs/demo-data.md): the records the seeds name, generated contacts, idempotence."""

import io

import pytest
from django.db.models import Count

from contacts.demo import (
    BOXEO,
    GEORGE_WARREN,
    JANE_CONTACT,
    JULIE_LEWIS,
    SAN_DIEGO,
    TEST_CONSUMER,
    load_crm,
)
from contacts.models import Account, Consumer, Contact, Location

pytestmark = pytest.mark.django_db


def snapshot() -> dict:
    return {
        "accounts": sorted(Account.objects.values_list("sys_id", "number", "sys_updated_on")),
        "contacts": sorted(Contact.objects.values_list("sys_id", "user_name", "sys_updated_on", "sys_mod_count")),
        "locations": Location.objects.count(),
        "consumers": Consumer.objects.count(),
    }


def test_loading_twice_changes_nothing():
    load_crm(stdout=io.StringIO())
    first = snapshot()
    out = io.StringIO()

    load_crm(stdout=out)

    assert snapshot() == first
    assert "0 accounts, 0 seed contacts and 0 generated contacts created" in out.getvalue()


def test_records_other_seeds_reference_exist():
    load_crm(stdout=io.StringIO())

    assert Location.objects.filter(pk=SAN_DIEGO).exists()
    assert Contact.objects.get(pk=JULIE_LEWIS).account_id == BOXEO
    assert Consumer.objects.get(pk=TEST_CONSUMER).name == "test"
    assert Account.objects.get(pk=BOXEO).number.startswith("ACCT")


def test_the_documented_page_is_contacts_three_and_four_of_the_account():
    load_crm(stdout=io.StringIO())

    in_order = list(
        Contact.objects.filter(account_id=BOXEO).order_by("sys_created_on", "sys_id").values_list("sys_id", flat=True)
    )

    assert in_order[2:4] == [GEORGE_WARREN, JANE_CONTACT]
    assert len(in_order) > 4


def test_generated_contacts_page_and_share_names_and_cities():
    load_crm(stdout=io.StringIO())

    assert Contact.objects.count() >= 300
    assert Contact.objects.values("account").distinct().count() >= 6
    biggest_last_name = Contact.objects.values("last_name").annotate(n=Count("pk")).order_by("-n").first()
    biggest_city = Contact.objects.values("city").annotate(n=Count("pk")).order_by("-n").first()
    assert biggest_last_name["n"] >= 20 and biggest_city["n"] >= 20
    assert not any(contact.has_usable_password() for contact in Contact.objects.all()[:50])
