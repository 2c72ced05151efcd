"""Table API reads: list, get and HEAD over registry tables, with every list parameter."""

import re
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from csm_project.core.properties import INVALID_QUERY_RETURNS_NO_ROWS, property_set
from csm_project.core.records.choices import choices_ensure
from interactions.models import Interaction, InteractionConnector
from leads.demo import CHOICES
from leads.models import LEAD_TABLE, Lead
from tests.contacts.factories_contacts import AccountFactory, ContactFactory, LocationFactory

CONTACTS = "/api/now/table/customer_contact"
LEADS = "/api/now/table/sn_lead_mgmt_core_lead"
NOT_FOUND = {
    "error": {"message": "No Record found", "detail": "Record doesn't exist or ACL restricts the record retrieval"},
    "status": "failure",
}


@pytest.fixture
def contacts_client(client_for):
    return client_for("csm_ws_integration", time_zone="America/Los_Angeles")


@pytest.fixture
def leads_client(client_for):
    return client_for("sn_lead_mgmt_core.lead_integrator", time_zone="America/Los_Angeles")


@pytest.fixture
def acme(db):
    return AccountFactory(name="Acme", city="Paris")


@pytest.fixture
def contacts(acme):
    """Three contacts of Acme in Paris / Lyon, created in this order."""
    paris = LocationFactory(name="Paris office")
    return [
        ContactFactory(
            user_name="ann", first_name="Ann", last_name="Archer", city="Paris", account=acme, location=paris, vip=True
        ),
        ContactFactory(user_name="bob", first_name="Bob", last_name="Baker", city="Lyon", account=acme),
        ContactFactory(user_name="cid", first_name="Cid", last_name="Cole", city="Paris", account=None, active=False),
    ]


def leaves(value):
    if isinstance(value, dict):
        for item in value.values():
            yield from leaves(item)
    elif isinstance(value, list):
        for item in value:
            yield from leaves(item)
    else:
        yield value


def test_list_answers_every_field_as_a_string_with_reference_links(contacts_client, contacts, acme):
    response = contacts_client.get(CONTACTS, {"sysparm_query": "ORDERBYuser_name"})

    assert response.status_code == 200
    assert list(response.json()) == ["result"]
    rows = response.json()["result"]
    assert [row["user_name"] for row in rows] == ["ann", "bob", "cid"]
    ann = rows[0]
    assert all(isinstance(leaf, str) for leaf in leaves(rows))
    assert ann["vip"] == "true" and ann["active"] == "true" and rows[2]["active"] == "false"
    assert ann["account"] == {
        "link": f"http://testserver/api/now/table/customer_account/{acme.sys_id}",
        "value": acme.sys_id,
    }
    assert ann["manager"] == "" and ann["middle_name"] == ""
    assert ann["sys_class_name"] == "customer_contact" and ann["sys_mod_count"] == "0"
    assert "password" not in ann and "is_superuser" not in ann
    assert response["X-Total-Count"] == "3"


def test_paging_headers_link_every_page_and_keep_the_other_parameters(contacts_client, contacts):
    full = contacts_client.get(CONTACTS, {"sysparm_limit": "1", "sysparm_offset": "1", "sysparm_fields": "user_name"})
    assert [row["user_name"] for row in full.json()["result"]] == ["bob"]
    assert full["X-Total-Count"] == "3"
    links = {rel: url for url, rel in re.findall(r'<([^>]+)>;rel="(\w+)"', full["Link"])}
    assert set(links) == {"first", "prev", "next", "last"}
    for rel, offset in (("first", "0"), ("prev", "0"), ("next", "2"), ("last", "2")):
        url = urlsplit(links[rel])
        assert f"{url.scheme}://{url.netloc}{url.path}" == "http://testserver" + CONTACTS
        assert parse_qs(url.query) == {
            "sysparm_limit": ["1"],
            "sysparm_offset": [offset],
            "sysparm_fields": ["user_name"],
        }


def test_without_a_limit_a_list_answers_every_row(contacts_client, acme):
    ContactFactory.create_batch(12, account=acme)

    response = contacts_client.get(CONTACTS)

    assert len(response.json()["result"]) == 12 and 'rel="next"' not in response["Link"]


def test_suppressed_pagination_header_keeps_the_total(contacts_client, contacts):
    response = contacts_client.get(CONTACTS, {"sysparm_limit": "1", "sysparm_suppress_pagination_header": "True"})

    assert "Link" not in response and response["X-Total-Count"] == "3"


def test_no_count_skips_the_count_query_and_still_tells_clients_whether_more_rows_follow(contacts_client, contacts):
    with CaptureQueriesContext(connection) as queries:
        response = contacts_client.get(CONTACTS, {"sysparm_limit": "2", "sysparm_no_count": "true"})
    last = contacts_client.get(CONTACTS, {"sysparm_limit": "2", "sysparm_offset": "2", "sysparm_no_count": "true"})

    assert not any("COUNT(" in query["sql"].upper() for query in queries.captured_queries)
    assert len(response.json()["result"]) == 2
    assert response["X-Total-Count"] == "3"  # the page, plus one: more rows follow
    assert 'rel="next"' in response["Link"] and 'rel="last"' not in response["Link"]
    assert len(last.json()["result"]) == 1 and last["X-Total-Count"] == "3" and 'rel="next"' not in last["Link"]


@pytest.mark.parametrize("prefix", ["/api/now/table", "/api/now/v1/table", "/api/now/v2/table"])
def test_unversioned_and_versioned_urls_serve_the_same_records(contacts_client, contacts, prefix):
    listed = contacts_client.get(f"{prefix}/customer_contact", {"sysparm_query": "ORDERBYuser_name"})
    one = contacts_client.get(f"{prefix}/customer_contact/{contacts[1].sys_id}")

    assert [row["user_name"] for row in listed.json()["result"]] == ["ann", "bob", "cid"]
    assert one.status_code == 200 and one.json()["result"]["user_name"] == "bob"


def test_unknown_version_is_a_400_envelope(contacts_client, contacts):
    response = contacts_client.get("/api/now/v9/table/customer_contact")

    assert response.status_code == 400 and response.json()["status"] == "failure"


def test_unknown_table_is_a_400_naming_it(contacts_client):
    response = contacts_client.get("/api/now/table/incident")

    assert response.status_code == 400
    assert response.json() == {"error": {"message": "Invalid table incident", "detail": None}, "status": "failure"}


def test_anonymous_caller_gets_401_even_for_an_unknown_table(anonymous_client):
    response = anonymous_client.get("/api/now/table/incident")

    assert response.status_code == 401 and response["WWW-Authenticate"].startswith("Basic realm=")


@pytest.mark.parametrize("sys_id", ["0" * 32, "not-a-sys-id", "A" * 32])
def test_get_of_a_missing_or_malformed_id_is_a_404_envelope(contacts_client, contacts, sys_id):
    response = contacts_client.get(f"{CONTACTS}/{sys_id}")

    assert response.status_code == 404 and response.json() == NOT_FOUND


def test_head_answers_the_headers_of_get_without_a_body(contacts_client, contacts):
    response = contacts_client.head(CONTACTS, {"sysparm_limit": "1"})
    one = contacts_client.head(f"{CONTACTS}/{contacts[0].sys_id}")

    assert response.status_code == 200 and response["X-Total-Count"] == "3" and response.content == b""
    assert one.status_code == 200 and one.content == b""


def test_options_is_not_a_platform_method(contacts_client, contacts):
    response = contacts_client.options(CONTACTS)

    assert response.status_code == 405 and response.json()["status"] == "failure"


def test_sysparm_fields_dot_walks_and_ignores_unknown_names(contacts_client, contacts):
    response = contacts_client.get(
        CONTACTS,
        {
            "sysparm_fields": "user_name, account.name,account.city,nonsense,password,location.name",
            "sysparm_query": "ORDERBYuser_name",
        },
    )

    rows = response.json()["result"]
    assert rows[0] == {
        "user_name": "ann",
        "account.name": "Acme",
        "account.city": "Paris",
        "location.name": "Paris office",
    }
    assert rows[2] == {"user_name": "cid", "account.name": "", "account.city": "", "location.name": ""}


def test_display_value_true_shows_labels_local_times_and_reference_display_values(leads_client, acme):
    for element, values in CHOICES.items():
        choices_ensure(table=LEAD_TABLE, element=element, values=values)
    lead = Lead.objects.create(
        last_name="Wilson", stage="300_nurturing", account=acme, closed_date=datetime(2026, 1, 10, 20, 0, 0, tzinfo=UTC)
    )

    shown = leads_client.get(f"{LEADS}/{lead.sys_id}", {"sysparm_display_value": "true"}).json()["result"]
    plain = leads_client.get(
        f"{LEADS}/{lead.sys_id}", {"sysparm_display_value": "true", "sysparm_exclude_reference_link": "true"}
    ).json()["result"]

    assert shown["stage"] == "Nurturing"
    assert shown["closed_date"] == "2026-01-10 12:00:00"  # the caller's Pacific time
    assert shown["account"] == {
        "display_value": "Acme",
        "link": f"http://testserver/api/now/table/customer_account/{acme.sys_id}",
    }
    assert shown["contact"] == "" and shown["number"] == lead.number
    assert plain["account"] == "Acme"


def test_display_value_all_gives_both_for_every_field(leads_client, acme):
    for element, values in CHOICES.items():
        choices_ensure(table=LEAD_TABLE, element=element, values=values)
    lead = Lead.objects.create(last_name="Wilson", stage="300_nurturing", account=acme, do_not_call=True)

    result = leads_client.get(f"{LEADS}/{lead.sys_id}", {"sysparm_display_value": "ALL"}).json()["result"]
    excluded = leads_client.get(
        f"{LEADS}/{lead.sys_id}", {"sysparm_display_value": "all", "sysparm_exclude_reference_link": "true"}
    ).json()["result"]

    assert result["stage"] == {"display_value": "Nurturing", "value": "300_nurturing"}
    assert result["do_not_call"] == {"display_value": "true", "value": "true"}
    assert result["account"] == {
        "display_value": "Acme",
        "value": acme.sys_id,
        "link": f"http://testserver/api/now/table/customer_account/{acme.sys_id}",
    }
    assert result["contact"] == {"display_value": "", "value": ""}
    assert excluded["account"] == {"display_value": "Acme", "value": acme.sys_id}
    assert all(isinstance(value, dict) for value in result.values())


def test_model_choices_give_labels_when_the_choice_list_has_none(client_for):
    channel = InteractionConnector.objects.create(name="Chat")
    interaction = Interaction.objects.create(channel=channel, state="work_in_progress")
    agent = client_for("interaction_agent")

    result = agent.get(
        f"/api/now/table/interaction/{interaction.sys_id}",
        {"sysparm_display_value": "true", "sysparm_fields": "state,channel"},
    )

    assert result.json()["result"]["state"] == "Work in Progress"
    assert result.json()["result"]["channel"]["display_value"] == "Chat"


def test_name_value_pairs_filter_and_are_anded(contacts_client, contacts):
    response = contacts_client.get(CONTACTS, {"city": "Paris", "active": "true", "unknown_field": "x"})

    assert [row["user_name"] for row in response.json()["result"]] == ["ann"]
    assert response["X-Total-Count"] == "1"


def test_name_value_pairs_take_a_reference_by_display_value_or_sys_id(contacts_client, contacts, acme):
    by_name = contacts_client.get(CONTACTS, {"account": "Acme", "sysparm_fields": "user_name"})
    by_id = contacts_client.get(CONTACTS, {"account": acme.sys_id, "sysparm_fields": "user_name"})

    assert sorted(row["user_name"] for row in by_name.json()["result"]) == ["ann", "bob"]
    assert by_id.json() == by_name.json()


def test_name_value_pairs_take_a_choice_by_its_label(leads_client):
    for element, values in CHOICES.items():
        choices_ensure(table=LEAD_TABLE, element=element, values=values)
    nurturing = Lead.objects.create(last_name="Nurture", stage="300_nurturing")
    Lead.objects.create(last_name="Fresh", stage="100_new")

    by_label = leads_client.get(LEADS, {"stage": "Nurturing", "sysparm_fields": "sys_id"})
    by_value = leads_client.get(LEADS, {"stage": "300_nurturing", "sysparm_fields": "sys_id"})

    assert by_label.json()["result"] == [{"sys_id": nurturing.sys_id}] == by_value.json()["result"]


def test_name_value_pairs_are_ignored_when_sysparm_query_is_given(contacts_client, contacts):
    response = contacts_client.get(CONTACTS, {"city": "Lyon", "sysparm_query": "user_name=cid"})

    assert [row["user_name"] for row in response.json()["result"]] == ["cid"]


def test_a_caret_in_a_name_value_pair_cannot_start_another_term(contacts_client, contacts):
    response = contacts_client.get(CONTACTS, {"city": "Nowhere^ORuser_name=ann"})

    assert response.json()["result"] == [] and response["X-Total-Count"] == "0"


def test_encoded_query_filters_and_orders(contacts_client, contacts):
    response = contacts_client.get(
        CONTACTS, {"sysparm_query": "city=Paris^ORcity=Lyon^ORDERBYDESCuser_name", "sysparm_fields": "user_name"}
    )

    assert [row["user_name"] for row in response.json()["result"]] == ["cid", "bob", "ann"]


def test_secrets_are_neither_readable_nor_queryable(admin_client_api, contacts):
    users = admin_client_api.get("/api/now/table/sys_user", {"sysparm_fields": "user_name,password,is_superuser"})
    everyone = admin_client_api.get("/api/now/table/sys_user", {"sysparm_fields": "sys_id"})
    probing = admin_client_api.get(
        "/api/now/table/sys_user", {"sysparm_query": "passwordSTARTSWITHmd5", "sysparm_fields": "sys_id"}
    )
    property_set(INVALID_QUERY_RETURNS_NO_ROWS, "true")
    strict = admin_client_api.get("/api/now/table/sys_user", {"sysparm_query": "passwordSTARTSWITHmd5"})

    assert all(set(row) == {"user_name"} for row in users.json()["result"])
    assert probing.json() == everyone.json()  # the term is dropped: it tells nothing about passwords
    assert strict.json() == {"result": []}


def test_xml_list_has_one_result_element_per_record(contacts_client, contacts):
    response = contacts_client.get(
        CONTACTS,
        {"sysparm_fields": "user_name,account", "sysparm_query": "ORDERBYuser_name"},
        HTTP_ACCEPT="application/xml",
    )

    body = response.content.decode()
    assert response.status_code == 200 and response["Content-Type"].startswith("application/xml")
    assert body.startswith('<?xml version="1.0" encoding="UTF-8"?><response><result><user_name>ann</user_name>')
    assert body.count("<result>") == 3 and "<account><link>http://testserver/api/now/table/customer_account/" in body


@pytest.mark.parametrize("limit", ["-1", "abc", "1.5"])
def test_bad_limit_is_a_400_envelope(contacts_client, contacts, limit):
    response = contacts_client.get(CONTACTS, {"sysparm_limit": limit})

    assert response.status_code == 400 and response.json()["status"] == "failure"


def test_accepted_parameters_change_nothing(contacts_client, contacts):
    plain = contacts_client.get(CONTACTS, {"sysparm_fields": "user_name"})
    dressed = contacts_client.get(
        CONTACTS,
        {
            "sysparm_fields": "user_name",
            "sysparm_view": "desktop",
            "sysparm_query_no_domain": "true",
            "sysparm_query_category": "list",
        },
    )

    assert dressed.json() == plain.json()


def test_list_query_count_does_not_grow_with_the_page(contacts_client, acme):
    ContactFactory.create_batch(3, account=acme)
    params = {"sysparm_display_value": "all", "sysparm_fields": "user_name,account,account.name,manager"}
    contacts_client.get(CONTACTS, params)  # the first sign-in also reads the login throttle: not per page
    with CaptureQueriesContext(connection) as small:
        contacts_client.get(CONTACTS, params)
    ContactFactory.create_batch(12, account=acme)
    with CaptureQueriesContext(connection) as large:
        response = contacts_client.get(CONTACTS, params)

    assert len(response.json()["result"]) == 15
    assert len(large.captured_queries) == len(small.captured_queries)
