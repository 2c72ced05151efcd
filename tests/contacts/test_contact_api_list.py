"""GET /api/now/contact and /api/now/contact/{id}: paging, ordering, encoded queries, XML, query count."""

from collections import OrderedDict
from urllib.parse import parse_qs, urlsplit
from xml.etree import ElementTree

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contacts import selectors
from contacts.demo import BOXEO, GENERATED_ACCOUNTS, GEORGE_WARREN
from contacts.models import Contact
from csm_project.core.access.roles import user_grant_roles
from csm_project.core.properties import INVALID_QUERY_RETURNS_NO_ROWS, property_set
from tests.contacts.factories_contacts import demo_contacts_module  # noqa: F401 - a fixture

pytestmark = pytest.mark.django_db

GLOBEX = GENERATED_ACCOUNTS[1][0]


@pytest.fixture
def demo_contacts(demo_contacts_module, db) -> int:  # noqa: F811 - the imported fixture
    """The contacts demo data set (a few hundred contacts); returns how many contacts exist."""
    return demo_contacts_module


@pytest.fixture
def client(contact_integration_client):
    return contact_integration_client


def parse_links(header: str) -> dict[str, dict[str, str]]:
    """``<url>;rel="next",...`` -> {"next": {query params}, ...}."""
    links = {}
    for part in header.split(","):
        url, rel = part.split(";rel=")
        query = parse_qs(urlsplit(url.strip("<>")).query)
        links[rel.strip('"')] = {key: values[0] for key, values in query.items()}
    return links


def walk_by_offset(client, query: str, limit: int) -> list[dict]:
    """Every page from offset 0, checking that hasMore, X-Total-Count and Link agree on each."""
    records: list[dict] = []
    offset, total = 0, None
    while True:
        response = client.get(
            "/api/now/contact", {"sysparm_query": query, "sysparm_limit": limit, "sysparm_offset": offset}
        )
        assert response.status_code == 200, response.content
        body = response.json()
        page_total = int(response["X-Total-Count"])
        total = page_total if total is None else total
        assert page_total == total
        more = offset + limit < total
        assert body["hasMore"] is more
        assert len(body["result"]) == min(limit, total - offset)
        links = parse_links(response["Link"])
        assert links["first"]["sysparm_offset"] == "0"
        assert links["last"]["sysparm_offset"] == str((total - 1) // limit * limit)
        assert ("next" in links) is more
        assert ("prev" in links) is (offset > 0)
        for link in links.values():
            assert link["sysparm_limit"] == str(limit)
            assert link.get("sysparm_query", "") == query
        records.extend(body["result"])
        if not more:
            assert len(records) == total
            return records
        assert links["next"]["sysparm_offset"] == str(offset + limit)
        offset += limit


def test_list_defaults_to_ten_contacts_in_creation_order(client, demo_contacts):
    response = client.get("/api/now/contact")

    assert response.status_code == 200
    body = response.json()
    assert len(body["result"]) == 10 and body["hasMore"] is True
    assert response["X-Total-Count"] == str(demo_contacts)
    expected = Contact.objects.order_by("sys_created_on", "sys_id").values_list("sys_id", flat=True)[:10]
    assert [record["sys_id"] for record in body["result"]] == list(expected)


def test_versioned_url_serves_the_same_list(client, demo_contacts):
    default = client.get("/api/now/contact", {"sysparm_limit": 5}).json()
    versioned = client.get("/api/now/v1/contact", {"sysparm_limit": 5}).json()
    assert default == versioned
    assert client.get(f"/api/now/v1/contact/{GEORGE_WARREN}").json()["result"]["sys_id"] == GEORGE_WARREN


def test_unknown_version_is_a_400_envelope(client, demo_contacts):
    response = client.get("/api/now/v7/contact")
    assert response.status_code == 400
    assert response.json()["error"]["message"] == "Requested URI does not represent any resource"


@pytest.mark.parametrize(
    ("query", "sort_key"),
    [
        ("", None),
        ("ORDERBYlast_name", ("last_name", False)),
        ("ORDERBYDESCcity", ("city", True)),
        (f"account={BOXEO}^ORDERBYlast_name", ("last_name", False)),
    ],
)
@pytest.mark.parametrize("limit", [7, 50])
def test_paging_by_offset_returns_every_contact_exactly_once(client, demo_contacts, query, sort_key, limit):
    records = walk_by_offset(client, query, limit)

    sys_ids = [record["sys_id"] for record in records]
    assert len(sys_ids) == len(set(sys_ids))
    expected = Contact.objects.filter(account_id=BOXEO) if query.startswith("account=") else Contact.objects.all()
    assert set(sys_ids) == set(expected.values_list("sys_id", flat=True))
    if sort_key is not None:
        field, descending = sort_key
        values = [record[field].lower() for record in records]
        assert values == sorted(values, reverse=descending)
        assert len(set(values)) < len(values) / 4  # many equal values: the tiebreak is exercised


def test_following_link_next_visits_the_same_contacts_as_offsets(client, demo_contacts):
    by_offset = [record["sys_id"] for record in walk_by_offset(client, "ORDERBYDESCcity", 40)]
    seen: list[str] = []
    response = client.get("/api/now/contact", {"sysparm_query": "ORDERBYDESCcity", "sysparm_limit": 40})
    while True:
        seen.extend(record["sys_id"] for record in response.json()["result"])
        links = parse_links(response["Link"])
        if "next" not in links:
            break
        response = client.get("/api/now/contact", links["next"])
    assert seen == by_offset


def test_suppress_pagination_header_drops_link_only(client, demo_contacts):
    response = client.get("/api/now/contact", {"sysparm_suppress_pagination_header": "True"})
    assert "Link" not in response
    assert response["X-Total-Count"] == str(demo_contacts)


def test_offset_past_the_end_is_an_empty_page(client, demo_contacts):
    response = client.get("/api/now/contact", {"sysparm_offset": demo_contacts + 5})
    assert response.status_code == 200
    assert response.json() == {"result": [], "hasMore": False}


@pytest.mark.parametrize("params", [{"sysparm_limit": "-1"}, {"sysparm_offset": "-2"}, {"sysparm_limit": "ten"}])
def test_bad_limit_or_offset_is_a_400_envelope(client, demo_contacts, params):
    response = client.get("/api/now/contact", params)
    assert response.status_code == 400
    assert response.json()["status"] == "failure"


def total_for(client, query: str) -> int:
    response = client.get("/api/now/contact", {"sysparm_query": query, "sysparm_limit": 500})
    assert response.status_code == 200
    assert int(response["X-Total-Count"]) == len(response.json()["result"])
    return len(response.json()["result"])


def test_query_by_account_reference(client, demo_contacts):
    records = client.get("/api/now/contact", {"sysparm_query": f"account={BOXEO}", "sysparm_limit": 500}).json()
    assert {record["account"] for record in records["result"]} == {BOXEO}
    assert len(records["result"]) == Contact.objects.filter(account_id=BOXEO).count()


def test_query_startswith_ignores_case(client, demo_contacts):
    response = client.get("/api/now/contact", {"sysparm_query": "last_nameSTARTSWITHwar", "sysparm_limit": 500})
    names = {record["last_name"] for record in response.json()["result"]}
    assert names == {"Warren"}
    assert len(response.json()["result"]) == Contact.objects.filter(last_name="Warren").count()


def test_query_dot_walks_to_the_account_name(client, demo_contacts):
    response = client.get("/api/now/contact", {"sysparm_query": "account.name=Globex", "sysparm_limit": 500})
    records = response.json()["result"]
    assert records and {record["account"] for record in records} == {GLOBEX}
    assert len(records) == Contact.objects.filter(account_id=GLOBEX).count()


def test_invalid_query_term_is_ignored_by_default(client, demo_contacts):
    assert total_for(client, "no_such_field=1") == demo_contacts
    assert total_for(client, f"no_such_field=1^account={BOXEO}") == Contact.objects.filter(account_id=BOXEO).count()


def test_invalid_query_returns_no_rows_when_the_property_says_so(client, demo_contacts):
    property_set(INVALID_QUERY_RETURNS_NO_ROWS, "true", type="boolean")

    response = client.get("/api/now/contact", {"sysparm_query": "no_such_field=1"})

    assert response.status_code == 200
    assert response.json() == {"result": [], "hasMore": False}
    assert response["X-Total-Count"] == "0"
    assert total_for(client, f"account={BOXEO}") > 0  # valid queries are unaffected


def test_detail_of_unknown_or_malformed_id_is_404_envelope(client, demo_contacts):
    for sys_id in ("0" * 32, "not-a-sys-id", "' OR '1'='1", "a%00b", GEORGE_WARREN.upper(), GEORGE_WARREN + "0"):
        response = client.get(f"/api/now/contact/{sys_id}")
        assert response.status_code == 404
        assert response.json() == {
            "error": {
                "message": "No Record found",
                "detail": "Record doesn't exist or ACL restricts the record retrieval",
            },
            "status": "failure",
        }


def test_detail_ignores_list_parameters(client, demo_contacts):
    response = client.get(f"/api/now/contact/{GEORGE_WARREN}", {"sysparm_query": "last_name=Nobody"})
    assert response.status_code == 200


def test_roles_are_listed_comma_joined(client, demo_contacts):
    george = Contact.objects.get(pk=GEORGE_WARREN)
    user_grant_roles(user=george, roles=["interaction_agent", "csm_ws_integration"])

    record = client.get(f"/api/now/contact/{GEORGE_WARREN}").json()["result"]

    assert record["roles"] == "csm_ws_integration,interaction_agent"


def xml_records(content: bytes) -> tuple[ElementTree.Element, list[dict[str, str]]]:
    root = ElementTree.fromstring(content)
    assert root.tag == "response"
    return root, [{child.tag: child.text or "" for child in result} for result in root.findall("result")]


def test_list_in_xml_carries_the_same_values_as_json(client, demo_contacts):
    params = {"sysparm_query": f"account={BOXEO}", "sysparm_limit": 4}
    as_json = client.get("/api/now/contact", params).json()

    response = client.get("/api/now/contact", params, HTTP_ACCEPT="application/xml")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    assert response.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    root, records = xml_records(response.content)
    assert records == as_json["result"]
    assert [list(record) for record in records] == [list(record) for record in as_json["result"]]
    assert root.findtext("hasMore") == "true"
    assert response["X-Total-Count"] and "Link" in response


def test_detail_in_xml_carries_the_same_values_as_json(client, demo_contacts):
    as_json = client.get(f"/api/now/contact/{GEORGE_WARREN}").json()["result"]

    response = client.get(f"/api/now/contact/{GEORGE_WARREN}", HTTP_ACCEPT="application/xml")

    assert response.status_code == 200
    _, records = xml_records(response.content)
    assert records == [as_json]


def test_xml_error_for_unknown_record_is_the_envelope(client, demo_contacts):
    response = client.get("/api/now/contact/" + "0" * 32, HTTP_ACCEPT="application/xml")
    assert response.status_code == 404
    root = ElementTree.fromstring(response.content)
    assert root.findtext("error/message") == "No Record found"
    assert root.findtext("status") == "failure"


def test_list_query_count_does_not_grow_with_the_page(client, demo_contacts):
    # Roles on many contacts, so a per-row roles query would show.
    for contact in Contact.objects.order_by("sys_created_on", "sys_id")[:150]:
        user_grant_roles(user=contact, roles=["csm_ws_integration"])
    client.get("/api/now/contact", {"sysparm_limit": 1})  # warm the credential cache

    counts = {}
    for limit in (1, 100):
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/api/now/contact", {"sysparm_limit": limit, "sysparm_query": "ORDERBYlast_name"})
        assert len(response.json()["result"]) == limit
        counts[limit] = len(queries)

    assert counts[1] == counts[100]
    assert counts[100] <= 6  # caller, caller's roles, count, page ids, page rows, their roles


def test_xml_escapes_markup_and_keeps_unicode(client, demo_contacts):
    odd = Contact.objects.get(pk=GEORGE_WARREN)
    odd.title = 'R&D <lead> "quoted" Ünïcødé ✓'
    odd.save()

    response = client.get(f"/api/now/contact/{GEORGE_WARREN}", HTTP_ACCEPT="application/xml")

    _, records = xml_records(response.content)
    assert records[0]["title"] == 'R&D <lead> "quoted" Ünïcødé ✓'
    assert records[0] == client.get(f"/api/now/contact/{GEORGE_WARREN}").json()["result"]
    assert records[0]["sys_mod_count"] == "4"


def test_the_unfiltered_list_is_the_filtered_lists_rows_by_sql_built_once(client, demo_contacts, monkeypatch):
    """No sysparm_query: the page's ids come from a prepared query; it must give what the encoded
    query filter gives (an always-true query takes that path), ties on the creation time included."""
    monkeypatch.setattr(selectors._IDS_IN_LIST_ORDER, "_compiled", OrderedDict())  # built by this test
    Contact.objects.filter(pk__in=list(Contact.objects.values_list("pk", flat=True)[:6])).update(
        sys_created_on="2020-01-01T00:00:00Z"
    )
    for offset, limit in ((0, 10), (0, 4), (3, 5), (demo_contacts - 2, 10)):
        params = {"sysparm_offset": offset, "sysparm_limit": limit}
        plain = client.get("/api/now/contact", params)
        filtered = client.get("/api/now/contact", {**params, "sysparm_query": "sys_idISNOTEMPTY"})
        assert plain.status_code == 200 and plain.json() == filtered.json()
        expected = Contact.objects.order_by("sys_created_on", "sys_id").values_list("pk", flat=True)
        assert [row["sys_id"] for row in plain.json()["result"]] == list(expected[offset : offset + limit])
    (compiled,) = selectors._IDS_IN_LIST_ORDER._compiled.values()  # the plain pages took the prepared path
    # It sorts by the creation time kept on customer_contact (contacts/list_keys.py): no join.
    assert compiled.sql.endswith(
        'ORDER BY "customer_contact"."list_created_on" ASC, "customer_contact"."user_ptr_id" ASC LIMIT %s OFFSET %s'
    )
    assert "JOIN" not in compiled.sql
