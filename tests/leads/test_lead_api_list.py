"""GET /api/sn_lead_mgmt_core/lead and /lead/{sys_id}: the shape and the paging of docs/lead-api.md,
``sysparm_fields``, encoded queries (dot-walks included) and a constant query count."""

from collections import OrderedDict
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contacts.models import Account, Consumer, Contact
from csm_project.api.renderers import PlainJSONRenderer, PlatformJSONRenderer
from csm_project.core.models import JournalEntry
from csm_project.core.sql.numbers import reserve_numbers
from leads import selectors
from leads.models import LEAD_TABLE, LINE_ITEM_TABLE, Lead, LeadLineItem, UserGroup

LEAD_URL = "/api/sn_lead_mgmt_core/lead"

pytestmark = pytest.mark.django_db


@pytest.fixture
def leads(make_lead):
    """25 leads LEAD0000001..25; every fifth is qualified."""
    return [
        make_lead(first_name=f"Lead {n}", stage="400_closed_won" if n % 5 == 0 else "100_new") for n in range(1, 26)
    ]


def links(response) -> dict[str, str]:
    parts = [part.split(";rel=") for part in response["Links"].split(",<")]
    return {rel.strip('"'): url.strip("<>") for url, rel in parts}


def test_list_pages_by_20_by_default_with_206_and_the_paging_headers(lead_client, leads):
    response = lead_client.get(LEAD_URL)

    assert response.status_code == 206
    body = response.json()
    assert isinstance(body, list)
    assert [lead["number"] for lead in body] == [lead.number for lead in leads[:20]]
    assert response["Total-Count"] == "25"
    assert response["Content-Range"] == "items 1-20"
    assert links(response) == {
        "first": "http://testserver/api/sn_lead_mgmt_core/lead?sysparm_offset=0&sysparm_limit=20",
        "next": "http://testserver/api/sn_lead_mgmt_core/lead?sysparm_offset=20&sysparm_limit=20",
        "last": "http://testserver/api/sn_lead_mgmt_core/lead?sysparm_offset=20&sysparm_limit=20",
        "self": "http://testserver/api/sn_lead_mgmt_core/lead?sysparm_offset=0&sysparm_limit=20",
    }


def test_list_holding_every_row_is_200(lead_client, leads):
    response = lead_client.get(LEAD_URL, {"sysparm_limit": 100})

    assert response.status_code == 200
    assert len(response.json()) == 25
    assert (response["Total-Count"], response["Content-Range"]) == ("25", "items 1-25")
    assert "next" not in links(response)


def test_content_range_is_one_based_and_links_keep_the_other_parameters(lead_client, leads):
    response = lead_client.get(LEAD_URL, {"sysparm_offset": 2, "sysparm_limit": 3, "sysparm_fields": "number"})

    assert response.status_code == 206
    assert response.json() == [{"number": lead.number} for lead in leads[2:5]]
    assert response["Content-Range"] == "items 3-5"
    base = "http://testserver/api/sn_lead_mgmt_core/lead?sysparm_offset={}&sysparm_limit=3&sysparm_fields=number"
    assert links(response) == {
        "first": base.format(0),
        "previous": base.format(0),
        "next": base.format(5),
        "last": base.format(24),
        "self": base.format(2),
    }
    assert response["Links"].startswith(f'<{base.format(0)}>;rel="first",<')


def test_an_empty_result_is_200_with_an_empty_array(lead_client, leads):
    response = lead_client.get(LEAD_URL, {"sysparm_query": "first_name=nobody"})

    assert response.status_code == 200
    assert response.json() == []
    assert (response["Total-Count"], response["Content-Range"]) == ("0", "items 0-0")


def test_an_offset_past_the_end_is_206_with_no_rows(lead_client, leads):
    response = lead_client.get(LEAD_URL, {"sysparm_offset": 40})

    assert response.status_code == 206
    assert response.json() == []
    assert response["Total-Count"] == "25"


@pytest.mark.parametrize("limit", ["101", "0", "-1", "abc", "1.5", "1e2"])
def test_a_bad_limit_is_400(lead_client, leads, limit):
    response = lead_client.get(LEAD_URL, {"sysparm_limit": limit})

    assert response.status_code == 400
    assert response.json() == {
        "error": {"message": "Invalid limit", "detail": "sysparm_limit must be a whole number from 1 to 100"},
        "status": "failure",
    }


@pytest.mark.parametrize("offset", ["-1", "abc", "2.0"])
def test_a_bad_offset_is_400(lead_client, leads, offset):
    response = lead_client.get(LEAD_URL, {"sysparm_offset": offset})

    assert response.status_code == 400
    assert response.json()["error"]["message"] == "Invalid offset"


def test_limit_100_is_allowed(lead_client, leads):
    assert lead_client.get(LEAD_URL, {"sysparm_limit": "100"}).status_code == 200


def test_sysparm_fields_restricts_the_keys_in_the_order_asked(lead_client, make_lead, make_user):
    owner = make_user(user_name="max.blaze", first_name="Max", last_name="Blaze")
    account = Account.objects.create(name="Boxeo")
    make_lead(owner=owner, account=account, stage="300_nurturing", lead_score=70, items=(2,))

    response = lead_client.get(
        LEAD_URL,
        {"sysparm_fields": "stage,owner,nonsense,owner.user_name,account.name,lead_line_items,sys_domain,lead_score"},
    )

    assert response.status_code == 200
    [lead] = response.json()
    # owner.user_name walks into sys_user, which a lead integrator may not read: left out like
    # an unknown name. account.name is the account's display value, part of the account field.
    assert list(lead) == ["stage", "owner", "account.name", "lead_line_items", "lead_score"]
    assert lead["owner"] == {"sys_id": owner.pk, "name": "Max Blaze"}
    assert (lead["account.name"], lead["lead_score"]) == ("Boxeo", 70)
    assert [item["quantity"] for item in lead["lead_line_items"]] == [2]


def test_an_empty_sysparm_fields_means_every_field(lead_client, make_lead):
    make_lead()

    [lead] = lead_client.get(LEAD_URL, {"sysparm_fields": ""}).json()

    assert len(lead) == 46 and "lead_line_items" in lead and "sys_domain" not in lead


def test_sysparm_query_filters_on_a_choice(lead_client, leads):
    response = lead_client.get(LEAD_URL, {"sysparm_query": "stage=400_closed_won"})

    assert [lead["number"] for lead in response.json()] == [lead.number for lead in leads[4::5]]
    assert response.status_code == 200


def test_sysparm_query_dot_walks_through_references(lead_client, make_lead, make_user):
    owner = make_user(user_name="max.blaze")
    boxeo = Account.objects.create(name="Boxeo")
    acme = Account.objects.create(name="Acme")
    first = make_lead(owner=owner, account=boxeo)
    second = make_lead(account=acme, similar_lead=first)
    make_lead(owner=owner)

    def numbers(query: str) -> list[str]:
        return [lead["number"] for lead in lead_client.get(LEAD_URL, {"sysparm_query": query}).json()]

    assert numbers("account.name=Boxeo") == [first.number]
    # A walk into sys_user (no read right) is an invalid term, dropped: no filter on the owner.
    assert numbers("owner.user_name=max.blaze^account.nameISNOTEMPTY") == [first.number, second.number]
    assert numbers("similar_lead.account.name=boxeo") == [second.number]
    assert numbers(f"similar_lead={first.pk}") == [second.number]


def test_sysparm_query_orders_and_ignores_invalid_terms(lead_client, leads):
    response = lead_client.get(
        LEAD_URL,
        {"sysparm_query": "no_such_field=1^stage=400_closed_won^ORDERBYDESCnumber", "sysparm_fields": "number"},
    )

    assert response.json() == [{"number": lead.number} for lead in reversed(leads[4::5])]


def test_detail_shows_line_items_and_work_notes_newest_first_in_the_callers_zone(lead_client, make_lead):
    lead = make_lead(items=(6, 2))
    first = lead.line_items.order_by("number").first()
    for text, when in (("older", "2024-12-04 14:52:07"), ("newer", "2024-12-05 14:52:07")):
        at = datetime.strptime(when, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
        JournalEntry.objects.create(
            name=LEAD_TABLE, element_id=lead.pk, value=text, author=lead_client.user, sys_created_on=at
        )
    JournalEntry.objects.create(
        name=LINE_ITEM_TABLE, element_id=first.pk, value="item note", author=None, sys_created_by="system"
    )

    response = lead_client.get(f"{LEAD_URL}/{lead.pk}")

    assert response.status_code == 200
    body = response.json()
    assert body["work_notes"] == [
        {"author": "Abel Tuter", "date": "2024-12-05 06:52:07", "text": "newer"},
        {"author": "Abel Tuter", "date": "2024-12-04 06:52:07", "text": "older"},
    ]
    assert [item["quantity"] for item in body["lead_line_items"]] == [6, 2]
    assert body["lead_line_items"][0]["work_notes"][0]["text"] == "item note"
    assert body["lead_line_items"][1]["work_notes"] is None
    assert body["lead_line_items"][0]["lead"] == {"sys_id": lead.pk, "name": lead.number}
    assert body["sys_class_name"] == "Lead" and body["sys_tags"] is None


@pytest.mark.parametrize("sys_id", ["0" * 32, "nope", "'; DROP TABLE x;--", "a" * 64])
def test_detail_of_an_unknown_or_malformed_sys_id_is_404(lead_client, catalogue, sys_id):
    response = lead_client.get(f"{LEAD_URL}/{sys_id}")

    assert response.status_code == 404
    assert response.json()["error"]["message"] == "No Record found"


def test_the_versioned_url_serves_the_same_and_an_unknown_version_is_400(lead_client, leads):
    assert lead_client.get(f"/api/sn_lead_mgmt_core/v1/lead/{leads[0].pk}").json()["number"] == leads[0].number
    assert lead_client.get(f"/api/sn_lead_mgmt_core/v1/lead/{leads[0].pk}/").status_code == 200
    assert lead_client.get("/api/sn_lead_mgmt_core/v2/lead").status_code == 400


def test_xml_is_not_offered(lead_client, leads):
    assert lead_client.get(LEAD_URL, HTTP_ACCEPT="application/xml").status_code == 406


def test_reading_needs_the_lead_integrator_role(no_role_client, anonymous_client, leads):
    assert no_role_client.get(LEAD_URL).status_code == 403
    assert anonymous_client.get(LEAD_URL).status_code == 401
    assert no_role_client.get(f"{LEAD_URL}/{leads[0].pk}").status_code == 403


def _bulk_leads(catalogue, author, count: int) -> None:
    """``count`` leads with 5 line items each, a work note on every lead and line item, and every
    reference filled (owner, account, contact, consumer, group, similar lead)."""
    account = Account.objects.create(name="Boxeo")
    contact = Contact.objects.create(user_name="julie", first_name="Julie", last_name="Lewis", account=account)
    consumer = Consumer.objects.create(name="test")
    group = UserGroup.objects.create(name="Inside sales")
    similar = Lead.objects.create(last_name="Original")
    leads = [
        Lead(
            number=number,
            last_name="Bulk",
            owner=author,
            account=account,
            contact=contact,
            consumer=consumer,
            lead_group=group,
            similar_lead=similar,
            sys_class_name=LEAD_TABLE,
        )
        for number in reserve_numbers("LEAD", count)
    ]
    Lead.objects.bulk_create(leads)
    items = [
        LeadLineItem(
            number=number,
            lead=leads[index // 5],
            product_offering=catalogue["modem"],
            unit_of_measurement=catalogue["each"],
        )
        for index, number in enumerate(reserve_numbers("LEADL", count * 5))
    ]
    LeadLineItem.objects.bulk_create(items)
    JournalEntry.objects.bulk_create(
        [JournalEntry(name=LEAD_TABLE, element_id=lead.pk, value="lead note", author=author) for lead in leads]
        + [JournalEntry(name=LINE_ITEM_TABLE, element_id=item.pk, value="item note", author=author) for item in items]
    )


def test_the_list_runs_the_same_number_of_queries_for_1_and_100_leads(lead_client, catalogue):
    _bulk_leads(catalogue, lead_client.user, 100)
    lead_client.get(LEAD_URL, {"sysparm_limit": 1})  # credentials verified once, then cached

    with CaptureQueriesContext(connection) as one:
        small = lead_client.get(LEAD_URL, {"sysparm_limit": 1, "sysparm_query": "last_name=Bulk"})
    with CaptureQueriesContext(connection) as hundred:
        large = lead_client.get(LEAD_URL, {"sysparm_limit": 100, "sysparm_query": "last_name=Bulk"})

    assert (small.status_code, large.status_code) == (206, 200)
    assert len(small.json()) == 1 and len(large.json()) == 100
    assert all(lead["contact"]["name"] == "Julie Lewis" and lead["similar_lead"]["name"] for lead in large.json())
    assert all(len(lead["lead_line_items"]) == 5 and lead["work_notes"] for lead in large.json())
    assert all(item["work_notes"] for lead in large.json() for item in lead["lead_line_items"])
    assert len(one) == len(hundred), [q["sql"][:80] for q in hundred]
    # credentials with roles, count, page, each kind of reference in use (owner, account,
    # consumer, group, contact, similar lead), line items, their offerings, their units, the
    # journal of leads and items, its authors
    assert len(hundred) <= 14


def test_sysparm_fields_dot_walks_through_a_contact_and_a_similar_lead(client_for, make_lead):
    # A caller who may read contacts (and accounts) as well as leads.
    lead_client = client_for("sn_lead_mgmt_core.lead_integrator", "csm_ws_integration")
    account = Account.objects.create(name="Boxeo")
    contact = Contact.objects.create(
        user_name="julie", first_name="Julie", last_name="Lewis", email="j@example.com", account=account
    )
    first = make_lead(stage="200_contacted")
    make_lead(contact=contact, similar_lead=first)

    response = lead_client.get(
        LEAD_URL,
        {
            "sysparm_query": "contactISNOTEMPTY",
            "sysparm_fields": "contact.email,contact.account.name,similar_lead.stage",
        },
    )

    assert response.json() == [
        {"contact.email": "j@example.com", "contact.account.name": "Boxeo", "similar_lead.stage": "200_contacted"}
    ]


def test_line_items_query_through_their_lead(make_lead, catalogue):
    """The registry lets a line-item query walk to its lead and the lead's references."""
    from csm_project.core.records.queries import apply_encoded_query

    boxeo = Account.objects.create(name="Boxeo")
    qualified = make_lead(stage="400_closed_won", account=boxeo, items=(1, 2))
    make_lead(stage="100_new", items=(3,))

    def quantities(query: str) -> list[int]:
        return sorted(apply_encoded_query(LeadLineItem.objects.all(), query).values_list("quantity", flat=True))

    assert quantities("lead.stage=400_closed_won") == [1, 2]
    assert quantities("lead.account.name=boxeo^product_offering.code=SOLANAMODE2") == [1, 2]
    assert quantities(f"lead!={qualified.pk}") == [3]


def test_the_answer_is_the_bytes_the_standard_json_renderer_writes(lead_client, make_lead):
    """The Lead API encodes with orjson (PlainJSONRenderer): the same bytes as the standard
    encoder, separators escaped alike, a score with decimals written alike."""
    make_lead(items=(2,), first_name="Zoë\u2028Ann", last_name='O\'Brien "Q" \\ \t', lead_score="92.50")
    make_lead(last_name="Tiny", lead_score="0.01")
    response = lead_client.get(LEAD_URL)
    assert response.status_code == 200
    standard = PlatformJSONRenderer().render(response.json())
    assert response.content == standard
    assert b"\\u2028" in response.content and b'"lead_score":92.5' in response.content


def test_what_orjson_cannot_encode_falls_back_to_the_standard_renderer():
    data = {"amount": Decimal("1.50"), "when": datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC), "indent": "x"}
    assert PlainJSONRenderer().render(data) == PlatformJSONRenderer().render(data)
    assert PlainJSONRenderer().render(None) == b""


def test_the_unfiltered_list_is_the_filtered_lists_rows_by_sql_built_once(lead_client, make_lead, monkeypatch):
    """No sysparm_query: the page comes from a prepared query; it must give what the encoded query
    filter gives (an always-true query takes that path), ties on the creation time included."""
    monkeypatch.setattr(selectors._LEADS_IN_LIST_ORDER, "_compiled", OrderedDict())  # built by this test
    at = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)
    made = [make_lead(first_name=f"Tied {n}") for n in range(7)]
    Lead.objects.filter(pk__in=[lead.pk for lead in made[2:6]]).update(sys_created_on=at)
    for offset, limit in ((0, 20), (0, 3), (2, 3), (5, 4), (6, 1)):
        params = {"sysparm_offset": offset, "sysparm_limit": limit}
        plain = lead_client.get(LEAD_URL, params)
        filtered = lead_client.get(LEAD_URL, {**params, "sysparm_query": "sys_idISNOTEMPTY"})
        assert plain.status_code in (200, 206) and plain.json() == filtered.json()
        assert [lead["sys_id"] for lead in plain.json()] == [
            lead.pk for lead in Lead.objects.order_by("sys_created_on", "sys_id")[offset : offset + limit]
        ]
    (compiled,) = selectors._LEADS_IN_LIST_ORDER._compiled.values()  # the plain pages took the prepared path
    expected, _params = Lead.objects.order_by("sys_created_on", "sys_id").query.get_compiler("default").as_sql()
    assert compiled.sql == f"{expected} LIMIT %s OFFSET %s"


def test_a_list_joined_for_dot_walks_never_takes_the_plain_page(lead_client, make_lead, monkeypatch):
    """No sysparm_query, but dot-walked fields: the list's queryset joins their tables, and the
    page is read through it (one query whatever the page size), never by the plain page's SQL,
    which knows no join (each lead would then read its account on its own)."""
    monkeypatch.setattr(selectors._LEADS_IN_LIST_ORDER, "_compiled", OrderedDict())
    for n in range(6):
        make_lead(first_name=f"Lead {n}", account=Account.objects.create(name=f"Account {n}"))

    def page(limit: int) -> tuple[list, int]:
        with CaptureQueriesContext(connection) as queries:
            response = lead_client.get(LEAD_URL, {"sysparm_fields": "first_name,account.name", "sysparm_limit": limit})
        assert response.status_code in (200, 206), response.content
        return response.json(), len(queries)

    page(1)  # signs in (the password check and its count are not the list's)
    one, one_queries = page(1)
    six, six_queries = page(6)

    assert [lead["account.name"] for lead in six] == [f"Account {n}" for n in range(6)]
    assert six_queries == one_queries
    assert not selectors._LEADS_IN_LIST_ORDER._compiled
