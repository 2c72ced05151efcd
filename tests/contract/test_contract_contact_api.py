"""The Contact API document's three cURL examples, sent verbatim against the demo data of
``seed_demo`` (docs/contact-api.md): status, the exact key set in the documented order, every value a
JSON string, references as sys_id strings, and, for the two documented records, every value.

Two examples are garbled by the PDF the document was made from, and are sent as they were meant:
- the list URL reads ``...&sysparm_offset=2>;rel="next"`` with unbalanced shell quotes (a ``Link``
  header pasted into the command): it is sent as ``...&sysparm_limit=2&sysparm_offset=2``;
- the POST body keeps ``\\`` line continuations inside single quotes (curl would send them, and
  they are not JSON) and ``--user`` follows the closing quote without one: the body is sent with
  the continuations removed, with the demo integration user's credentials.
"""

import io
import json
import re

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from contacts.models import Contact, SocialProfile
from tests.conftest import basic_auth

DEMO_PASSWORD = "demo-pass-1234"
SYS_ID = re.compile(r"^[0-9a-f]{32}$")
REFERENCE_KEYS = ("company", "manager", "location", "account")

# The documented list response, copied from the vendor document.
DOCUMENTED_LIST = json.loads(
    r"""
{
  "result": [
    {
      "country": "",
      "calendar_integration": "1",
      "last_position_update": "",
      "last_login_time": "2018-03-10 21:48:11",
      "last_login_device": "",
      "source": "",
      "sys_updated_on": "2019-01-03 05:49:34",
      "building": "",
      "web_service_access_only": "false",
      "notification": "2",
      "sys_updated_by": "system",
      "enable_multifactor_authn": "false",
      "sys_created_on": "2018-03-04 20:26:32",
      "sys_domain": "global",
      "agent_status": "",
      "state": "",
      "vip": "false",
      "sys_created_by": "admin",
      "longitude": "",
      "zip": "",
      "home_phone": "",
      "time_format": "",
      "last_login": "",
      "default_perspective": "",
      "geolocation_tracked": "false",
      "active": "true",
      "time_sheet_policy": "",
      "sys_domain_path": "/",
      "phone": "+1 858 287 7834",
      "cost_center": "",
      "name": "George Warren",
      "employee_number": "",
      "gender": "",
      "city": "",
      "user_name": "george.warren",
      "failed_attempts": "",
      "edu_status": "",
      "latitude": "",
      "roles": "",
      "title": "Network Administrator",
      "sys_class_name": "customer_contact",
      "sys_id": "ddce70866f9331003b3c498f5d3ee417",
      "internal_integration_user": "false",
      "ldap_server": "",
      "mobile_phone": "+1 858 867 7857",
      "street": "",
      "company": "86837a386f0331003b3c498f5d3ee4ca",
      "department": "",
      "first_name": "George",
      "preferred_language": "",
      "introduction": "",
      "email": "geo.warren@mailinator.com",
      "manager": "",
      "locked_out": "false",
      "sys_mod_count": "3",
      "last_name": "Warren",
      "photo": "",
      "sys_tags": "",
      "middle_name": "",
      "time_zone": "",
      "schedule": "",
      "on_schedule": "",
      "date_format": "",
      "location": "25ab8e460a0a0bb300857304ff811af5",
      "account": "86837a386f0331003b3c498f5d3ee4ca"
    },
    {
      "country": "",
      "calendar_integration": "1",
      "last_position_update": "",
      "last_login_time": "2019-01-03 15:08:57",
      "last_login_device": "73.71.157.241",
      "source": "",
      "sys_updated_on": "2019-01-03 23:26:12",
      "building": "",
      "web_service_access_only": "false",
      "notification": "2",
      "sys_updated_by": "admin",
      "enable_multifactor_authn": "false",
      "sys_created_on": "2019-01-03 15:07:25",
      "sys_domain": "global",
      "agent_status": "",
      "state": "",
      "vip": "false",
      "sys_created_by": "carl.customer",
      "longitude": "",
      "zip": "",
      "home_phone": "",
      "time_format": "",
      "last_login": "",
      "default_perspective": "",
      "geolocation_tracked": "false",
      "active": "true",
      "time_sheet_policy": "",
      "sys_domain_path": "/",
      "phone": "+16692627777",
      "cost_center": "",
      "name": "Jane Contact",
      "employee_number": "",
      "gender": "",
      "city": "",
      "user_name": "Jane.Contact",
      "failed_attempts": "",
      "edu_status": "faculty",
      "latitude": "",
      "roles": "",
      "title": "",
      "sys_class_name": "customer_contact",
      "sys_id": "0a232a0013691200042ab3173244b075",
      "internal_integration_user": "false",
      "ldap_server": "",
      "mobile_phone": "",
      "street": "",
      "company": "86837a386f0331003b3c498f5d3ee4ca",
      "department": "",
      "first_name": "Jane",
      "preferred_language": "",
      "introduction": "",
      "email": "jane.contact@mailinator.com",
      "manager": "",
      "locked_out": "false",
      "sys_mod_count": "3",
      "last_name": "Contact",
      "photo": "",
      "sys_tags": "",
      "middle_name": "",
      "time_zone": "",
      "schedule": "",
      "on_schedule": "",
      "date_format": "",
      "location": "",
      "account": "86837a386f0331003b3c498f5d3ee4ca"
    }
  ]
}
"""
)
# The document's GET /{id} example answers exactly the first record of the list example.
DOCUMENTED_DETAIL = {"result": DOCUMENTED_LIST["result"][0]}

LIST_URL = "/api/now/contact?sysparm_query=account=86837a386f0331003b3c498f5d3ee4ca&sysparm_limit=2&sysparm_offset=2"
DETAIL_URL = "/api/now/contact/ddce70866f9331003b3c498f5d3ee417"

# The POST example's -d argument as printed, continuations included.
DOCUMENTED_POST_BODY = r"""
{ \
  "country": "USA", \
  "calendar_integration": "1", \
  "last_login_time": "2018-03-10 21:48:11", \
  "last_login_device": "tablet", \
  "building": "Cardinal West", \
  "web_service_access_only": "false", \
  "notification": "1", \
  "enable_multifactor_authn": "true", \
  "agent_status": "Travelling", \
  "state": "CA", \
  "vip": "false", \
  "longitude": "123.76", \
  "zip": "92069", \
  "home_phone": "(555)555-1234", \
  "time_format": "hh:mm:ss", \
  "geolocation_tracked": "false", \
  "active": "true", \
  "phone": "+1 858 287 7834", \
  "cost_center": "1345", \
  "name": "Dora Warren", \
  "employee_number": "546", \
  "gender": "Female", \
  "city": "Orlando", \
  "user_name": "dora.warren", \
  "failed_attempts": "2", \
  "edu_status": "current", \
  "latitude": "57.6", \
  "title": "Network Administrator", \
  "internal_integration_user": "false", \
  "ldap_server": "10.24.23.123", \
  "mobile_phone": "+1 858 867 7857", \
  "street": "123 Lagume", \
  "company": "86837a386f0331003b3c498f5d3ee4ca", \
  "department": "IT", \
  "first_name": "Dora", \
  "preferred_language": "Spanish", \
  "email": "dora.warren@mailinator.com", \
  "manager": "ddce70866f9331003b3c498f5d3ee417", \
  "locked_out": "false", \
  "last_name": "Warren", \
  "middle_name": "Dell", \
  "time_zone": "PST", \
  "schedule": "9-5", \
  "date_format": "MM/DD/YY", \
  "location": "25ab8e460a0a0bb300857304ff811af5", \
  "account": "86837a386f0331003b3c498f5d3ee4ca" \
}
"""
DOCUMENTED_POST_RESPONSE_KEYS = ["result"]  # "result": "62fe1c97db76c3006b7a9646db961999"


def post_body() -> str:
    return DOCUMENTED_POST_BODY.strip().replace(" \\\n", "\n")


@pytest.fixture
def demo_client(db) -> APIClient:
    """``--user "username":"password"``: the demo integration user of a freshly seeded database."""
    call_command("seed_demo", password=DEMO_PASSWORD, stdout=io.StringIO())
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=basic_auth("csm.integration", DEMO_PASSWORD))
    return client


def assert_contact_shape(record: dict, documented: dict) -> None:
    """The documented keys in the documented order, every value a string, references sys_ids."""
    assert list(record) == list(documented)
    for key, value in record.items():
        assert isinstance(value, str), key
    for key in REFERENCE_KEYS:
        assert record[key] == "" or SYS_ID.match(record[key]), key


def test_list_example_answers_the_documented_page(demo_client):
    response = demo_client.get(LIST_URL, HTTP_ACCEPT="application/json")

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"result", "hasMore"}
    assert body["hasMore"] is True  # the account has more contacts than the first four
    assert len(body["result"]) == len(DOCUMENTED_LIST["result"])
    for record, documented in zip(body["result"], DOCUMENTED_LIST["result"], strict=True):
        assert_contact_shape(record, documented)
        assert record == documented
    assert int(response["X-Total-Count"]) > 4
    assert 'rel="next"' in response["Link"]


def test_detail_example_answers_the_documented_record(demo_client):
    response = demo_client.get(DETAIL_URL, HTTP_ACCEPT="application/json")

    assert response.status_code == 200
    body = response.json()
    assert list(body) == ["result"]
    assert_contact_shape(body["result"], DOCUMENTED_DETAIL["result"])
    assert body == DOCUMENTED_DETAIL


def test_list_and_detail_items_have_the_same_keys(demo_client):
    listed = demo_client.get("/api/now/contact?sysparm_limit=1").json()["result"][0]
    detail = demo_client.get(DETAIL_URL).json()["result"]
    assert list(listed) == list(detail) == list(DOCUMENTED_DETAIL["result"])
    assert len(detail) == 65


def test_post_example_creates_the_documented_contact(demo_client):
    sent = json.loads(post_body())

    response = demo_client.post(
        "/api/now/contact", post_body(), content_type="application/json", HTTP_ACCEPT="application/json"
    )

    assert response.status_code == 201
    body = response.json()
    assert list(body) == DOCUMENTED_POST_RESPONSE_KEYS
    assert isinstance(body["result"], str) and SYS_ID.match(body["result"])
    contact = Contact.objects.get(pk=body["result"])
    assert contact.user_name == "dora.warren"
    assert contact.has_usable_password() is False
    assert SocialProfile.objects.filter(contact=contact).count() == 0  # no social fields were sent
    # Reading it back gives every value as sent (each a string), and the system fields.
    record = demo_client.get(f"/api/now/contact/{body['result']}").json()["result"]
    assert_contact_shape(record, DOCUMENTED_DETAIL["result"])
    for key, value in sent.items():
        assert record[key] == value, key
    assert record["sys_class_name"] == "customer_contact"
    assert record["sys_created_by"] == record["sys_updated_by"] == "csm.integration"
    assert record["sys_mod_count"] == "0"


def test_post_example_sent_twice_is_refused_the_second_time(demo_client):
    first = demo_client.post("/api/now/contact", post_body(), content_type="application/json")
    second = demo_client.post("/api/now/contact", post_body(), content_type="application/json")

    assert first.status_code == 201
    assert second.status_code == 400
    error = second.json()
    assert error["status"] == "failure"
    assert error["error"]["message"] == "Operation Failed"
    assert "dora.warren" in error["error"]["detail"]
    assert Contact.objects.filter(user_name="dora.warren").count() == 1


def test_post_example_with_its_literal_continuations_is_an_unreadable_body(demo_client):
    # What curl would really send for the printed command: backslashes outside strings.
    response = demo_client.post("/api/now/contact", DOCUMENTED_POST_BODY.strip(), content_type="application/json")

    assert response.status_code == 400
    assert response.json()["error"]["message"] == "Exception while reading request"
    assert not Contact.objects.filter(user_name="dora.warren").exists()
