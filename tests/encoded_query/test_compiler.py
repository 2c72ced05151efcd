"""The encoded query compiler (docs/encoded-queries.md) against a real database, table-driven."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from csm_project.core.properties import INVALID_QUERY_RETURNS_NO_ROWS, property_set
from csm_project.core.records.queries import apply_encoded_query
from csm_project.encoded_query.compiler import compile_query
from csm_project.encoded_query.parser import parse
from csm_project.registry import get_table
from tests.eqtestapp.models import EqAccount, EqRecord
from tests.eqtestapp.sample import create_sample_records, sid

NOW = datetime(2026, 1, 20, 12, 0, 0, tzinfo=UTC)
USER_ID = "f" * 32


@pytest.fixture
def records(db):
    create_sample_records()


def matching(text: str, **kwargs) -> list[str]:
    """Labels ("1".."4") of the rows the compiled query returns, in the query's order."""
    compiled = compile_query(get_table("eq_test_record"), parse(text), now=NOW, user_sys_id=USER_ID, **kwargs)
    rows = EqRecord.objects.filter(compiled.q).order_by(*compiled.order_by)
    return [row.sys_id[0] for row in rows]


CASES = [
    # equality, case-insensitive; emptiness
    ("name=acme", ["2"]),
    ("name=ACME CORP", ["1"]),
    ("name=", ["3"]),
    ("name=NULL", ["3"]),
    ("name!=acme", ["1", "4"]),
    ("name!=", ["1", "2", "4"]),
    ("nameISEMPTY", ["3"]),
    ("nameISNOTEMPTY", ["1", "2", "4"]),
    ("nameANYTHING", ["1", "2", "3", "4"]),
    ("nameEMPTYSTRING", []),
    # patterns, with SQL wildcards taken literally
    ("nameSTARTSWITHac", ["1", "2"]),
    ("nameENDSWITHCORP", ["1"]),
    ("nameLIKEme", ["1", "2"]),
    ("name*me", ["1", "2"]),
    ("name%%", ["4"]),
    ("nameLIKE_", ["4"]),
    ("nameLIKE50%", ["4"]),
    ("nameNOT LIKEcorp", ["2", "4"]),
    ("name!*corp", ["2", "4"]),
    ("descriptionLIKEcaret ^^ here", ["4"]),
    # lists
    ("stateINopen,closed", ["1", "2", "4"]),
    ("stateINOPEN", ["1", "4"]),
    ("stateIN,closed", ["2", "3"]),
    ("stateNOT INopen", ["2"]),
    ("countIN5,-3", ["1", "4"]),
    ("countNOT IN5", ["2", "4"]),
    # numbers
    ("count>4", ["1", "2"]),
    ("count>=5", ["1", "2"]),
    ("count<5", ["4"]),
    ("count<=5", ["1", "4"]),
    ("count=10", ["2"]),
    ("count!=10", ["1", "4"]),
    ("countBETWEEN-3@5", ["1", "4"]),
    ("amount>2", ["1"]),
    ("amount>=2.00", ["1", "2"]),
    ("amount=10.5", ["1"]),
    # strings compare lexicographically by code point, ignoring case
    ("name<b", ["1", "2"]),
    ("name>=acme", ["1", "2", "4"]),
    ("nameBETWEENa@acme", ["2"]),
    # booleans
    ("active=true", ["1", "4"]),
    ("active=FALSE", ["2", "3"]),
    ("active!=true", ["2", "3"]),
    # date-times, with whole-second meaning
    ("opened_at=2026-01-10 10:00:00", ["1"]),
    ("opened_at>2026-01-10 10:00:00", ["2"]),
    ("opened_at>=2026-01-10 10:00:00", ["1", "2"]),
    ("opened_at<=2026-01-10 10:00:00", ["1", "4"]),
    ("opened_at<2026-01-10 10:00:00", ["4"]),
    ("opened_at<2026-01-11", ["1", "4"]),
    ("opened_atBETWEEN2026-01-10@2026-01-31", ["1", "4"]),
    ("opened_atONcustom@2026-01-10@2026-01-10", ["1", "4"]),
    ("opened_atNOTONcustom@2026-01-10@2026-01-10", ["2"]),
    ("opened_at<javascript:gs.beginningOfToday()", ["1", "4"]),
    ("opened_at>javascript:gs.daysAgo(30)", ["1", "2", "4"]),
    ("opened_atONThis month@javascript:gs.beginningOfThisMonth()@javascript:gs.endOfThisMonth()", ["1", "4"]),
    ("opened_atRELATIVEGT@day@ago@11", ["1", "2", "4"]),
    ("opened_atRELATIVEGT@hour@ago@242", ["2"]),
    ("opened_atRELATIVELT@day@ago@10", ["1", "4"]),
    ("opened_atRELATIVEGT@week@ahead@1", ["2"]),
    ("opened_atDATEPARTSaturday@javascript:gs.datePart('dayofweek','saturday','EE')", ["1", "4"]),
    ("opened_atDATEPARTx@javascript:gs.datePart('month','february','EE')", ["2"]),
    ("opened_atDATEPARTx@javascript:gs.datePart('hour','10','GE')", ["1"]),
    ("closed_atMORETHANopened_at@hour@after@2", ["1"]),
    ("closed_atLESSTHANopened_at@hour@after@2", ["2"]),
    ("closed_atGT_FIELDopened_at", ["1", "2"]),
    ("opened_atLT_OR_EQUALS_FIELDclosed_at", ["1", "2"]),
    ("opened_atISEMPTY", ["3"]),
    # dates
    ("due=2026-01-15", ["1"]),
    ("due<2026-01-16", ["1"]),
    ("due!=2026-01-15", []),
    ("dueON2026-01-15@2026-01-15@2026-01-15", ["1"]),
    # references: sys_id for =, IN ...; display value for string operators
    (f"account={sid('a')}", ["1", "4"]),
    (f"account={sid('a').upper()}", ["1", "4"]),
    (f"account!={sid('a')}", ["2"]),
    (f"accountIN{sid('a')},{sid('b')}", ["1", "2", "4"]),
    (f"accountNOT IN{sid('a')}", ["2"]),
    ("accountISEMPTY", ["3"]),
    ("account=Alpha", []),
    ("accountSTARTSWITHalp", ["1", "4"]),
    ("accountLIKEet", ["2"]),
    ("account.name=beta", ["2"]),
    ("account.nameSTARTSWITHA", ["1", "4"]),
    ("account.nameISEMPTY", ["3"]),
    # fields compared with fields
    ("nameSAMEASname", ["1", "2", "4"]),
    ("nameNSAMEASdescription", ["1", "2", "4"]),
    ("descriptionSAMEASname", []),
    # precedence
    ("name=acme^ORcount=5^active=true", ["1"]),
    ("active=true^count=5^ORname=acme", ["1"]),
    ("count=5^NQcount=10", ["1", "2"]),
    ("count=5^active=false^NQcount=10^active=false", ["2"]),
    # sys_id
    (f"sys_id={sid('3')}", ["3"]),
    (f"sys_idIN{sid('3')},{sid('4')}", ["3", "4"]),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_compiled_query_selects_exactly_the_matching_rows(records, text, expected):
    assert sorted(matching(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ORDERBYname", ["3", "2", "1", "4"]),
        ("ORDERBYDESCname", ["4", "1", "2", "3"]),
        ("ORDERBYcount", ["3", "4", "1", "2"]),
        ("ORDERBYDESCcount", ["2", "1", "4", "3"]),
        ("ORDERBYaccount^ORDERBYDESCcount", ["3", "1", "4", "2"]),
        ("ORDERBYactive^ORDERBYname", ["3", "2", "1", "4"]),
        ("ORDERBYDESCaccount.name^ORDERBYname", ["2", "1", "4", "3"]),
        ("", ["1", "2", "3", "4"]),
        ("ORDERBYsys_created_on", ["1", "2", "3", "4"]),
        ("ORDERBYsys_id", ["1", "2", "3", "4"]),
        ("ORDERBYDESCsys_id", ["4", "3", "2", "1"]),
        ("ORDERBYDESCsys_id^ORDERBYname", ["4", "3", "2", "1"]),
        ("ORDERBYactive^ORDERBYDESCsys_id", ["3", "2", "4", "1"]),
    ],
)
def test_order_by_is_case_insensitive_empty_first_and_stable(records, text, expected):
    assert matching(text) == expected


def test_date_helpers_follow_the_callers_time_zone(records):
    # 02:00 UTC on the 11th is still the 10th in New York: "today" starts at 05:00 UTC on the 10th
    late = datetime(2026, 1, 11, 2, 0, 0, tzinfo=UTC)
    text = "opened_at>=javascript:gs.beginningOfToday()"
    compiled = compile_query(get_table("eq_test_record"), parse(text), now=late, tz=ZoneInfo("America/New_York"))
    assert sorted(row.sys_id[0] for row in EqRecord.objects.filter(compiled.q)) == ["1", "2", "4"]
    compiled = compile_query(get_table("eq_test_record"), parse(text), now=late)
    assert sorted(row.sys_id[0] for row in EqRecord.objects.filter(compiled.q)) == ["2"]


def test_date_part_of_a_date_time_is_taken_in_the_callers_time_zone(records):
    # 09:59:59 and 10:00:00.7 UTC on Saturday the 10th are 04:59:59 and 05:00:00 in New York
    new_york = ZoneInfo("America/New_York")
    assert sorted(matching("opened_atDATEPARTx@javascript:gs.datePart('hour','5','EE')", tz=new_york)) == ["1"]
    assert sorted(matching("opened_atDATEPARTx@javascript:gs.datePart('hour','5','LT')", tz=new_york)) == ["4"]
    # 2026-02-01 00:00 UTC (Sunday) is Saturday evening in New York
    saturday = "opened_atDATEPARTx@javascript:gs.datePart('dayofweek','saturday','EE')"
    assert sorted(matching(saturday, tz=new_york)) == ["1", "2", "4"]
    assert sorted(matching(saturday)) == ["1", "4"]


def test_get_user_id_compares_with_the_caller(records):
    EqRecord.objects.filter(sys_id=sid("2")).update(name=USER_ID.upper())
    assert matching("name=javascript:gs.getUserID()") == ["2"]
    assert matching("nameINjavascript:gs.getUserID()") == ["2"]
    assert matching("nameNOT INjavascript:gs.getUserID()") == ["1", "4"]


@pytest.mark.parametrize(
    ("text", "reason_part"),
    [
        ("bogus=1", "unknown field"),
        ("account.bogus=1", "unknown field"),
        ("name.name=x", "dot-walk"),
        ("account__name=x", "unknown field"),
        ("count=abc", "integer"),
        ("count=1.5", "integer"),
        ("count=99999999999999999999", "integer"),
        ("count=9999999999999999999", "out of range"),
        ("amount=1e5", "number"),
        ("amount=NaN", "number"),
        ("active=yes", "true or false"),
        ("active>true", "does not apply"),
        ("opened_at=yesterday", "date"),
        ("opened_at=2026-02-30", "date"),
        ("due<9999-12-32", "date"),
        ("countLIKE5", "does not apply"),
        ("count<javascript:gs.getUserID()", "not a value"),
        ("payload=x", "cannot be queried"),
        ("countSAMEASname", "cannot compare"),
        ("opened_atMORETHANclosed_at@month@after@1", "minute, hour, day and week"),
        ("opened_atMORETHANclosed_at@week@after@999999", "100 years"),
        ("opened_atRELATIVEGT@year@ago@999999", "out of range"),
        ("opened_at>javascript:gs.daysAgo(999999)", "out of range"),
        ("name=a\x00b", "NUL"),
        ("ORDERBYbogus", "unknown field"),
        ("opened_at<=9999-12-31 23:59:59", "out of range"),
    ],
)
def test_terms_the_registry_or_types_reject_are_invalid_not_errors(records, text, reason_part):
    compiled = compile_query(get_table("eq_test_record"), parse(text), now=NOW)
    assert len(compiled.invalid) == 1
    assert reason_part in compiled.invalid[0].reason
    # default policy: the invalid term is dropped, everything matches
    assert list(EqRecord.objects.filter(compiled.q).order_by(*compiled.order_by))


def test_invalid_term_is_dropped_and_its_or_partner_stands_alone(records):
    assert sorted(matching("bogus=1^ORname=acme^active=false")) == ["2"]


def test_group_of_only_invalid_terms_is_dropped(records):
    assert sorted(matching("bogus=1^NQname=acme")) == ["2"]


def test_query_with_nothing_valid_matches_everything(records):
    assert sorted(matching("bogus=1^RLQUERYx,>1^ENDRLQUERY")) == ["1", "2", "3", "4"]


def test_invalid_query_returns_no_rows_when_the_property_says_so(records):
    property_set(INVALID_QUERY_RETURNS_NO_ROWS, "true")
    assert not apply_encoded_query(EqRecord.objects.all(), "name=acme^bogus=1").exists()


def test_valid_query_is_unaffected_by_the_no_rows_property(records):
    property_set(INVALID_QUERY_RETURNS_NO_ROWS, "true")
    rows = apply_encoded_query(EqRecord.objects.all(), "name=acme")
    assert [row.sys_id[0] for row in rows] == ["2"]


def test_anything_inside_an_or_chain_still_matches_everything(records):
    assert sorted(matching("nameANYTHING^ORname=acme")) == ["1", "2", "3", "4"]


def test_fields_outside_the_registry_are_invalid(records):
    compiled = compile_query(get_table("eq_test_record"), parse("count=5^nosuch=acme"), now=NOW)
    assert [term.text for term in compiled.invalid] == ["nosuch=acme"]


@pytest.mark.django_db
def test_hidden_user_fields_cannot_be_queried():
    compiled = compile_query(get_table("sys_user"), parse("passwordSTARTSWITHpbkdf^is_superuser=true"), now=NOW)
    assert len(compiled.invalid) == 2


# --- subqueries and DYNAMIC (docs/encoded-queries.md) -------------------------------------------


def accounts(text: str, **kwargs) -> tuple[list[str], list[str]]:
    """(labels "a"/"b" of the accounts selected, reasons of the invalid terms)."""
    compiled = compile_query(get_table("eq_test_account"), parse(text), now=NOW, user_sys_id=USER_ID, **kwargs)
    rows = EqAccount.objects.filter(compiled.q)
    return sorted(row.sys_id[0] for row in rows), [term.reason for term in compiled.invalid]


# Alpha ("a") has records 1 and 4 (both active, both open); Beta ("b") has record 2 (closed).
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("RLQUERYeq_test_record.account,>=1^ENDRLQUERY", ["a", "b"]),
        ("RLQUERYeq_test_record.account,>1^ENDRLQUERY", ["a"]),
        ("RLQUERYeq_test_record.account,=1^ENDRLQUERY", ["b"]),
        ("RLQUERYeq_test_record.account,!=2^ENDRLQUERY", ["b"]),
        ("RLQUERYeq_test_record.account,<2^ENDRLQUERY", ["b"]),
        ("RLQUERYeq_test_record.account,<=2^state=open^ENDRLQUERY", ["a", "b"]),
        ("RLQUERYeq_test_record.account,=0^state=closed^ENDRLQUERY", ["a"]),
        ("RLQUERYeq_test_record.account,>0^count>7^ORnameSTARTSWITHzed^ENDRLQUERY", ["a", "b"]),
        ("RLQUERYeq_test_record.account,>=1^account.name=Beta^ENDRLQUERY", ["b"]),
        ("RLQUERYeq_test_record.account,>=1^nameANYTHING^NQcount=5^ENDRLQUERY", ["a", "b"]),
        ("RLQUERYeq_test_record.account,=0^count=999^ENDRLQUERY", ["a", "b"]),
        ("name=Alpha^ORname=Beta^RLQUERYeq_test_record.account,>=2^ENDRLQUERY", ["a"]),
        ("JOINeq_test_account.sys_id=eq_test_record.account!state=closed", ["b"]),
        ("JOINeq_test_account.sys_id=eq_test_record.account!", ["a", "b"]),
        ("JOINeq_test_account.sys_id=eq_test_record.account!count=999", []),
        ("JOINeq_test_account.name=eq_test_record.name!", []),
    ],
)
def test_subqueries_select_by_the_related_rows(records, text, expected):
    selected, invalid = accounts(text)
    assert invalid == []
    assert selected == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("RLQUERYno_such_table.account,>0^ENDRLQUERY", "unknown table"),
        ("RLQUERYeq_test_record.name,>0^ENDRLQUERY", "is not a reference"),
        ("RLQUERYeq_test_record.account,>0^bogus=1^ENDRLQUERY", "unknown field"),
        ("JOINeq_test_record.sys_id=eq_test_record.account!", "JOIN must start from"),
        ("JOINeq_test_account.sys_id=eq_test_record.count!", "cannot compare"),
        ("JOINeq_test_account.sys_id=eq_test_record.payload!", "cannot compare"),
    ],
)
def test_malformed_subqueries_are_invalid_terms(records, text, reason):
    selected, invalid = accounts(text)
    assert selected == ["a", "b"]  # dropped: nothing valid is left
    assert len(invalid) == 1 and reason in invalid[0]


def test_a_subquery_into_a_table_the_caller_may_not_read_reads_as_an_unknown_table(records):
    def may_read(table):
        return table.name != "eq_test_record"

    for text in (
        "RLQUERYeq_test_record.account,=0^ENDRLQUERY",
        "JOINeq_test_account.sys_id=eq_test_record.account!state=closed",
    ):
        selected, invalid = accounts(text, may_read=may_read)
        assert selected == ["a", "b"]
        assert invalid == ["unknown table 'eq_test_record'"]
        assert accounts(text.replace("eq_test_record", "no_such_table"))[1] == ["unknown table 'no_such_table'"]


def test_invalid_terms_inside_a_subquery_are_reported_with_the_outer_ones(records):
    """So the strict policy (applied by `apply_encoded_query`) empties the answer for them too."""
    selected, invalid = accounts("bogus=2^RLQUERYeq_test_record.account,>0^bogus=1^ENDRLQUERY")
    assert selected == ["a", "b"] and len(invalid) == 2


def test_dynamic_me_matches_the_callers_sys_id_and_nobody_without_a_caller(records):
    EqRecord.objects.filter(sys_id=sid("2")).update(account=None)
    EqAccount.objects.create(sys_id=USER_ID, name="Me")
    EqRecord.objects.filter(sys_id=sid("2")).update(account_id=USER_ID)
    me = "accountDYNAMIC90d1921e5f510100a9ad2572f2b477fe"
    assert matching(me) == ["2"]
    compiled = compile_query(get_table("eq_test_record"), parse(me), now=NOW, user_sys_id=None)
    assert list(EqRecord.objects.filter(compiled.q)) == []
    unsupported = compile_query(get_table("eq_test_record"), parse("accountDYNAMIC" + "1" * 32), now=NOW)
    assert "dynamic filter" in unsupported.invalid[0].reason
    assert "does not apply" in compile_query(get_table("eq_test_record"), parse("countDYNAMIC" + "1" * 32),
                                             now=NOW).invalid[0].reason  # fmt: skip
