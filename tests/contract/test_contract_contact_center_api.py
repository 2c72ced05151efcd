"""The contact-center Contacts API document's examples, sent against the demo data of
``seed_demo`` (docs/contact-center-api.md) as the demo Contact Center agent and admin: statuses, the
documented body shapes (keys per type, value types, ``type`` capitalised) and the records.

The document's URLs are relative to the API root, ``/api/v2``. Its first example is written
``GET /contacts&type=User`` (a typo for ``?``); it is sent here as ``?type=User``.
"""

import io
import re

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from contacts.models import CustomContact
from tests.conftest import basic_auth

DEMO_PASSWORD = "demo-pass-1234"
SYS_ID = re.compile(r"^[0-9a-f]{32}$")
BASE = "/api/v2"

# The attributes table of the document, by resource type, then the API's own uri and path.
DOCUMENTED_KEYS = {
    "User": ["id", "name", "type", "phoneNumber", "userName", "firstName", "lastName", "employeeId"],
    "Queue": ["id", "name", "type", "phoneNumber"],
    "Custom": ["id", "name", "type", "phoneNumber"],
}

# POST /contacts, verbatim (the document's body has no commas between its members).
DOCUMENTED_POST_BODY = """{
  "name": "Some Contact"
  "type": "Custom"
  "phoneNumber": "xxx-xxx-xxxx"
}"""


@pytest.fixture
def demo(db) -> None:
    call_command("seed_demo", password=DEMO_PASSWORD, stdout=io.StringIO())


def as_demo_user(user_name: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=basic_auth(user_name, DEMO_PASSWORD))
    return client


@pytest.fixture
def agent(demo) -> APIClient:
    return as_demo_user("cc.agent")


@pytest.fixture
def admin(demo) -> APIClient:
    return as_demo_user("cc.admin")


def assert_documented_contact(contact: dict) -> None:
    assert contact["type"] in DOCUMENTED_KEYS, contact
    assert list(contact) == [*DOCUMENTED_KEYS[contact["type"]], "uri", "path"]
    assert all(isinstance(value, str) for value in contact.values()), contact
    assert SYS_ID.match(contact["id"])
    assert contact["path"] == f"/contacts/{contact['id']}"
    assert contact["uri"] == f"http://testserver{BASE}/contacts/{contact['id']}"


def listed(response) -> list[dict]:
    assert response.status_code == 200, response.content
    body = response.json()
    assert list(body) == ["statusCode", "totalCount", "contacts"]
    assert body["statusCode"] == 0
    assert isinstance(body["totalCount"], int)
    for contact in body["contacts"]:
        assert_documented_contact(contact)
    return body["contacts"]


def test_get_contacts_type_user_returns_all_users(agent):
    # GET /contacts&type=User  (as written in the document)
    contacts = listed(agent.get(f"{BASE}/contacts?type=User"))

    assert {contact["type"] for contact in contacts} == {"User"}
    assert {"joej", "maria.lopez", "kenji.sato", "amara.okafor", "cc.admin", "cc.agent"} <= {
        contact["userName"] for contact in contacts
    }
    assert not {"admin", "no.role", "csm.integration"} & {contact["userName"] for contact in contacts}


def test_get_contacts_by_first_last_and_user_name_returns_joe_johnson(agent):
    # GET /contacts?firstName=Joe&lastName=Johnson&userName=joej
    contacts = listed(agent.get(f"{BASE}/contacts?firstName=Joe&lastName=Johnson&userName=joej"))

    assert len(contacts) == 1
    joe = contacts[0]
    assert (joe["type"], joe["name"], joe["userName"], joe["firstName"], joe["lastName"]) == (
        "User",
        "joej",
        "joej",
        "Joe",
        "Johnson",
    )
    assert joe["employeeId"] and joe["phoneNumber"]


def test_post_contacts_verbatim_creates_a_custom_contact(admin):
    # POST /contacts {"name": "Some Contact" "type": "Custom" "phoneNumber": "xxx-xxx-xxxx"}
    before = CustomContact.objects.count()

    response = admin.post(f"{BASE}/contacts", data=DOCUMENTED_POST_BODY, content_type="application/json")

    assert response.status_code == 200
    body = response.json()
    assert list(body) == ["statusCode", "id", "path", "uri"]
    assert body["statusCode"] == 0
    assert SYS_ID.match(body["id"])
    assert CustomContact.objects.count() == before + 1
    created = admin.get(f"{BASE}/contacts/{body['id']}").json()
    assert list(created) == ["statusCode", "contact"]
    assert_documented_contact(created["contact"])
    assert {key: created["contact"][key] for key in ("name", "type", "phoneNumber")} == {
        "name": "Some Contact",
        "type": "Custom",
        "phoneNumber": "xxx-xxx-xxxx",
    }


def test_get_contacts_type_custom_returns_only_custom_contacts(agent):
    # GET /contacts?type=custom
    contacts = listed(agent.get(f"{BASE}/contacts?type=custom"))

    assert contacts
    assert {contact["type"] for contact in contacts} == {"Custom"}
    some = [contact for contact in contacts if contact["name"] == "Some Contact"]
    assert [(contact["type"], contact["phoneNumber"]) for contact in some] == [("Custom", "xxx-xxx-xxxx")]


def test_the_demo_directory_holds_every_kind(agent):
    contacts = listed(agent.get(f"{BASE}/contacts?limit=1000"))

    assert {contact["type"] for contact in contacts} == {"User", "Queue", "Custom"}
    assert "f3a50867b30303002186a72256a8dcb7" in {c["id"] for c in contacts if c["type"] == "Queue"}


def test_the_agent_may_not_post(agent):
    response = agent.post(f"{BASE}/contacts", data=DOCUMENTED_POST_BODY, content_type="application/json")

    assert response.status_code == 403
    assert response.json() == {"statusCode": 5, "statusMessage": "No permission"}


def test_seed_demo_twice_changes_nothing_in_the_directory(agent):
    before = agent.get(f"{BASE}/contacts?limit=1000").json()

    call_command("seed_demo", password=DEMO_PASSWORD, stdout=io.StringIO())

    assert agent.get(f"{BASE}/contacts?limit=1000").json() == before
