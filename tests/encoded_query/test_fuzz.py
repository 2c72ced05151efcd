"""Hostile `sysparm_query` values against a real list endpoint (`GET /api/now/contact`).

Whatever the query (random unicode, raw bytes, query-shaped noise, SQL fragments, huge input),
the answer is a 200 or a 400 envelope, never a 500; the rows answered are contacts; no data
changes; and no query can use a field the registry hides (`password`, `is_superuser`) as an
oracle, because terms naming them are dropped before anything reaches the database.
"""

from urllib.parse import quote, quote_from_bytes

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contacts.models import Account, Contact
from csm_project.core.models import User
from csm_project.core.records.queries import MAX_QUERY_LENGTH, MAX_QUERY_OPERANDS, MAX_QUERY_TERMS
from tests.contacts.factories_contacts import AccountFactory, ContactFactory

URL = "/api/now/contact"
FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)

SQL_FRAGMENTS = [
    "name=' OR '1'='1",
    "name=x'); DROP TABLE sys_user; --",
    'name=x"; DELETE FROM customer_contact; --',
    "sys_id=1 OR 1=1",
    "nameLIKE%' UNION SELECT password FROM sys_user --",
    "nameLIKE%",
    "nameLIKE_",
    "name=\\",
    "name=x\\'",
    "ORDERBYname; DROP TABLE sys_user",
    "ORDERBY(SELECT password FROM sys_user)",
    "ORDERBYpassword",
    "name__password=x",
    "account__name=x",
    "account.sys_id=1^ORaccount.password=1",
    "passwordSTARTSWITHpbkdf2",
    "manager.passwordISNOTEMPTY",
    "is_superuser=true",
    "user_name=admin'--",
    "first_nameIN1,2,3) OR (1=1",
    "sys_created_on>javascript:gs.daysAgo(1); DROP TABLE sys_user",
    "sys_created_on>javascript:new GlideRecord('sys_user').deleteMultiple()",
    "name=\x00",
    "name\x00=x",
    "%00",
    "name=%s%s%s%s",
    "name={0}",
    "sys_mod_count=99999999999999999999999999",
    "sys_mod_count=9223372036854775808",
    "sys_mod_count<-9223372036854775809",
    "last_nameINjavascript:gs.getUserID()",
    "last_nameNOT INjavascript:gs.getUserID()",
    "managerINjavascript:gs.getUserID()",
    "sys_created_onINjavascript:gs.daysAgo(1)",
    "sys_mod_countINjavascript:gs.getUserID()",
    "last_nameLIKEjavascript:gs.beginningOfToday()",
    "sys_mod_count!=-5",
    "sys_mod_countIN-5,3",
    "sys_mod_countNOT IN-5",
    "sys_mod_count<-1^ORactive=true",
    "sys_mod_count>9223372036854775807",
    "sys_mod_countBETWEEN-9223372036854775808@9223372036854775807",
    "calendar_integration=2147483648",
    "calendar_integrationIN2147483648,1",
    "calendar_integrationNOT IN2147483648",
    "calendar_integrationSAMEASfailed_attempts",
    "sys_created_onDATEPARTx@javascript:gs.datePart('week','53','LE')",
    "sys_created_onDATEPARTx@javascript:gs.datePart('quarter','4','GT')",
    "sys_created_on=9999-12-31 23:59:59",
    "sys_created_on<=9999-12-31 23:59:59",
    "sys_created_on>0001-01-01 00:00:00",
    "latitude=1e999",
    "latitude>NaN",
    "latitude<99999999999999999999.999999999999",
    "sys_created_onRELATIVEGT@year@ago@999999",
    "sys_created_onDATEPARTx@javascript:gs.datePart('year','9999','GT')",
    "sys_created_onMORETHANsys_updated_on@week@after@999999",
    "account.account.account.account.account.name=x",
    "manager.manager.manager.manager.manager.manager.name=x",
    "RLQUERYsys_user.manager,>=1^active=true",
    "^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^",
    "^NQ^NQ^NQ^OR^OR^EQ^EQ",
    "ORDERBY" * 50,
]
QUERY_TOKENS = st.sampled_from(
    [
        "^",
        "^OR",
        "^NQ",
        "^^",
        "^EQ",
        "ORDERBY",
        "ORDERBYDESC",
        "name",
        "last_name",
        "account",
        "account.",
        "manager.",
        "password",
        "sys_id",
        "sys_created_on",
        "active",
        "latitude",
        "__",
        "=",
        "!=",
        "<=",
        "IN",
        "NOT IN",
        "LIKE",
        "BETWEEN",
        "ON",
        "ISEMPTY",
        "SAMEAS",
        "DATEPART",
        "RELATIVEGT",
        "MORETHAN",
        "javascript:gs.daysAgo(",
        "javascript:gs.getUserID()",
        "@",
        ",",
        "'",
        '"',
        "%",
        "_",
        "\\",
        ";",
        "--",
        "\x00",
        "é",
        "🦆",
        "2026-01-01",
        " 00:00:00",
        "true",
        "-1",
        "99999999999999999999",
    ]
)
QUERY_NOISE = st.lists(QUERY_TOKENS | st.text(max_size=4), max_size=30).map("".join)
UNICODE = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=300)


@pytest.fixture
def world(db):
    account = AccountFactory(name="Acme")
    ContactFactory(last_name="Warren", account=account)
    ContactFactory(last_name="O'Brien", account=account)
    ContactFactory(last_name="50%_off", account=None)
    User.objects.create_superuser("root", "secret-root-password")
    return account


def database_state() -> tuple:
    """Everything a query could alter, including credentials."""
    return (
        list(User.objects.order_by("pk").values_list("pk", "user_name", "password", "is_superuser", "sys_mod_count")),
        list(Account.objects.order_by("pk").values_list("pk", "name", "sys_mod_count")),
        list(Contact.objects.order_by("pk").values_list("pk", "account_id")),
    )


def get_raw(client, encoded_query_string: str):
    """GET the list with an already percent-encoded `sysparm_query` value."""
    return client.get(URL, QUERY_STRING=f"sysparm_query={encoded_query_string}&sysparm_limit=100")


def assert_answered_safely(response) -> None:
    assert response.status_code in (200, 400), (response.status_code, response.content[:300])
    body = response.json()
    if response.status_code == 400:
        assert body["status"] == "failure"
        assert body["error"]["message"]
        return
    contact_ids = set(Contact.objects.values_list("pk", flat=True))
    assert {row["sys_id"] for row in body["result"]} <= contact_ids


@pytest.fixture
def client(world, contact_integration_client):
    return contact_integration_client


@pytest.mark.parametrize("text", SQL_FRAGMENTS)
def test_sql_fragments_are_answered_safely_and_change_nothing(client, text):
    before = database_state()
    assert_answered_safely(get_raw(client, quote(text, safe="")))
    assert database_state() == before


@FUZZ
@given(text=UNICODE)
def test_random_unicode_queries_are_answered_safely(client, text):
    before = database_state()
    assert_answered_safely(get_raw(client, quote(text, safe="")))
    assert database_state() == before


@FUZZ
@given(raw=st.binary(max_size=300))
def test_random_bytes_are_answered_safely(client, raw):
    before = database_state()
    assert_answered_safely(get_raw(client, quote_from_bytes(raw, safe="")))
    assert database_state() == before


@FUZZ
@given(text=QUERY_NOISE)
def test_query_shaped_noise_is_answered_safely(client, text):
    before = database_state()
    assert_answered_safely(get_raw(client, quote(text, safe="")))
    assert database_state() == before


@pytest.mark.parametrize(
    "text",
    [
        "a" * (MAX_QUERY_LENGTH + 1),
        "last_name=x^" * (MAX_QUERY_TERMS + 1),
        "ORDERBYlast_name^" * (MAX_QUERY_TERMS + 1),
        "last_nameIN" + ",".join(["x"] * (MAX_QUERY_OPERANDS + 1)),
    ],
)
def test_oversized_queries_are_a_400_envelope(client, settings, text):
    settings.MAX_REQUEST_LINE = 1_000_000  # past the request-line limit (a 414) the query's own limits apply
    response = get_raw(client, quote(text, safe=""))
    assert response.status_code == 400
    assert response.json()["error"]["message"] == "Invalid sysparm_query"


def many(template: str, joiner: str, count: int) -> str:
    return joiner.join(template.format(index) for index in range(count))


@pytest.mark.parametrize(
    "text",
    [
        # the largest queries allowed, built from the terms that expand to the most SQL
        "last_nameIN" + many("name{}", ",", MAX_QUERY_OPERANDS - 1) + ",Warren",
        "last_nameNOT IN" + many("name{}", ",", MAX_QUERY_OPERANDS),
        many("last_name!=x{}", "^", MAX_QUERY_TERMS - 1) + "^last_name=Warren",
        many("last_nameNSAMEASfirst_name^last_name!=x{}", "^", MAX_QUERY_TERMS // 2 - 1) + "^last_name=Warren",
        many("sys_created_onNOTONx@2000-01-01@2000-01-0{}", "^", 9) + "^" + many("last_name!=x{}", "^OR", 90),
        many("last_nameNOT LIKEx{}", "^NQ", MAX_QUERY_TERMS),
        many("account.name!=x{}", "^OR", MAX_QUERY_TERMS),
    ],
    ids=["in", "not-in", "not-equal", "nsameas", "noton", "not-like-groups", "dot-walk-or"],
)
def test_largest_allowed_queries_are_answered(client, text):
    response = get_raw(client, quote(text, safe=""))
    assert response.status_code == 200, response.content[:200]
    assert "Warren" in [row["last_name"] for row in response.json()["result"]]


@pytest.mark.parametrize(
    ("probe", "control"),
    [
        ("passwordSTARTSWITHpbkdf2", "passwordSTARTSWITHzzzz"),
        ("password=", "passwordISNOTEMPTY"),
        ("is_superuser=true", "is_superuser=false"),
        ("manager.passwordSTARTSWITHmd5", "manager.passwordSTARTSWITHzzz"),
        ("account.sys_created_byLIKEroot^ORpassword*a", "account.sys_created_byLIKEroot^ORpassword*zzz"),
    ],
)
def test_hidden_fields_cannot_serve_as_an_oracle(client, probe, control):
    answers = []
    for text in (probe, control):
        response = get_raw(client, quote(text, safe=""))
        assert response.status_code == 200
        answers.append([row["sys_id"] for row in response.json()["result"]])
    assert answers[0] == answers[1]
