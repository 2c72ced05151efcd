"""Dot-walk rights (docs/access.md): each hop of a dot-walk enters a table only when the caller
may read it, in ``sysparm_fields``, ``sysparm_query`` (filters, ORDERBY), name-value filters,
group-by and display values; a refused hop is answered exactly as an unknown field, so it is no
oracle. Through the Table, Aggregate, Batch, Lead and Contact APIs and the admin."""

import base64
import json

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from contacts.models import Account, Contact
from csm_project.core.models import User
from csm_project.core.properties import INVALID_QUERY_RETURNS_NO_ROWS, property_set
from leads.models import LEAD_TABLE, Lead
from tests.contacts.factories_contacts import ContactFactory

pytestmark = pytest.mark.django_db

LEADS = f"/api/now/table/{LEAD_TABLE}"
STATS = f"/api/now/stats/{LEAD_TABLE}"
LEAD_API = "/api/sn_lead_mgmt_core/lead"


@pytest.fixture
def integrator(client_for):
    """``lead.integrator``: reads leads, not users nor contacts."""
    return client_for("sn_lead_mgmt_core.lead_integrator")


@pytest.fixture
def admin_api(client_for):
    return client_for("admin")


@pytest.fixture
def world(make_user):
    """Two leads: one owned by the superuser (mail starting with m), one by zed; one lead's
    contact is locked out."""
    boss = make_user(user_name="root.boss", email="mallory@example.com", phone="+1 555 0100", is_superuser=True)
    zed = make_user(user_name="zed", email="zed@example.com")
    contact = ContactFactory(user_name="locked.contact", locked_out=True, email="c@example.com")
    acme = Account.objects.create(name="Acme")
    first = Lead.objects.create(last_name="First", owner=boss, account=acme, contact=contact)
    second = Lead.objects.create(last_name="Second", owner=zed)
    return {"boss": boss, "zed": zed, "contact": contact, "first": first, "second": second}


def numbers(response) -> list[str]:
    assert response.status_code == 200
    return [row["number"] for row in response.json()["result"]]


# --- Table API: sysparm_fields ---------------------------------------------------------------


def test_fields_through_a_table_the_caller_may_not_read_are_left_out(integrator, world):
    response = integrator.get(
        LEADS,
        {
            "sysparm_query": f"sys_id={world['first'].pk}",
            "sysparm_fields": "number,owner,owner.email,owner.last_login,owner.phone,owner.name,"
            "contact.locked_out,contact.account.name,account.name,nosuch",
            "sysparm_exclude_reference_link": "true",
        },
    )

    assert response.status_code == 200
    # owner.name is owner's display value (part of the field); account.name likewise.
    assert response.json()["result"] == [
        {"number": world["first"].number, "owner": world["boss"].pk, "owner.name": world["boss"].name,
         "account.name": "Acme"}
    ]  # fmt: skip


def test_an_admin_reads_every_hop(admin_api, world):
    response = admin_api.get(
        LEADS, {"sysparm_query": f"sys_id={world['first'].pk}", "sysparm_fields": "owner.email,contact.locked_out"}
    )

    assert response.json()["result"] == [{"owner.email": "mallory@example.com", "contact.locked_out": "true"}]


@pytest.mark.parametrize("mode", ["true", "all"])
def test_display_values_of_a_readable_reference_stay_visible(integrator, world, mode):
    response = integrator.get(
        LEADS,
        {
            "sysparm_query": f"sys_id={world['first'].pk}",
            "sysparm_fields": "owner,owner.email",
            "sysparm_display_value": mode,
        },
    )

    [row] = response.json()["result"]
    assert list(row) == ["owner"]
    assert row["owner"]["display_value"] == world["boss"].name


# --- Table API: sysparm_query, ORDERBY, name-value pairs ---------------------------------------


def test_a_query_through_an_unreadable_table_is_an_invalid_term_not_an_oracle(integrator, world):
    everything = numbers(integrator.get(LEADS))

    for query in ("owner.emailSTARTSWITHm", "owner.emailSTARTSWITHz", "owner.email=nobody", "contact.locked_out=true"):
        assert numbers(integrator.get(LEADS, {"sysparm_query": query})) == everything, query
        # Exactly what an unknown field gives.
        assert numbers(integrator.get(LEADS, {"sysparm_query": "nosuch.emailSTARTSWITHm"})) == everything
    response = integrator.get(LEADS, {"sysparm_query": "owner.emailSTARTSWITHm"})
    assert response["X-Total-Count"] == "2"


def test_an_invalid_query_returning_no_rows_treats_the_hop_alike(integrator, world):
    property_set(INVALID_QUERY_RETURNS_NO_ROWS, "true")

    assert numbers(integrator.get(LEADS, {"sysparm_query": "owner.emailSTARTSWITHm"})) == []
    assert numbers(integrator.get(LEADS, {"sysparm_query": "owner.emailSTARTSWITHq"})) == []
    assert numbers(integrator.get(LEADS, {"sysparm_query": "last_name=First"})) == [world["first"].number]


def test_the_admin_query_filters_through_the_hop(admin_api, world):
    assert numbers(admin_api.get(LEADS, {"sysparm_query": "owner.emailSTARTSWITHm"})) == [world["first"].number]


def test_orderby_through_an_unreadable_table_is_ignored(integrator, admin_api, world):
    # An invalid ORDERBY is dropped, as an unknown field's is: the same order whatever the emails.
    unknown = numbers(integrator.get(LEADS, {"sysparm_query": "ORDERBYnosuch.email"}))
    for query in ("ORDERBYowner.email", "ORDERBYDESCowner.email", "ORDERBYcontact.locked_out"):
        assert numbers(integrator.get(LEADS, {"sysparm_query": query})) == unknown, query
    # The admin's order does follow the hop: mallory before zed, and reversed.
    ascending = numbers(admin_api.get(LEADS, {"sysparm_query": "ORDERBYowner.email"}))
    assert ascending == [world["first"].number, world["second"].number]
    assert numbers(admin_api.get(LEADS, {"sysparm_query": "ORDERBYDESCowner.email"})) == ascending[::-1]


def test_string_operators_on_a_readable_reference_compare_its_display_value(integrator, world):
    world["zed"].name = "Zed Zulu"
    world["zed"].save()

    assert numbers(integrator.get(LEADS, {"sysparm_query": "ownerSTARTSWITHzed"})) == [world["second"].number]


def test_name_value_pairs_through_an_unreadable_table_are_not_filters(integrator, world):
    everything = numbers(integrator.get(LEADS))

    assert numbers(integrator.get(LEADS, {"owner.email": "mallory@example.com"})) == everything
    assert numbers(integrator.get(LEADS, {"owner.email": "nobody@example.com"})) == everything


# --- Aggregate API ---------------------------------------------------------------------------


def test_aggregate_queries_through_an_unreadable_table_are_invalid_terms(integrator, admin_api, world):
    def count(client, query) -> str:
        response = client.get(STATS, {"sysparm_count": "true", "sysparm_query": query})
        assert response.status_code == 200
        return response.json()["result"]["stats"]["count"]

    assert count(integrator, "owner.emailSTARTSWITHm") == count(integrator, "owner.emailSTARTSWITHq") == "2"
    assert count(admin_api, "owner.emailSTARTSWITHm") == "1"


def test_aggregate_group_by_a_dot_walk_is_refused_and_a_reference_shows_its_display_value(integrator, world):
    refused = integrator.get(STATS, {"sysparm_count": "true", "sysparm_group_by": "owner.email"})
    grouped = integrator.get(
        STATS, {"sysparm_count": "true", "sysparm_group_by": "owner", "sysparm_display_value": "true"}
    )

    assert refused.status_code == 400
    assert "owner.email" in refused.json()["error"]["detail"]
    shown = {group["groupby_fields"][0]["value"] for group in grouped.json()["result"]}
    assert world["boss"].name in shown


# --- Batch API -------------------------------------------------------------------------------


def test_batch_items_read_only_readable_hops(integrator, world):
    url = f"{LEADS}?sysparm_fields=number,owner.email&sysparm_query=owner.emailSTARTSWITHm"
    response = integrator.post(
        "/api/now/v1/batch",
        {
            "batch_request_id": "1",
            "rest_requests": [
                {
                    "id": "read",
                    "method": "GET",
                    "url": url,
                    "headers": [{"name": "Accept", "value": "application/json"}],
                }
            ],
        },
        format="json",
    )

    content = b"".join(response.streaming_content) if response.streaming else response.content
    [answer] = json.loads(content)["serviced_requests"]
    assert answer["status_code"] == 200
    rows = json.loads(base64.b64decode(answer["body"]))["result"]
    assert sorted(rows, key=lambda row: row["number"]) == sorted(
        [{"number": world["first"].number}, {"number": world["second"].number}], key=lambda row: row["number"]
    )


# --- record APIs -----------------------------------------------------------------------------


def test_lead_api_fields_and_queries_need_the_hops_read_right(integrator, world):
    fields = integrator.get(LEAD_API, {"sysparm_fields": "number,owner.email,contact.locked_out,account.name"})
    queried = integrator.get(LEAD_API, {"sysparm_query": "owner.emailSTARTSWITHm", "sysparm_fields": "number"})

    assert fields.status_code == 200
    assert sorted(fields.json(), key=lambda row: row["number"]) == [
        {"number": world["first"].number, "account.name": "Acme"},
        {"number": world["second"].number, "account.name": None},
    ]
    assert sorted(row["number"] for row in queried.json()) == sorted([world["first"].number, world["second"].number])


def test_contact_api_queries_need_the_hops_read_right(client_for):
    caller = client_for("csm_ws_integration")  # reads contacts and accounts, not sys_user
    manager = User.objects.create(user_name="the.manager", email="mgr@example.com")
    paris = Account.objects.create(name="Paris Ltd", city="Paris")
    managed = ContactFactory(manager=manager, account=paris)
    other = ContactFactory()

    def ids(query: str) -> set[str]:
        response = caller.get("/api/now/contact", {"sysparm_query": query, "sysparm_limit": 100})
        assert response.status_code == 200
        return {row["sys_id"] for row in response.json()["result"]}

    everyone = {managed.pk, other.pk} | set(Contact.objects.values_list("pk", flat=True))
    assert ids("manager.emailSTARTSWITHmgr") == ids("manager.emailSTARTSWITHqq") == everyone
    assert ids("account.city=Paris") == {managed.pk}  # customer_account is the caller's to read


# --- admin -----------------------------------------------------------------------------------


def test_the_admin_query_filter_enters_only_tables_the_staff_member_may_view(make_user, world):
    clerk = make_user(user_name="lead.clerk", is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="view_lead", content_type__app_label="leads"))
    browser = Client()
    browser.force_login(clerk)
    url = reverse("admin:leads_lead_changelist")

    walked = browser.get(url, {"sysparm_query": "owner.emailSTARTSWITHm"})
    plain = browser.get(url, {"sysparm_query": "last_name=Second"})

    assert walked.status_code == 200
    page = walked.content.decode()
    assert world["first"].number in page and world["second"].number in page
    assert "Invalid terms of the encoded query were left out" in page
    assert world["first"].number not in plain.content.decode()


def test_the_admin_query_filter_walks_for_a_superuser(make_user, world):
    browser = Client()
    browser.force_login(make_user(user_name="super.staff", is_staff=True, is_superuser=True))

    page = browser.get(reverse("admin:leads_lead_changelist"), {"sysparm_query": "owner.emailSTARTSWITHm"})

    assert world["first"].number in page.content.decode()
    assert world["second"].number not in page.content.decode()
