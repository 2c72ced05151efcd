"""Aggregate API: shapes, grouping with display values, having, order by, rights and errors."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from csm_project.core.records.choices import choices_ensure
from leads.demo import CHOICES
from leads.models import LEAD_TABLE, Lead
from tests.contacts.factories_contacts import AccountFactory

STATS = f"/api/now/stats/{LEAD_TABLE}"


@pytest.fixture
def leads(db):
    for element, values in CHOICES.items():
        choices_ensure(table=LEAD_TABLE, element=element, values=values)
    acme, globex = AccountFactory(name="Acme"), AccountFactory(name="Globex")
    rows = [
        ("100_new", "10", acme),
        ("100_new", "20", acme),
        ("100_new", None, None),
        ("200_contacted", "90", globex),
        ("200_contacted", "61", globex),
        ("300_nurturing", "1.5", acme),
    ]
    for stage, score, account in rows:
        Lead.objects.create(last_name="L", stage=stage, lead_score=None if score is None else Decimal(score),
                            account=account)  # fmt: skip
    return {"acme": acme, "globex": globex}


@pytest.fixture
def client(client_for):
    return client_for("sn_lead_mgmt_core.lead_integrator")


def test_ungrouped_stats_are_strings_under_result_stats(client, leads):
    response = client.get(
        STATS,
        {"sysparm_count": "true", "sysparm_avg_fields": "lead_score", "sysparm_min_fields": "lead_score",
         "sysparm_max_fields": "lead_score,stage", "sysparm_sum_fields": "lead_score"},
    )  # fmt: skip

    assert response.status_code == 200
    assert response.json() == {
        "result": {
            "stats": {
                "count": "6",
                "avg": {"lead_score": "36.5000"},
                "min": {"lead_score": "1.50"},
                "max": {"lead_score": "90.00", "stage": "300_nurturing"},
                "sum": {"lead_score": "182.50"},
            }
        }
    }


def test_versioned_url_and_encoded_query_and_name_value_filters(client, leads):
    by_query = client.get(
        f"/api/now/v1/stats/{LEAD_TABLE}", {"sysparm_count": "true", "sysparm_query": "stage=100_new"}
    )
    by_pair = client.get(STATS, {"sysparm_count": "true", "stage": "100_new"})

    assert by_query.json() == by_pair.json() == {"result": {"stats": {"count": "3"}}}


def test_grouped_by_two_fields_with_display_values(client, leads):
    acme, globex = leads["acme"], leads["globex"]
    response = client.get(
        STATS,
        {"sysparm_count": "true", "sysparm_group_by": "stage,account", "sysparm_display_value": "all",
         "sysparm_sum_fields": "lead_score"},
    )  # fmt: skip

    assert response.status_code == 200
    groups = [(g["groupby_fields"], g["stats"]) for g in response.json()["result"]]
    assert groups == [
        (
            [{"field": "stage", "value": "100_new", "display_value": "New"},
             {"field": "account", "value": "", "display_value": ""}],
            {"count": "1", "sum": {"lead_score": ""}},
        ),
        (
            [{"field": "stage", "value": "100_new", "display_value": "New"},
             {"field": "account", "value": acme.sys_id, "display_value": "Acme"}],
            {"count": "2", "sum": {"lead_score": "30.00"}},
        ),
        (
            [{"field": "stage", "value": "200_contacted", "display_value": "Contacted"},
             {"field": "account", "value": globex.sys_id, "display_value": "Globex"}],
            {"count": "2", "sum": {"lead_score": "151.00"}},
        ),
        (
            [{"field": "stage", "value": "300_nurturing", "display_value": "Nurturing"},
             {"field": "account", "value": acme.sys_id, "display_value": "Acme"}],
            {"count": "1", "sum": {"lead_score": "1.50"}},
        ),
    ]  # fmt: skip
    shown = client.get(STATS, {"sysparm_count": "true", "sysparm_group_by": "stage", "sysparm_display_value": "true"})
    assert [g["groupby_fields"][0]["value"] for g in shown.json()["result"]] == ["New", "Contacted", "Nurturing"]


def test_having_and_order_by(client, leads):
    def stages(**params):
        response = client.get(STATS, {"sysparm_count": "true", "sysparm_group_by": "stage", **params})
        assert response.status_code == 200, response.content
        return [(g["groupby_fields"][0]["value"], g["stats"]["count"]) for g in response.json()["result"]]

    assert stages(sysparm_having="count^>^1") == [("100_new", "3"), ("200_contacted", "2")]
    assert stages(sysparm_having="count^stage^>^1") == [("100_new", "3"), ("200_contacted", "2")]
    assert stages(sysparm_having="avg^lead_score^>^50") == [("200_contacted", "2")]
    assert stages(sysparm_having="count^>^1,avg^lead_score^<^50") == [("100_new", "3")]
    assert stages(sysparm_having="sum^lead_score^!=^30") == [("200_contacted", "2"), ("300_nurturing", "1")]
    assert stages(sysparm_order_by="COUNT") == [("300_nurturing", "1"), ("200_contacted", "2"), ("100_new", "3")]
    assert stages(sysparm_order_by="AVG^lead_score^DESC") == [
        ("200_contacted", "2"), ("100_new", "3"), ("300_nurturing", "1")
    ]  # fmt: skip
    assert stages(sysparm_order_by="stage^DESC") == [("300_nurturing", "1"), ("200_contacted", "2"), ("100_new", "3")]


def test_computed_in_one_grouped_query_without_loading_rows(client, leads):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(
            STATS,
            {"sysparm_count": "true", "sysparm_avg_fields": "lead_score", "sysparm_group_by": "stage,account",
             "sysparm_display_value": "true"},
        )  # fmt: skip
    assert response.status_code == 200
    lead_queries = [q["sql"] for q in queries.captured_queries if f'FROM "{LEAD_TABLE}"' in q["sql"]]
    assert len(lead_queries) == 1
    assert "GROUP BY" in lead_queries[0] and "COUNT(" in lead_queries[0]


def test_no_rows_gives_zero_count_and_empty_figures(client, leads):
    params = {"sysparm_count": "true", "sysparm_avg_fields": "lead_score", "sysparm_query": "stage=none"}
    assert client.get(STATS, params).json() == {"result": {"stats": {"count": "0", "avg": {"lead_score": ""}}}}
    assert client.get(STATS, {**params, "sysparm_group_by": "stage"}).json() == {"result": []}


def test_xml_answer(client, leads):
    response = client.get(STATS, {"sysparm_count": "true"}, HTTP_ACCEPT="application/xml")
    assert response.status_code == 200
    assert b"<result><stats><count>6</count></stats></result>" in response.content


@pytest.mark.parametrize(
    "params",
    [
        {"sysparm_avg_fields": "no_such_field"},
        {"sysparm_sum_fields": "stage"},
        {"sysparm_min_fields": "account"},
        {"sysparm_group_by": "nope"},
        {"sysparm_group_by": "stage", "sysparm_having": "count^>"},
        {"sysparm_group_by": "stage", "sysparm_having": "count^~^3"},
        {"sysparm_group_by": "stage", "sysparm_having": "count^>^many"},
        {"sysparm_group_by": "stage", "sysparm_order_by": "city"},
        {"sysparm_group_by": "stage", "sysparm_having": "avg^password^>^3"},
    ],
)
def test_bad_parameters_are_a_400_envelope(client, leads, params):
    response = client.get(STATS, {"sysparm_count": "true", **params})
    assert response.status_code == 400
    assert response.json()["error"]["message"] == "Invalid aggregate request"
    assert response.json()["status"] == "failure"


def test_rights_are_the_table_read_right(client_for, anonymous_client, leads):
    assert anonymous_client.get(STATS).status_code == 401
    refused = client_for("csm_ws_integration").get(STATS, {"sysparm_count": "true"})
    assert refused.status_code == 403
    assert refused.json()["error"]["message"] == "Insufficient rights to query records"
    assert (
        client_for("csm_ws_integration")
        .get("/api/now/stats/customer_contact", {"sysparm_count": "true"})
        .json()["result"]["stats"]["count"]
        == "0"
    )
    unknown = client_for("admin").get("/api/now/stats/no_table")
    assert unknown.status_code == 400 and unknown.json()["error"]["message"] == "Invalid table no_table"
