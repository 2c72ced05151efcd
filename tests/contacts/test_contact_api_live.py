"""The Contact API through a real HTTP server with the clients integration engineers use:
``requests`` (following ``Link: rel="next"``) and ``pysnow`` 0.7 (its ``Resource`` interface).

What pysnow does, read from its source: ``Client(host=..., use_ssl=False)`` talks to
``http://<host>``; ``client.resource(api_path="/contact", base_path="/api/now")`` targets
``/api/now/contact``; ``get(query=..., limit=..., offset=...)`` sends ``sysparm_query``,
``sysparm_limit`` (default 10000), ``sysparm_offset`` and its other sysparms (display value,
fields, view, ...), which the endpoint ignores; it does not follow ``Link`` itself (only its
legacy table interface does), so a client pages with limit/offset. ``create(payload)`` POSTs JSON
with ``Accept``/``Content-Type: application/json``; for the documented ``{"result": "<sys_id>"}``
body, ``.all()`` returns the sys_id string (``.one()`` would raise ``NoResults``: the result is
neither a record nor a list).
"""

import io

import pysnow
import pytest
import requests

from contacts.demo import BOXEO, load_crm
from contacts.models import Contact, SocialProfile
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.e2e


@pytest.fixture
def caller(transactional_db, make_user):
    load_crm(stdout=io.StringIO())
    return make_user("csm_ws_integration", user_name="live.integration")


@pytest.fixture
def snow(live_server, caller):
    client = pysnow.Client(
        host=live_server.url.removeprefix("http://"), user=caller.user_name, password=TEST_PASSWORD, use_ssl=False
    )
    yield client.resource(api_path="/contact", base_path="/api/now")
    client.close()


def test_requests_following_link_next_gets_every_contact_once(live_server, caller):
    seen: list[str] = []
    pages = 0
    with requests.Session() as session:
        session.auth = (caller.user_name, TEST_PASSWORD)
        response = session.get(
            f"{live_server.url}/api/now/contact",
            params={"sysparm_query": "ORDERBYlast_name", "sysparm_limit": 45},
            timeout=10,
        )
        while True:
            assert response.status_code == 200
            body = response.json()
            seen.extend(record["sys_id"] for record in body["result"])
            pages += 1
            assert body["hasMore"] is ("next" in response.links)
            if "next" not in response.links:
                break
            response = session.get(response.links["next"]["url"], timeout=10)

    total = Contact.objects.count()
    assert int(response.headers["X-Total-Count"]) == total
    assert len(seen) == len(set(seen)) == total
    assert pages == -(-total // 45)


def test_pysnow_lists_a_query_in_one_response_and_by_pages(snow):
    expected = set(Contact.objects.filter(account_id=BOXEO).values_list("sys_id", flat=True))

    everything = snow.get(query={"account": BOXEO}).all()  # pysnow's default limit: 10000
    assert {record["sys_id"] for record in everything} == expected

    seen: list[str] = []
    offset = 0
    while True:
        response = snow.get(query=f"account={BOXEO}^ORDERBYDESCcity", limit=7, offset=offset)
        records = list(response.all())
        seen.extend(record["sys_id"] for record in records)
        offset += 7
        if offset >= int(response.headers["X-Total-Count"]):
            break
    assert len(seen) == len(set(seen)) and set(seen) == expected
    assert all(isinstance(value, str) for record in everything for value in record.values())


def test_pysnow_streams_a_page(snow):
    records = list(snow.get(query="last_nameSTARTSWITHwar", limit=5, stream=True).all())
    assert len(records) == 5
    assert {record["last_name"] for record in records} == {"Warren"}


def test_pysnow_creates_a_contact_with_a_social_profile(snow):
    response = snow.create(
        {
            "first_name": "Dora",
            "last_name": "Warren",
            "user_name": "dora.live",
            "account": BOXEO,
            "latitude": "57.6",
            "social_channel": "Twitter",
            "social_handle": "@doralive",
            "social_handle_url": "https://twitter.com/doralive",
        }
    )

    sys_id = response.all()
    assert isinstance(sys_id, str) and len(sys_id) == 32
    contact = Contact.objects.get(pk=sys_id)
    assert (contact.user_name, contact.name, contact.account_id, contact.latitude) == (
        "dora.live",
        "Dora Warren",
        BOXEO,
        57.6,
    )
    assert SocialProfile.objects.get(contact=contact).social_id == "@doralive"
    assert snow.get(query={"sys_id": sys_id}).all()[0]["latitude"] == "57.6"


def test_pysnow_sees_a_refused_create_as_an_http_error(snow):
    with pytest.raises(requests.HTTPError) as raised:
        snow.create({"user_name": "george.warren"}).all()
    assert raised.value.response.status_code == 400
    assert raised.value.response.json()["error"]["message"] == "Operation Failed"
