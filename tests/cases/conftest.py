"""Fixtures of the case tests: an account with a contact, a case builder through the record services."""

import pytest

from cases.models import Case
from contacts.models import Account, Contact
from csm_project.core.access.actor import acting_as
from csm_project.core.records.services import record_create

CASE_URL = "/api/sn_customerservice/case"


@pytest.fixture
def account(db):
    return Account.objects.create(name="Boxeo", city="San Francisco")


@pytest.fixture
def contact(account):
    return Contact.objects.create(first_name="Julie", last_name="Lewis", account=account, email="julie@boxeo.example")


@pytest.fixture
def make_case(account, contact):
    """``make_case(**wire_values)`` -> a Case created through the one write path."""

    def make(**values) -> Case:
        values.setdefault("short_description", "Router making noise")
        values.setdefault("account", account.sys_id)
        values.setdefault("contact", contact.sys_id)
        with acting_as(None):
            return record_create(table="sn_customerservice_case", values=values)

    return make
