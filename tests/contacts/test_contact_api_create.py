"""POST /api/now/contact: the contact, its social profile, one transaction, 400s that write nothing."""

import json

import pytest
from django.db import DatabaseError

from contacts.models import Account, Contact, SocialChannel, SocialProfile
from csm_project.core.models import User
from tests.concurrency import run_together
from tests.conftest import basic_auth
from tests.contacts.factories_contacts import AccountFactory, ContactFactory, LocationFactory, SocialChannelFactory

pytestmark = pytest.mark.django_db

URL = "/api/now/contact"


@pytest.fixture
def client(contact_integration_client):
    return contact_integration_client


def row_counts() -> dict[str, int]:
    return {
        "users": User.objects.count(),
        "contacts": Contact.objects.count(),
        "profiles": SocialProfile.objects.count(),
        "channels": SocialChannel.objects.count(),
        "accounts": Account.objects.count(),
    }


def post(client, body, **extra):
    return client.post(URL, json.dumps(body), content_type="application/json", **extra)


def assert_failure(response, status: int, message: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error", "status"} and body["status"] == "failure"
    assert body["error"]["message"] == message
    return body["error"]


def test_post_with_social_fields_creates_one_contact_and_one_profile(client):
    account = AccountFactory()
    before = row_counts()

    response = post(
        client,
        {
            "first_name": "Ann",
            "last_name": "Lee",
            "user_name": "ann.lee",
            "account": account.sys_id,
            "social_channel": "Twitter",
            "social_handle": "@annlee",
            "social_handle_url": "https://twitter.com/annlee",
        },
    )

    assert response.status_code == 201
    sys_id = response.json()["result"]
    contact = Contact.objects.get(pk=sys_id)
    profile = SocialProfile.objects.get()
    assert (profile.contact_id, profile.account_id) == (sys_id, account.sys_id)
    assert (profile.social_id, profile.profile_url, profile.channel.name) == (
        "@annlee",
        "https://twitter.com/annlee",
        "Twitter",
    )
    assert row_counts() == {
        **before,
        "users": before["users"] + 1,
        "contacts": before["contacts"] + 1,
        "profiles": 1,
        "channels": 1,
    }
    record = client.get(f"{URL}/{sys_id}").json()["result"]
    assert (record["name"], record["user_name"], record["account"]) == ("Ann Lee", "ann.lee", account.sys_id)
    assert contact.social_profiles.get() == profile


def test_social_channel_is_found_by_sys_id_or_by_name_in_any_case(client):
    twitter = SocialChannelFactory(name="Twitter")
    for index, channel in enumerate((twitter.sys_id, "twitter", "TWITTER")):
        response = post(
            client,
            {
                "user_name": f"fan{index}",
                "social_channel": channel,
                "social_handle": f"@fan{index}",
                "social_handle_url": f"https://t.co/fan{index}",
            },
        )
        assert response.status_code == 201
    assert SocialChannel.objects.count() == 1
    assert SocialProfile.objects.filter(channel=twitter).count() == 3


@pytest.mark.parametrize("missing", ["social_channel", "social_handle", "social_handle_url"])
def test_no_profile_unless_all_three_social_fields_are_given(client, missing):
    body = {
        "user_name": "solo",
        "social_channel": "Twitter",
        "social_handle": "@solo",
        "social_handle_url": "https://t.co/solo",
    }
    body[missing] = ""

    response = post(client, body)

    assert response.status_code == 201
    assert SocialProfile.objects.count() == 0 and SocialChannel.objects.count() == 0


@pytest.mark.parametrize(
    ("social", "field"),
    [
        ({"social_handle": "@" + "h" * 255}, "social_handle"),
        ({"social_handle_url": "https://t.co/" + "u" * 1024}, "social_handle_url"),
        ({"social_channel": "C" * 101}, "social_channel"),
        ({"social_channel": "Bad\nChannel"}, "social_channel"),
        ({"social_channel": "   "}, "social_channel"),
    ],
)
def test_post_whose_profile_cannot_be_created_creates_nothing(client, social, field):
    account = AccountFactory()
    before = row_counts()
    body = {
        "user_name": "rollback.me",
        "first_name": "Rolf",
        "account": account.sys_id,
        "social_channel": "Mastodon",
        "social_handle": "@rolf",
        "social_handle_url": "https://m.social/@rolf",
        **social,
    }

    response = post(client, body)

    error = assert_failure(response, 400, "Operation Failed")
    assert error["detail"].startswith(f"{field}:")
    assert row_counts() == before
    assert not User.objects.filter(user_name="rollback.me").exists()


def test_database_failure_while_writing_the_profile_undoes_the_contact(client, monkeypatch):
    before = row_counts()

    def refuse(self, *args, **kwargs):
        raise DatabaseError("disk full")

    monkeypatch.setattr(SocialProfile, "save", refuse)

    response = post(
        client,
        {
            "user_name": "half.written",
            "social_channel": "Brand New Channel",
            "social_handle": "@half",
            "social_handle_url": "https://t.co/half",
        },
    )

    assert_failure(response, 500, "Internal server error")
    assert "disk full" not in response.content.decode()
    assert row_counts() == before  # the contact and the new channel were rolled back with it


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("latitude", {"x": 1}),
        ("latitude", "NaN"),
        ("longitude", True),
        ("vip", "maybe"),
        ("vip", {"a": 1}),
        ("failed_attempts", "abc"),
        ("failed_attempts", 2**40),
        ("calendar_integration", 1.5),
        ("first_name", ["Ann"]),
        ("first_name", True),
        ("title", "t" * 101),
        ("user_name", "u" * 101),
        ("last_login_time", "yesterday"),
        ("last_position_update", "2024-02-30 10:00:00"),
        ("account", "0" * 32),
        ("company", "not-an-id"),
        ("manager", "f" * 32),
        ("location", "e" * 32),
        ("account", {"sys_id": "x"}),
        ("first_name", "Ann\x01"),
        ("street", "Main St\x00"),
        ("social_handle", "@ann\x00"),
    ],
)
def test_post_with_a_value_of_the_wrong_type_is_400_and_writes_nothing(client, field, value):
    before = row_counts()

    response = post(client, {"user_name": "typed", "first_name": "Ty", field: value})

    error = assert_failure(response, 400, "Operation Failed")
    assert error["detail"].startswith(f"{field}:"), error
    assert row_counts() == before


def test_number_too_large_for_a_float_is_an_unreadable_body(client):
    before = row_counts()
    response = client.post(URL, '{"user_name": 1e400, "city": 12}', content_type="application/json")
    error = assert_failure(response, 400, "Exception while reading request")
    assert "out of range" in error["detail"]
    assert row_counts() == before


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ('{"first_name": "Ann",', "application/json"),
        ("[1, 2]", "application/json"),
        ('"just a string"', "application/json"),
        ("42", "application/json"),
        ("\xff\xfe", "application/json"),
        ("[" * 100_000, "application/json"),
        ('{"a":' * 50_000 + "1" + "}" * 50_000, "application/json"),
    ],
)
def test_post_with_an_unreadable_body_is_400_reading_request(client, body, content_type):
    before = row_counts()
    response = client.post(URL, body, content_type=content_type)
    assert_failure(response, 400, "Exception while reading request")
    assert row_counts() == before


@pytest.mark.parametrize("content_type", ["application/json", None])
def test_post_without_a_body_is_400_reading_request(client, content_type):
    before = row_counts()
    response = client.generic("POST", URL, "", content_type=content_type) if content_type else client.post(URL)
    assert_failure(response, 400, "Exception while reading request")
    assert row_counts() == before


def test_post_of_an_empty_object_creates_an_empty_contact(client):
    response = post(client, {})
    assert response.status_code == 201
    assert Contact.objects.get(pk=response.json()["result"]).user_name == response.json()["result"]


def test_post_with_an_oversized_body_is_400_and_writes_nothing(client, settings):
    before = row_counts()
    body = json.dumps({"user_name": "big", "introduction": "x" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE})

    response = client.post(URL, body, content_type="application/json")

    assert_failure(response, 400, "Exception while reading request")
    assert row_counts() == before


def test_post_in_xml_is_415_and_asking_for_xml_is_406(client):
    before = row_counts()
    xml = client.post(URL, "<request><entry><user_name>x</user_name></entry></request>", content_type="application/xml")
    assert_failure(xml, 415, "Requested content type is not supported")
    wants_xml = post(client, {"user_name": "x"}, HTTP_ACCEPT="application/xml")
    assert_failure(wants_xml, 406, "Requested response format is not supported")
    assert row_counts() == before


def test_unknown_and_system_fields_are_ignored(client):
    response = post(
        client,
        {
            "user_name": "quiet",
            "first_name": "Quinn",
            "favourite_colour": "green",
            "frist_name": "typo",
            "sys_id": "a" * 32,
            "sys_created_on": "2001-01-01 00:00:00",
            "sys_created_by": "mallory",
            "sys_mod_count": "99",
            "sys_class_name": "sys_user",
            "sys_domain": "evil",
            "roles": "admin",
            "is_superuser": "true",
            "is_staff": "true",
            "password": "secret",
            "last_login": "2020-01-01",
        },
    )

    assert response.status_code == 201
    sys_id = response.json()["result"]
    assert sys_id != "a" * 32
    record = client.get(f"{URL}/{sys_id}").json()["result"]
    assert record["first_name"] == "Quinn"
    assert record["sys_created_by"] == client.user.user_name
    assert (record["sys_mod_count"], record["sys_class_name"], record["sys_domain"]) == (
        "0",
        "customer_contact",
        "global",
    )
    assert record["sys_created_on"] != "2001-01-01 00:00:00"
    assert (record["roles"], record["last_login"]) == ("", "")
    contact = Contact.objects.get(pk=sys_id)
    assert not contact.is_superuser and not contact.is_staff
    assert not contact.has_usable_password()


def test_name_defaults_to_first_and_last_name(client):
    default = post(client, {"user_name": "d1", "first_name": "Dora", "last_name": "Warren"}).json()["result"]
    given = post(
        client, {"user_name": "d2", "first_name": "Dora", "last_name": "Warren", "name": "Dr. D. Warren"}
    ).json()["result"]
    assert Contact.objects.get(pk=default).name == "Dora Warren"
    assert Contact.objects.get(pk=given).name == "Dr. D. Warren"


def test_values_round_trip_as_strings(client):
    account, location = AccountFactory(), LocationFactory()
    manager = ContactFactory(account=account)
    sent = {
        "user_name": "round.trip",
        "latitude": "57.6",
        "longitude": "-117.2197",
        "failed_attempts": "2",
        "calendar_integration": "1",
        "notification": "1",
        "vip": "TRUE",
        "locked_out": "false",
        "enable_multifactor_authn": True,
        "last_login_time": "2018-03-10 21:48:11",
        "last_position_update": "2024-01-02",
        "account": account.sys_id,
        "company": account.sys_id,
        "manager": manager.sys_id,
        "location": location.sys_id,
        "employee_number": 546,
        "zip": "",
    }

    sys_id = post(client, sent).json()["result"]

    record = client.get(f"{URL}/{sys_id}").json()["result"]
    assert all(isinstance(value, str) for value in record.values())
    assert {key: record[key] for key in sent} == {
        **sent,
        "vip": "true",
        "enable_multifactor_authn": "true",
        "last_position_update": "2024-01-02 00:00:00",
        "employee_number": "546",
    }


def test_empty_values_are_stored_empty(client):
    sys_id = post(
        client,
        {
            "user_name": "empty",
            "latitude": "",
            "failed_attempts": "",
            "vip": "",
            "account": "",
            "last_login_time": "",
            "city": "",
        },
    ).json()["result"]
    record = client.get(f"{URL}/{sys_id}").json()["result"]
    assert {
        key: record[key] for key in ("latitude", "failed_attempts", "vip", "account", "last_login_time", "city")
    } == {"latitude": "", "failed_attempts": "", "vip": "false", "account": "", "last_login_time": "", "city": ""}


def test_contact_without_user_name_gets_its_sys_id_as_user_name(client):
    first = post(client, {"first_name": "No", "last_name": "Login"}).json()["result"]
    second = post(client, {"first_name": "No", "last_name": "Login"}).json()["result"]
    assert Contact.objects.get(pk=first).user_name == first
    assert Contact.objects.get(pk=second).user_name == second


def test_taken_user_name_is_400_in_any_case_and_writes_nothing(client, make_user):
    make_user(user_name="george.warren")
    before = row_counts()

    response = post(
        client,
        {
            "user_name": "George.Warren",
            "social_channel": "Twitter",
            "social_handle": "@g",
            "social_handle_url": "https://t.co/g",
        },
    )

    error = assert_failure(response, 400, "Operation Failed")
    assert error["detail"] == "user_name: User name 'George.Warren' is already taken"
    assert row_counts() == before


@pytest.mark.django_db(transaction=True)
def test_concurrent_posts_of_one_user_name_create_one_contact(make_user):
    from rest_framework.test import APIClient

    caller = make_user("csm_ws_integration")

    def send(_: int) -> int:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=basic_auth(caller.user_name))
        return post(client, {"user_name": "race.winner", "first_name": "Race"}).status_code

    results = run_together(send, 4)

    assert sorted(results) == [201, 400, 400, 400]
    assert Contact.objects.filter(user_name="race.winner").count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_posts_naming_one_new_channel_share_it(make_user):
    from rest_framework.test import APIClient

    caller = make_user("csm_ws_integration")

    def send(index: int) -> int:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=basic_auth(caller.user_name))
        return post(
            client,
            {
                "user_name": f"fan.{index}",
                "social_channel": "Bluesky",
                "social_handle": f"@fan{index}",
                "social_handle_url": f"https://bsky.app/fan{index}",
            },
        ).status_code

    results = run_together(send, 4)

    assert results == [201] * 4
    assert SocialChannel.objects.filter(name="Bluesky").count() == 1
    assert SocialProfile.objects.filter(channel__name="Bluesky").count() == 4


def test_a_post_with_a_profile_costs_a_fixed_number_of_statements(client, django_assert_max_num_queries):
    """Credentials and roles (2), the account and the user name checked (2), the transaction
    (2), the user and contact rows (2), the channel and the profile (2): no savepoint inside
    the transaction, no uniqueness query for the profile's new sys_id."""
    account = AccountFactory()
    SocialChannelFactory(name="Twitter")
    body = {"account": account.sys_id, "social_channel": "Twitter", "social_handle": "@counted",
            "social_handle_url": "https://t.co/counted"}  # fmt: skip
    assert post(client, {**body, "user_name": "first"}).status_code == 201  # the first sign-in costs more

    with django_assert_max_num_queries(10):
        response = post(client, {**body, "user_name": "counted"})

    assert response.status_code == 201
    assert SocialProfile.objects.filter(contact_id=response.json()["result"]).count() == 1
