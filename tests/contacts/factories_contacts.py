"""factory-boy factories for the CSM records of the contacts app."""

import factory

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
