"""The Account API page's two cURL examples (docs/account-consumer-api.md), sent against the demo
data of ``seed_demo``, which holds the page's three accounts: status, the documented keys in the
documented order, every value a JSON string, references as sys_id strings, and every documented
value but the record numbers (drawn on this instance like every number: ``ACCT`` + 7 digits).

The list example's URL is garbled (``...&sysparm_offset=2>;rel="next"``, a ``Link`` header pasted
into the command): it is sent as ``?sysparm_limit=2&sysparm_offset=2``. Which accounts fill that
page depends on the instance's records; the two the page shows are read back by the list and
compared value by value.
"""

import io
import json
import re

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from tests.conftest import basic_auth

DEMO_PASSWORD = "demo-pass-1234"
SYS_ID = re.compile(r"^[0-9a-f]{32}$")
NUMBER = re.compile(r"^ACCT[0-9]{7}$")
REFERENCES = ("account_parent", "contact", "primary_contact", "parent")

LIST_URL = "/api/now/account?sysparm_limit=2&sysparm_offset=2"
DETAIL_URL = "/api/now/account/bf60bef46f0331003b3c498f5d3ee41a"

# The documented responses, copied from the page.
DOCUMENTED_LIST = json.loads(
    r"""
{
"result": [
  {
   "banner_image_light": "",
   "country": "USA",
   "parent": "",
   "notes": "",
   "stock_symbol": "",
   "discount": "",
   "active_escalation": "",
   "sys_updated_on": "2019-01-03 19:37:55",
   "apple_icon": "",
   "number": "ACCT0000003",
    "sys_updated_by": "admin",
    "fiscal_year": "",
    "sys_created_on": "2018-12-23 05:25:17",
    "contact": "",
    "stock_price": "",
    "state": "",
    "banner_image": "",
    "sys_created_by": "admin",
    "longitude": "",
    "zip": "BR1 3QR",
    "profits": "0",
    "phone": "+44 20 8466 9992",
    "fax_phone": "",
    "name": "Boxeo EMEA",
    "banner_text": "",
    "account_code": "~~~~3",
    "primary": "false",
    "city": "Bromley",
    "latitude": "",
    "sys_class_name": "customer_account",
    "manufacturer": "false",
    "account_parent": "86837a386f0331003b3c498f5d3ee4ca",
    "sys_id": "3eedd08413651200042ab3173244b088",
    "market_cap": "0",
    "num_employees": "",
    "rank_tier": "",
    "street": "18 London Rd",
    "vendor": "false",
    "lat_long_error": "",
    "theme": "",
    "vendor_type": "",
    "website": "",
    "revenue_per_year": "0",
    "publicly_traded": "false",
    "sys_mod_count": "5",
    "sys_tags": "",
    "partner": "false",
    "registration_code": "BOXEO-EMEA",
    "vendor_manager": "",
    "account_path": "~~~~1/~~~~3",
    "primary_contact": "ff66c1254fb81200025ba3618110c76e",
    "customer": "true"
  },
  {
    "banner_image_light": "",
    "country": "USA",
    "parent": "",
    "notes": "",
    "stock_symbol": "",
    "discount": "",
    "active_escalation": "",
    "sys_updated_on": "2019-01-03 19:38:04",
    "apple_icon": "",
    "number": "ACCT0000004",
    "sys_updated_by": "admin",
    "fiscal_year": "",
    "sys_created_on": "2018-12-23 05:19:24",
    "contact": "",
    "stock_price": "",
    "state": "",
    "banner_image": "",
    "sys_created_by": "admin",
    "longitude": "",
    "zip": "V5L 2G4",
    "profits": "0",
    "phone": "+1 604-255-9797",
    "fax_phone": "",
    "name": "Boxeo Canada",
    "banner_text": "",
    "account_code": "~~~~4",
    "primary": "false",
    "city": "Vancouver",
    "latitude": "",
    "sys_class_name": "customer_account",
    "manufacturer": "false",
    "account_parent": "86837a386f0331003b3c498f5d3ee4ca",
    "sys_id": "609cd80413651200042ab3173244b03e",
    "market_cap": "0",
    "num_employees": "",
    "rank_tier": "",
    "street": "1362 Venables St,, BC V5L 2G4, Canada",
    "vendor": "false",
    "lat_long_error": "",
    "theme": "",
    "vendor_type": "",
    "website": "",
    "revenue_per_year": "0",
    "publicly_traded": "false",
    "sys_mod_count": "5",
    "sys_tags": "",
    "partner": "false",
    "registration_code": "BOXEO-CANADA",
    "vendor_manager": "",
    "account_path": "~~~~1/~~~~4",
    "primary_contact": "c07424a54f781200025ba3618110c746",
    "customer": "true"
  }
 ]
}
"""
)
DOCUMENTED_DETAIL = json.loads(
    r"""
{
"result": {
  "banner_image_light": "",
  "country": "USA",
  "parent": "",
  "notes": "",
  "stock_symbol": "",
  "discount": "",
  "active_escalation": "e4fa242887150300fe4433d4c6cb0b5f",
  "sys_updated_on": "2020-07-30 21:57:54",
  "apple_icon": "",
  "number": "ACCT0000009",
  "sys_updated_by": "admin",
  "fiscal_year": "",
  "sys_created_on": "2019-09-16 21:19:27",
  "contact": "bea1fef46f0331003b3c498f5d3ee4c5",
  "stock_price": "",
  "state": "California",
  "banner_image": "",
  "sys_created_by": "venki",
  "longitude": "-122.116445",
  "zip": "94022",
  "profits": "0",
  "phone": "(877) 729-4269",
  "fax_phone": "",
  "name": "Avid Corporation",
  "banner_text": "",
  "account_code": "~~~~9",
  "primary": "false",
  "city": "Los Altos",
  "latitude": "37.402666",
  "sys_class_name": "customer_account",
  "manufacturer": "false",
  "account_parent": "",
  "sys_id": "bf60bef46f0331003b3c498f5d3ee41a",
  "market_cap": "0",
  "num_employees": "",
  "rank_tier": "",
  "street": "4440 El Camino Real",
  "vendor": "false",
  "lat_long_error": "",
  "theme": "",
  "vendor_type": "",
  "website": "http://www.avidcorp.com",
  "revenue_per_year": "0",
  "publicly_traded": "false",
  "sys_mod_count": "10",
  "sys_tags": "",
  "partner": "false",
  "registration_code": "AVID",
  "vendor_manager": "",
  "account_path": "~~~~9",
  "primary_contact": "bea1fef46f0331003b3c498f5d3ee4c5",
  "customer": "true"
 }
}
"""
)


@pytest.fixture
def demo_client(db) -> APIClient:
    """``--user 'username':'password'``: the demo integration user of a freshly seeded database."""
    call_command("seed_demo", password=DEMO_PASSWORD, stdout=io.StringIO())
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=basic_auth("csm.integration", DEMO_PASSWORD))
    return client


def assert_account(record: dict, documented: dict) -> None:
    """Key by key: the documented keys in order, strings, references as sys_ids, the values."""
    assert list(record) == list(documented)
    for key, value in record.items():
        assert isinstance(value, str), key
    for key in REFERENCES:
        assert record[key] == "" or SYS_ID.match(record[key]), key
    assert NUMBER.match(record["number"])
    assert {key: value for key, value in record.items() if key != "number"} == {
        key: value for key, value in documented.items() if key != "number"
    }


def test_list_example_answers_a_page_of_two_documented_shapes(demo_client):
    response = demo_client.get(LIST_URL, HTTP_ACCEPT="application/json")

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"result", "hasMore"}
    assert isinstance(body["hasMore"], bool)
    assert len(body["result"]) == 2
    for record in body["result"]:
        assert list(record) == list(DOCUMENTED_LIST["result"][0])
        assert all(isinstance(value, str) for value in record.values())
    total = int(response["X-Total-Count"])
    assert body["hasMore"] is (total > 4)
    assert 'rel="first"' in response["Link"] and 'rel="prev"' in response["Link"]


def test_the_listed_accounts_of_the_example_hold_the_documented_values(demo_client):
    for documented in DOCUMENTED_LIST["result"]:
        response = demo_client.get("/api/now/account", {"sysparm_query": f"sys_id={documented['sys_id']}"})
        assert response.status_code == 200
        (record,) = response.json()["result"]
        assert_account(record, documented)


def test_detail_example_answers_the_documented_record(demo_client):
    response = demo_client.get(DETAIL_URL, HTTP_ACCEPT="application/json")

    assert response.status_code == 200
    body = response.json()
    assert list(body) == ["result"]
    assert_account(body["result"], DOCUMENTED_DETAIL["result"])


def test_versioned_url_and_xml_answer_the_same_record(demo_client):
    versioned = demo_client.get("/api/now/v1/account/bf60bef46f0331003b3c498f5d3ee41a")
    xml = demo_client.get(DETAIL_URL, HTTP_ACCEPT="application/xml")

    assert versioned.status_code == 200 and versioned.json() == demo_client.get(DETAIL_URL).json()
    assert xml.status_code == 200 and xml["Content-Type"].startswith("application/xml")
    assert b"<name>Avid Corporation</name>" in xml.content


def test_an_unknown_account_is_the_404_envelope(demo_client):
    for url in ("/api/now/account/" + "0" * 32, "/api/now/account/not-an-id"):
        response = demo_client.get(url)
        assert response.status_code == 404
        assert response.json() == {
            "error": {
                "message": "No Record found",
                "detail": "Record doesn't exist or ACL restricts the record retrieval",
            },
            "status": "failure",
        }


def test_the_api_needs_credentials_and_a_role(demo_client, client_for):
    anonymous = APIClient().get("/api/now/account")
    no_role = client_for().get("/api/now/account")
    post = demo_client.post("/api/now/account", {}, format="json")

    assert anonymous.status_code == 401 and anonymous.json()["status"] == "failure"
    assert no_role.status_code == 403
    assert no_role.json()["error"]["message"] == "Insufficient rights to query records"
    assert post.status_code == 405 and post.json()["status"] == "failure"


def test_a_bad_offset_is_a_400_envelope(demo_client):
    response = demo_client.get("/api/now/account", {"sysparm_offset": "-1"})

    assert response.status_code == 400 and response.json()["status"] == "failure"
