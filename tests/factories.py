"""factory-boy factories for the platform layer; each app's tests add their own beside them."""

import factory

from csm_project.core.models import User

TEST_PASSWORD = "pass-for-tests"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    user_name = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda o: f"{o.user_name}@example.com")
    password = factory.django.Password(TEST_PASSWORD)
