"""The Consumer API page's three cURL examples (docs/account-consumer-api.md), sent against the
demo data of ``seed_demo``, which holds the page's two consumers and their users: status, the
documented keys in the documented order, every value a JSON string, and every documented value
but the record numbers (drawn on this instance: ``CSMR`` + 7 digits).

The examples are garbled by the page and are sent as they were meant:
- the list URL reads ``...&sysparm_offset=2>;rel="next"`` (a ``Link`` header pasted in): it is
  sent as ``?sysparm_query=account=...&sysparm_limit=2&sysparm_offset=2``; ``account`` is no
  field of a consumer, so that term is invalid and ignored, as the page says of invalid terms;
- the detail URL has an unbalanced quote; the POST body's shell quoting (``-d " { \\`` ...) is
  sent as the JSON object it spells, with the demo integration user's credentials.
"""

import io
import json
import re

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from contacts.models import Consumer, SocialProfile
from tests.conftest import basic_auth

DEMO_PASSWORD = "demo-pass-1234"
SYS_ID = re.compile(r"^[0-9a-f]{32}$")
NUMBER = re.compile(r"^CSMR[0-9]{7}$")

LIST_URL = "/api/now/consumer?sysparm_query=account=86837a386f0331003b3c498f5d3ee4ca&sysparm_limit=2&sysparm_offset=2"
DETAIL_URL = "/api/now/consumer/01d8403fdb1b1200b6075200cf961941"

HARDING = json.loads(
    r"""
{
  "country": "USA", "notes": "", "gender": "Male", "city": "Plano", "prefix": "",
  "sys_updated_on": "2016-08-12 00:19:12", "suffix": "", "title": "", "number": "CSMR0000004",
  "notification": "2", "sys_id": "01d8403fdb1b1200b6075200cf961941", "business_phone": "",
  "sys_updated_by": "prithvi", "mobile_phone": "", "street": "6900 Dallas Pkwy",
  "sys_created_on": "2016-06-16 19:20:13", "sys_domain": "global", "state": "TX", "fax": "",
  "first_name": "Harding", "email": "harding.asher@mailinator.com", "preferred_language": "",
  "sys_created_by": "guest", "zip": "75024", "home_phone": "", "time_format": "", "sys_mod_count": "8",
  "last_name": "Asher", "photo": "", "active": "true", "middle_name": "", "time_zone": "", "sys_tags": "",
  "name": "Harding Asher", "household": "", "date_format": "", "user": "c3d35d82c37122005871d44d81d3ae91",
  "primary": "false"
}
"""
)
SAM = json.loads(
    r"""
{
  "country": "USA", "notes": "", "gender": "Male", "city": "San Francisco", "prefix": "",
  "sys_updated_on": "2016-08-12 00:20:27", "suffix": "", "title": "", "number": "CSMR0000002",
  "notification": "2", "sys_id": "a0488cfbdb1b1200b6075200cf9619db", "business_phone": "",
  "sys_updated_by": "prithvi", "mobile_phone": "", "street": "144 2nd St",
  "sys_created_on": "2016-06-16 19:17:44", "sys_domain": "global", "state": "CA", "fax": "",
  "first_name": "Sam", "email": "sam.collins@mailinator.com", "preferred_language": "",
  "sys_created_by": "guest", "zip": "94105", "home_phone": "", "time_format": "", "sys_mod_count": "13",
  "last_name": "Collins", "photo": "", "active": "true", "middle_name": "", "time_zone": "", "sys_tags": "",
  "name": "Sam Collins", "household": "", "date_format": "", "user": "64488cfbdb1b1200b6075200cf9619db",
  "primary": "false"
}
"""
)
DOCUMENTED_LIST = {"result": [HARDING, SAM]}
DOCUMENTED_DETAIL = {"result": HARDING}
POST_BODY = {
    "country": "USA", "notes": "Never comes in before 10am", "gender": "Female", "city": "San Marcos",
    "prefix": "Ms", "title": "Director", "notification": "1", "business_phone": "(555)555-1234",
    "mobile_phone": "(555)555-1235", "street": "123 Sesame St", "state": "CA", "fax": "(555)555-1236",
    "first_name": "Jane", "zip": "92001", "home_phone": "(555)555-1234", "last_name": "Brown", "active": "true",
    "middle_name": "Dell", "time_zone": "PST", "name": "Jane Brown", "household": "4",
    "user": "c3d35d82c37122005871d44d81d3ae91", "primary": "false",
}  # fmt: skip
DOCUMENTED_POST_RESPONSE_KEYS = ["result"]


@pytest.fixture
def demo_client(db) -> APIClient:
    call_command("seed_demo", password=DEMO_PASSWORD, stdout=io.StringIO())
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=basic_auth("csm.integration", DEMO_PASSWORD))
    return client


def assert_consumer(record: dict, documented: dict) -> None:
    assert list(record) == list(documented)
    for key, value in record.items():
        assert isinstance(value, str), key
    assert record["user"] == "" or SYS_ID.match(record["user"])
    assert NUMBER.match(record["number"])
    assert {key: value for key, value in record.items() if key != "number"} == {
        key: value for key, value in documented.items() if key != "number"
    }


def test_list_example_answers_a_page_of_documented_shapes(demo_client):
    response = demo_client.get(LIST_URL, HTTP_ACCEPT="application/json")

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"result", "hasMore"} and isinstance(body["hasMore"], bool)
    total = int(response["X-Total-Count"])
    assert total == Consumer.objects.count()  # the invalid ``account`` term is ignored
    assert len(body["result"]) == min(2, total - 2)
    for record in body["result"]:
        assert list(record) == list(HARDING)
        assert all(isinstance(value, str) for value in record.values())


def test_the_listed_consumers_of_the_example_hold_the_documented_values(demo_client):
    for documented in DOCUMENTED_LIST["result"]:
        response = demo_client.get("/api/now/consumer", {"sysparm_query": f"sys_id={documented['sys_id']}"})
        assert response.status_code == 200
        (record,) = response.json()["result"]
        assert_consumer(record, documented)


def test_detail_example_answers_the_documented_record(demo_client):
    response = demo_client.get(DETAIL_URL, HTTP_ACCEPT="application/json")

    assert response.status_code == 200
    body = response.json()
    assert list(body) == ["result"]
    assert_consumer(body["result"], DOCUMENTED_DETAIL["result"])
    assert demo_client.get("/api/now/v1/consumer/01d8403fdb1b1200b6075200cf961941").json() == body


def test_an_unknown_consumer_is_the_404_envelope(demo_client):
    response = demo_client.get("/api/now/consumer/" + "f" * 32)

    assert response.status_code == 404
    assert response.json()["error"]["message"] == "No Record found"
    assert response.json()["status"] == "failure"


def test_post_example_creates_the_documented_consumer(demo_client):
    response = demo_client.post(
        "/api/now/consumer", json.dumps(POST_BODY), content_type="application/json", HTTP_ACCEPT="application/json"
    )

    assert response.status_code == 201
    body = response.json()
    assert list(body) == DOCUMENTED_POST_RESPONSE_KEYS
    assert isinstance(body["result"], str) and SYS_ID.match(body["result"])
    record = demo_client.get(f"/api/now/consumer/{body['result']}").json()["result"]
    assert list(record) == list(HARDING)
    for key, value in POST_BODY.items():
        assert record[key] == value, key
    assert NUMBER.match(record["number"])
    assert record["sys_created_by"] == "csm.integration" and record["sys_mod_count"] == "0"
    assert SocialProfile.objects.filter(consumer_id=body["result"]).count() == 0


def test_post_with_the_social_fields_creates_the_consumers_profile(demo_client):
    body = {"first_name": "Sol", "last_name": "Media", "social_channel": "Twitter", "social_handle": "@sol",
            "social_handle_url": "https://twitter.example/sol"}  # fmt: skip

    response = demo_client.post("/api/now/consumer", body, format="json")

    assert response.status_code == 201
    profile = SocialProfile.objects.get(consumer_id=response.json()["result"])
    assert (profile.channel.name, profile.social_id, profile.profile_url) == (
        "Twitter", "@sol", "https://twitter.example/sol"
    )  # fmt: skip
    assert Consumer.objects.get(pk=response.json()["result"]).name == "Sol Media"


def test_a_refused_post_is_a_400_envelope_and_writes_nothing(demo_client):
    before = Consumer.objects.count()
    missing_user = demo_client.post("/api/now/consumer", {**POST_BODY, "user": "0" * 32}, format="json")
    bad_choice = demo_client.post("/api/now/consumer", {"last_name": "X", "date_format": "dd mm"}, format="json")
    not_an_object = demo_client.post("/api/now/consumer", "[1]", content_type="application/json")
    unreadable = demo_client.post("/api/now/consumer", "{", content_type="application/json")

    for response in (missing_user, bad_choice, not_an_object, unreadable):
        assert response.status_code == 400, response.content
        assert response.json()["status"] == "failure"
        assert set(response.json()["error"]) == {"message", "detail"}
    assert Consumer.objects.count() == before


def test_unknown_fields_are_ignored_as_the_page_says(demo_client):
    response = demo_client.post("/api/now/consumer", {"last_name": "Ig", "no_such_field": "x"}, format="json")

    assert response.status_code == 201
    assert Consumer.objects.get(pk=response.json()["result"]).last_name == "Ig"


def test_the_api_needs_credentials_and_a_role(demo_client, client_for):
    assert APIClient().get("/api/now/consumer").status_code == 401
    no_role = client_for().get("/api/now/consumer")
    assert no_role.status_code == 403 and no_role.json()["status"] == "failure"
    customer = client_for("sn_customerservice.customer")
    assert customer.get("/api/now/consumer").status_code == 403
    consumer = client_for("sn_customerservice.consumer")
    refused = consumer.post("/api/now/consumer", {"last_name": "Self"}, format="json")
    assert refused.status_code == 403
    assert refused.json()["error"]["message"].startswith("Insufficient rights")
