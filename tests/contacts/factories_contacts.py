"""factory-boy factories for the CSM records of the contacts app, and the demo data fixture."""

import io
from collections.abc import Iterator

import factory
import pytest
from django.db import transaction

from contacts.demo import load_crm
from contacts.models import Account, Contact, Location, SocialChannel


class AccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Account

    name = factory.Sequence(lambda n: f"Account {n}")


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Location

    name = factory.Sequence(lambda n: f"Location {n}")


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    user_name = factory.Sequence(lambda n: f"contact{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda o: f"{o.user_name}@example.com")
    account = factory.SubFactory(AccountFactory)


class SocialChannelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SocialChannel
        django_get_or_create = ("name",)

    name = "Twitter"


@pytest.fixture(scope="module")
def demo_contacts_module(django_db_setup, django_db_blocker) -> Iterator[int]:
    """The contacts demo data set (a few hundred contacts), loaded once per test module.

    It is loaded inside a transaction that is rolled back when the module's tests are done; each
    test (``db`` fixture) runs in a savepoint inside it, so tests still cannot see each other's
    writes. Not for ``transaction=True`` tests. Yields the number of contacts.
    """
    with django_db_blocker.unblock():
        with transaction.atomic():
            load_crm(stdout=io.StringIO())
            yield Contact.objects.count()
            transaction.set_rollback(True)
