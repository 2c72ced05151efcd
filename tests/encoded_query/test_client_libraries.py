"""Queries built by real client libraries (pysnow 0.7 QueryBuilder/Criterion, pysnc 1.2 GlideRecord)
parse without invalid terms and select the right rows. The strings are generated here by the
libraries themselves, so a change in how they write queries shows up as a failing test.
"""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from pysnc import GlideRecord
from pysnow import QueryBuilder
from pysnow.criterion import Field
from pysnow.enums import DateTimeOn

from contacts.models import Contact
from csm_project.encoded_query.compiler import compile_query
from csm_project.encoded_query.parser import parse
from csm_project.registry import get_table
from tests.contacts.factories_contacts import AccountFactory, ContactFactory
from tests.eqtestapp.models import EqAccount, EqRecord
from tests.eqtestapp.sample import create_sample_records, sid

NOW = datetime(2026, 1, 10, 12, 0, 0, tzinfo=UTC)


@pytest.fixture
def records(db):
    create_sample_records()


def select(text: str) -> list[str]:
    """Labels of the sample rows the query selects, in its order; the query must be fully valid."""
    query = parse(text)
    compiled = compile_query(get_table("eq_test_record"), query, now=NOW)
    assert compiled.invalid == [], (text, compiled.invalid)
    return [row.sys_id[0] for row in EqRecord.objects.filter(compiled.q).order_by(*compiled.order_by)]


def glide_record() -> GlideRecord:
    # No client: only the query building of GlideRecord is used, nothing goes over the network.
    return GlideRecord(None, "eq_test_record")


def qb() -> QueryBuilder:
    return QueryBuilder()


PYSNOW_QUERY_BUILDER = [
    (lambda: qb().field("name").equals("acme").AND().field("count").greater_than(4), ["2"]),
    (lambda: qb().field("state").equals(["open", "closed"]), ["1", "2", "4"]),
    (lambda: qb().field("state").not_equals(["open"]), ["2"]),
    (lambda: qb().field("name").starts_with("Ac").OR().field("name").ends_with("50%"), ["1", "2", "4"]),
    (lambda: qb().field("name").contains("corp").NQ().field("count").less_than_or_equal(-3), ["1", "4"]),
    (
        lambda: qb().field("opened_at").between(datetime(2026, 1, 10), datetime(2026, 1, 10, 23, 59, 59)),
        ["1", "4"],
    ),
    (lambda: qb().field("opened_at").greater_than(datetime(2026, 1, 10, 10, 0, 0)), ["2"]),
    (
        lambda: qb().field("opened_at").less_than(datetime(2026, 1, 10, 5, 0, 0, tzinfo=timezone(timedelta(hours=-5)))),
        ["4"],
    ),
    (lambda: qb().field("opened_at").greater_than_or_equal(datetime(2026, 1, 10, 10, 0, 0)), ["1", "2"]),
    (lambda: qb().field("name").is_empty(), ["3"]),
    (lambda: qb().field("name").is_not_empty().AND().field("account").equals(sid("a")), ["1", "4"]),
    (lambda: qb().field("description").not_contains("first"), ["2", "3", "4"]),
    (lambda: qb().field("count").between(1, 6), ["1"]),
]


@pytest.mark.parametrize(("build", "expected"), PYSNOW_QUERY_BUILDER)
def test_pysnow_query_builder_queries_select_the_right_rows(records, build, expected):
    assert sorted(select(str(build()))) == expected


def test_pysnow_query_builder_ordering(records):
    query = qb().field("active").equals("true").AND().field("name").order_descending()
    assert select(str(query)) == ["4", "1"]


PYSNOW_CRITERION = [
    (lambda: (Field("name") == "acme") | (Field("count") > 6), ["2"]),
    (lambda: (Field("state") == "open") & (Field("count") < 0), ["4"]),
    (lambda: Field("state").is_in(["open", "closed"]) ^ Field("name").is_empty(), ["1", "2", "3", "4"]),
    (lambda: Field("name").not_in(["acme", "zed_50%"]), ["1"]),
    (lambda: Field("opened_at").on(DateTimeOn.today), ["1", "4"]),
    (lambda: Field("opened_at").on(DateTimeOn.last_7_days), ["1", "4"]),
    (lambda: Field("opened_at").on(datetime(2026, 2, 1)), ["2"]),
    (lambda: Field("opened_at").not_on(datetime(2026, 2, 1)), ["1", "4"]),
    (lambda: Field("opened_at").between(datetime(2026, 1, 10, 10), datetime(2026, 1, 10, 10)), ["1"]),
    (lambda: Field("name").is_different(Field("description")), ["1", "2", "4"]),
    (lambda: Field("description").is_empty_string(), []),
    (lambda: Field("name").starts_with("z") & Field("account").eq(sid("a")), ["4"]),
    (lambda: Field("count").gte(5) & Field("amount").is_not_empty(), ["1", "2"]),
]


@pytest.mark.parametrize(("build", "expected"), PYSNOW_CRITERION)
def test_pysnow_criterion_queries_select_the_right_rows(records, build, expected):
    assert sorted(select(build().get_query())) == expected


def test_pysnow_criterion_ordering(records):
    query = (Field("active") == "true") & Field("count").order("asc")
    assert select(query.get_query()) == ["4", "1"]


def pysnc_active_and_count():
    gr = glide_record()
    gr.add_active_query()
    gr.add_query("count", ">", "4")
    return gr


def pysnc_starts_with_or():
    gr = glide_record()
    condition = gr.add_query("name", "STARTSWITH", "ac")
    condition.add_or_condition("state", "closed")
    return gr


def pysnc_null():
    gr = glide_record()
    gr.add_null_query("due")
    return gr


def pysnc_not_null():
    gr = glide_record()
    gr.add_not_null_query("due")
    return gr


def pysnc_encoded_query():
    gr = glide_record()
    gr.add_active_query()
    gr.add_encoded_query("nameLIKEme^ORdescriptionLIKEme")
    return gr


def pysnc_javascript_date():
    gr = glide_record()
    gr.add_query("opened_at", ">=", "javascript:gs.beginningOfToday()")
    return gr


def pysnc_in_list():
    gr = glide_record()
    gr.add_query("name", "IN", "acme,Zed_50%")
    return gr


def pysnc_date_generate():
    gr = glide_record()
    gr.add_query("opened_at", "<", "javascript:gs.dateGenerate('2026-01-10','10:00:00')")
    return gr


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        (pysnc_active_and_count, ["1"]),
        (pysnc_starts_with_or, ["1", "2"]),
        (pysnc_null, ["2", "3", "4"]),
        (pysnc_not_null, ["1"]),
        (pysnc_encoded_query, ["1"]),
        (pysnc_javascript_date, ["1", "2", "4"]),
        (pysnc_in_list, ["2", "4"]),
        (pysnc_date_generate, ["4"]),
    ],
)
def test_pysnc_glide_record_queries_select_the_right_rows(records, build, expected):
    text = build().get_encoded_query()
    assert text.endswith("^ORDERBYsys_id")  # pysnc always pages in sys_id order
    assert sorted(select(text)) == expected


def test_pysnc_descending_order(records):
    gr = glide_record()
    gr.add_query("account", sid("a"))
    gr.order_by_desc("count")
    assert select(gr.get_encoded_query()) == ["1", "4"]


def accounts(text: str) -> list[str]:
    """Labels ("a", "b") of the sample accounts the query selects; it must be fully valid."""
    compiled = compile_query(get_table("eq_test_account"), parse(text), now=NOW)
    assert compiled.invalid == [], (text, compiled.invalid)
    return sorted(row.sys_id[0] for row in EqAccount.objects.filter(compiled.q))


def test_pysnc_related_list_query_counts_the_referring_rows(records):
    gr = GlideRecord(None, "eq_test_account")
    gr.add_rl_query("eq_test_record", "account", ">=2", False).add_query("active", "true")
    assert gr.get_encoded_query() == "RLQUERYeq_test_record.account,>=2^active=true^ENDRLQUERY"
    assert accounts(gr.get_encoded_query()) == ["a"]  # Alpha: records 1 and 4 are active


def test_pysnc_related_list_query_with_m2m_and_a_dot_walk(records):
    gr = GlideRecord(None, "eq_test_account")
    gr.add_query("name", "STARTSWITH", "b")
    gr.add_rl_query("eq_test_record", "account", ">0", True).add_query("account.name", "Beta")
    assert accounts(gr.get_encoded_query()) == ["b"]


def test_pysnc_join_query_with_conditions_keeps_its_order(records):
    gr = GlideRecord(None, "eq_test_account")
    gr.add_not_null_query("name")
    join = gr.add_join_query("eq_test_record", join_table_field="account")
    join.add_query("state", "closed")
    join.add_query("count", ">", "5")
    text = gr.get_encoded_query()
    assert text.startswith("nameISNOTEMPTY^JOINeq_test_account.sys_id=eq_test_record.account!state=closed^count>5")
    query = parse(text)
    assert [order.field for order in query.order_by] == ["sys_id"]
    assert accounts(text) == ["b"]


def test_pysnc_contains_and_does_not_contain_filter(records):
    gr = glide_record()
    gr.add_query("name", "CONTAINS", "CME")
    assert select(gr.get_encoded_query()) == ["1", "2"]
    gr = glide_record()
    gr.add_query("name", "DOES NOT CONTAIN", "corp")
    assert select(gr.get_encoded_query()) == ["2", "4"]


@pytest.mark.django_db
def test_pysnc_request_parameters_page_through_the_contact_api(contact_integration_client):
    """pysnc's own request parameters (query, limit, offset) against the real list endpoint."""
    account = AccountFactory(name="Warren Industries")
    wanted = {ContactFactory(last_name=f"Warren{index}", account=account).sys_id for index in range(3)}
    ContactFactory(last_name="Warren9")  # another account
    ContactFactory(last_name="Smith", account=account)
    gr = GlideRecord(None, "customer_contact", batch_size=2)
    gr.add_query("last_name", "STARTSWITH", "warren")
    gr.add_query("account", account.sys_id)
    seen: list[str] = []
    params = gr._parameters()  # exactly what pysnc sends for the first page
    while True:
        response = contact_integration_client.get("/api/now/contact", params)
        assert response.status_code == 200
        page = [contact["sys_id"] for contact in response.json()["result"]]
        seen += page
        if len(page) < params["sysparm_limit"]:
            break
        params = {**params, "sysparm_offset": params["sysparm_offset"] + len(page)}
    assert seen == sorted(wanted)
    assert Contact.objects.count() == 5
