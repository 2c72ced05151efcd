"""Row rules (docs/row-access.md): role × table × method × row. A customer's login and a
consumer's login reach exactly their own rows through every door: the Table API (list, get,
post, patch, delete), the Aggregate API's counts, Batch items, the Attachment API (list, get,
file), encoded queries and dot-walks, and the record APIs; a row outside them does not exist.

The matrix is ``CASES``, one entry per (role, table). Adding a table (the case table) takes its
row rules (one migration) and an entry here, with its rows built in ``world``'s ``BUILDERS``.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.core.files.base import ContentFile
from rest_framework.test import APIClient

from cases.models import Case as CustomerCase
from contacts.models import Account, Consumer, Contact
from csm_project.attachments import services as attachments
from csm_project.core.access.roles import user_grant_roles
from csm_project.core.models import RowAccess, User
from tests.conftest import basic_auth
from tests.factories import TEST_PASSWORD

CUSTOMER, CONSUMER = "sn_customerservice.customer", "sn_customerservice.consumer"
MISSING = "0" * 32


@dataclass
class World:
    """The rows of every table, by key (``mine``, ``other``, ...), and the logins."""

    rows: dict[str, dict[str, str]] = field(default_factory=dict)
    logins: dict[str, str] = field(default_factory=dict)  # role -> user name
    login_ids: dict[str, str] = field(default_factory=dict)  # role -> the login's sys_id
    attachments: dict[tuple[str, str], str] = field(default_factory=dict)  # (table, key) -> attachment sys_id


def _accounts_and_contacts(world: World) -> None:
    mine = Account.objects.create(name="Mine Inc", city="Lyon")
    other = Account.objects.create(name="Other", city="Oslo")
    me = Contact(user_name="me.customer", first_name="Me", last_name="Customer", account=mine, company=other)
    me.set_password(TEST_PASSWORD)
    me.save()
    user_grant_roles(user=me, roles=[CUSTOMER])
    colleague = Contact.objects.create(user_name="colleague", last_name="Colleague", account=mine)
    stranger = Contact.objects.create(user_name="stranger", last_name="Stranger", account=other)
    world.rows["customer_account"] = {"mine": mine.pk, "other": other.pk}
    world.rows["customer_contact"] = {"me": me.pk, "colleague": colleague.pk, "stranger": stranger.pk}
    world.logins[CUSTOMER], world.login_ids[CUSTOMER] = me.user_name, me.pk


def _consumers(world: World) -> None:
    login = User.objects.create_user("me.consumer", TEST_PASSWORD, first_name="Me", last_name="Consumer")
    user_grant_roles(user=login, roles=[CONSUMER])
    someone = User.objects.create_user("someone.else", None)
    mine = Consumer.objects.create(first_name="Me", last_name="Consumer", user=login)
    other = Consumer.objects.create(first_name="Some", last_name="One", user=someone)
    unlinked = Consumer.objects.create(last_name="Nobody")
    world.rows["csm_consumer"] = {"mine": mine.pk, "other": other.pk, "unlinked": unlinked.pk}
    world.logins[CONSUMER], world.login_ids[CONSUMER] = login.user_name, login.pk


def _cases(world: World) -> None:
    """A case on the customer's account, one on another, the consumer's own, another consumer's."""
    accounts, consumers = world.rows["customer_account"], world.rows["csm_consumer"]
    made = {
        "mine": CustomerCase.objects.create(short_description="Ours", account_id=accounts["mine"]),
        "other": CustomerCase.objects.create(short_description="Theirs", account_id=accounts["other"]),
        "consumer_mine": CustomerCase.objects.create(short_description="My own", consumer_id=consumers["mine"]),
        "consumer_other": CustomerCase.objects.create(short_description="Not mine", consumer_id=consumers["other"]),
    }
    world.rows["sn_customerservice_case"] = {key: case.pk for key, case in made.items()}


#: How each table's rows are built (in this order: the cases name the accounts and consumers).
BUILDERS: dict[str, Callable[[World], None]] = {
    "customer_account": _accounts_and_contacts,
    "customer_contact": lambda world: None,  # built with the accounts
    "csm_consumer": _consumers,
    "sn_customerservice_case": _cases,
}

#: A field each table's PATCH may change, and a value.
PATCH = {"customer_account": ("notes", "patched"), "customer_contact": ("title", "Patched"),
         "csm_consumer": ("notes", "patched"), "sn_customerservice_case": ("short_description", "Patched")}  # fmt: skip

#: The record API listing each table, if any.
RECORD_APIS = {"customer_account": "/api/now/account", "csm_consumer": "/api/now/consumer",
               "sn_customerservice_case": "/api/sn_customerservice/case"}  # fmt: skip


@dataclass(frozen=True)
class Case:
    role: str
    table: str
    read: frozenset[str]  # keys of the rows it reads; an empty set with no table right: 403
    update: frozenset[str] = frozenset()
    delete: frozenset[str] = frozenset()
    readable: bool = True  # the table rule lets the role read
    writable: bool = False  # the table rule lets the role write
    #: A create inside its rows: (values from the world, expected status); ``None``: not tried.
    create_inside: tuple[Callable[[World], dict], int] | None = None
    #: A create outside its rows, always refused (403) when the role may write the table.
    create_outside: Callable[[World], dict] | None = None

    @property
    def id(self) -> str:
        return f"{self.role.split('.')[-1]}-{self.table}"


def _contact_on(account_key: str) -> Callable[[World], dict]:
    return lambda world: {"last_name": "New", "account": world.rows["customer_account"][account_key]}


def _case_on(table: str, key: str, field: str) -> Callable[[World], dict]:
    return lambda world: {"short_description": "New case", field: world.rows[table][key]}


CASES = [
    Case(CUSTOMER, "customer_account", frozenset({"mine"})),
    Case(CUSTOMER, "customer_contact", frozenset({"me", "colleague"}), update=frozenset({"me"}), writable=True,
         create_inside=(_contact_on("mine"), 403), create_outside=_contact_on("other")),
    Case(CUSTOMER, "csm_consumer", frozenset(), readable=False),
    Case(CONSUMER, "csm_consumer", frozenset({"mine"}), update=frozenset({"mine"}), writable=True,
         create_inside=(lambda world: {"last_name": "Twin", "user": world.login_ids[CONSUMER]}, 403),
         create_outside=lambda world: {"last_name": "Other"}),
    Case(CONSUMER, "customer_account", frozenset(), readable=False),
    Case(CONSUMER, "customer_contact", frozenset(), readable=False),
    Case(CUSTOMER, "sn_customerservice_case", frozenset({"mine"}), update=frozenset({"mine"}), writable=True,
         create_inside=(_case_on("customer_account", "mine", "account"), 201),
         create_outside=_case_on("customer_account", "other", "account")),
    Case(CONSUMER, "sn_customerservice_case", frozenset({"consumer_mine"}), update=frozenset({"consumer_mine"}),
         writable=True, create_inside=(_case_on("csm_consumer", "mine", "consumer"), 201),
         create_outside=_case_on("csm_consumer", "other", "consumer")),
]  # fmt: skip


@pytest.fixture
def world(db) -> World:
    built = World()
    for builder in BUILDERS.values():
        builder(built)
    uploader = User.objects.create_user("row.uploader", None, is_superuser=True)
    for table, rows in built.rows.items():
        for key, sys_id in rows.items():
            attachment = attachments.attachment_add_file(
                user=uploader, table_name=table, table_sys_id=sys_id, file_name=f"{key}.txt",
                content_type="text/plain", upload=ContentFile(f"{table} {key}".encode(), name=f"{key}.txt"),
            )  # fmt: skip
            built.attachments[(table, key)] = attachment.pk
    return built


def client_of(world: World, role: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=basic_auth(world.logins[role]))
    return client


def keys_of(world: World, table: str, sys_ids) -> set[str]:
    by_id = {sys_id: key for key, sys_id in world.rows[table].items()}
    return {by_id.get(sys_id, sys_id) for sys_id in sys_ids}


def refused(response) -> bool:
    return response.status_code == 403 and response.json()["status"] == "failure"


def not_found(response) -> bool:
    return response.status_code == 404 and response.json()["error"]["message"] == "No Record found"


@pytest.fixture(params=CASES, ids=[case.id for case in CASES])
def case(request) -> Case:
    return request.param


# --- Table API -------------------------------------------------------------------------------


def test_table_api_list_and_its_count_hold_exactly_the_rows_it_reaches(world, case):
    response = client_of(world, case.role).get(f"/api/now/table/{case.table}", {"sysparm_fields": "sys_id"})

    if not case.readable:
        assert refused(response)
        return
    assert response.status_code == 200
    assert keys_of(world, case.table, [row["sys_id"] for row in response.json()["result"]]) == case.read
    assert response["X-Total-Count"] == str(len(case.read))


def test_table_api_get_finds_its_rows_and_no_other(world, case):
    client = client_of(world, case.role)
    for key, sys_id in world.rows[case.table].items():
        response = client.get(f"/api/now/table/{case.table}/{sys_id}")
        if not case.readable:
            assert refused(response), key
        elif key in case.read:
            assert response.status_code == 200 and response.json()["result"]["sys_id"] == sys_id, key
        else:
            assert not_found(response), key


def test_table_api_patch_changes_its_rows_and_finds_no_other(world, case):
    client = client_of(world, case.role)
    name, value = PATCH[case.table]
    model = _model(case.table)
    for key, sys_id in world.rows[case.table].items():
        before = model.objects.filter(pk=sys_id).values_list(name, flat=True).get()
        response = client.patch(f"/api/now/table/{case.table}/{sys_id}", {name: value}, format="json")
        after = model.objects.filter(pk=sys_id).values_list(name, flat=True).get()
        if not case.writable:
            assert refused(response) and after == before, key
        elif key in case.update:
            assert response.status_code == 200, (key, response.content)
            assert response.json()["result"][name] == value and after == value, key
        else:
            assert not_found(response) and after == before, key


def test_table_api_delete_finds_no_row_outside_its_rows(world, case):
    client = client_of(world, case.role)
    model = _model(case.table)
    for key, sys_id in world.rows[case.table].items():
        if key in case.delete:
            continue
        response = client.delete(f"/api/now/table/{case.table}/{sys_id}")
        assert refused(response) if not case.writable else not_found(response), key
        assert model.objects.filter(pk=sys_id).exists(), key


def test_table_api_post_lands_only_inside_its_rows(world, case):
    client = client_of(world, case.role)
    model = _model(case.table)
    before = model.objects.count()
    if case.create_outside is not None:
        response = client.post(f"/api/now/table/{case.table}", case.create_outside(world), format="json")
        assert refused(response), response.content
    if case.create_inside is not None:
        values, status = case.create_inside
        response = client.post(f"/api/now/table/{case.table}", values(world), format="json")
        assert response.status_code == status, response.content
        before += 1 if status == 201 else 0
    assert model.objects.count() == before


# --- Aggregate, Batch, encoded queries, record APIs ---------------------------------------------


def test_aggregate_counts_only_its_rows(world, case):
    response = client_of(world, case.role).get(f"/api/now/stats/{case.table}", {"sysparm_count": "true"})

    if not case.readable:
        assert refused(response)
        return
    assert response.status_code == 200
    assert response.json()["result"]["stats"]["count"] == str(len(case.read))


def test_batch_items_find_only_its_rows(world, case):
    rows = world.rows[case.table]
    requests_ = [
        {"id": key, "method": "GET", "url": f"/api/now/table/{case.table}/{sys_id}",
         "headers": [{"name": "Accept", "value": "application/json"}]}
        for key, sys_id in rows.items()
    ]  # fmt: skip
    response = client_of(world, case.role).post(
        "/api/now/v1/batch", {"batch_request_id": "1", "rest_requests": requests_}, format="json"
    )

    assert response.status_code == 200
    content = b"".join(response.streaming_content) if response.streaming else response.content
    answers = {entry["id"]: entry for entry in json.loads(content)["serviced_requests"]}
    for key in rows:
        expected = 200 if key in case.read else (404 if case.readable else 403)
        assert answers[key]["status_code"] == expected, key
        if expected == 200:
            assert json.loads(base64.b64decode(answers[key]["body"]))["result"]["sys_id"] == rows[key]


def test_encoded_queries_reach_only_its_rows(world, case):
    if not case.readable:
        return
    every = ",".join(world.rows[case.table].values())
    response = client_of(world, case.role).get(
        f"/api/now/table/{case.table}", {"sysparm_query": f"sys_idIN{every}^ORDERBYsys_id", "sysparm_fields": "sys_id"}
    )

    assert keys_of(world, case.table, [row["sys_id"] for row in response.json()["result"]]) == case.read


def test_record_api_lists_and_gets_only_its_rows(world, case):
    base = RECORD_APIS.get(case.table)
    if base is None:
        return
    client = client_of(world, case.role)
    listed = client.get(base, {"sysparm_limit": "100"})
    if not case.readable:
        assert refused(listed)
        return
    assert listed.status_code == 200 and listed["X-Total-Count"] == str(len(case.read))
    assert keys_of(world, case.table, [row["sys_id"] for row in listed.json()["result"]]) == case.read
    for key, sys_id in world.rows[case.table].items():
        response = client.get(f"{base}/{sys_id}")
        assert response.status_code == 200 if key in case.read else not_found(response), key


# --- Attachment API ------------------------------------------------------------------------------


def test_attachments_exist_only_on_its_rows(world, case):
    client = client_of(world, case.role)
    listed = client.get("/api/now/attachment", {"sysparm_query": f"table_name={case.table}"})
    assert listed.status_code == 200
    parents = [row["table_sys_id"] for row in listed.json()["result"]]
    assert keys_of(world, case.table, parents) == (case.read if case.readable else set())
    assert listed["X-Total-Count"] == str(len(case.read) if case.readable else 0)
    for key in world.rows[case.table]:
        sys_id = world.attachments[(case.table, key)]
        meta, file = client.get(f"/api/now/attachment/{sys_id}"), client.get(f"/api/now/attachment/{sys_id}/file")
        if case.readable and key in case.read:
            assert meta.status_code == 200 and file.status_code == 200, key
        elif case.readable:
            assert not_found(meta) and not_found(file), key
        else:
            assert meta.status_code in (403, 404) and file.status_code in (403, 404), key


# --- the rules themselves, dot-walks, an unlimited caller -------------------------------------


def test_a_dot_walk_into_a_row_outside_gives_nothing(world):
    """The customer's own contact names another account as its company: a term walking into it
    is ignored (no oracle: the answer is the same whatever that account holds)."""
    client = client_of(world, CUSTOMER)
    answers = [
        client.get("/api/now/table/customer_contact", {"sysparm_query": query, "sysparm_fields": "sys_id"})
        for query in ("company.city=Oslo", "company.city=Nowhere", "account.city=Lyon", "")
    ]
    ids = [sorted(row["sys_id"] for row in answer.json()["result"]) for answer in answers]
    assert ids[0] == ids[1] == ids[2] == ids[3]
    assert keys_of(world, "customer_contact", ids[0]) == {"me", "colleague"}
    fields = client.get(f"/api/now/table/customer_contact/{world.rows['customer_contact']['me']}",
                        {"sysparm_fields": "company.city,company.name"}).json()["result"]  # fmt: skip
    assert fields == {"company.name": "Other"}  # the display value is part of the field; the rest is not read
    query = {"sysparm_count": "true", "sysparm_query": "company.city=Oslo"}
    stats = client.get("/api/now/stats/customer_contact", query)
    assert stats.json()["result"]["stats"]["count"] == "2"


def test_a_customer_cannot_move_its_contact_onto_another_account(world):
    me = world.rows["customer_contact"]["me"]
    response = client_of(world, CUSTOMER).patch(
        f"/api/now/table/customer_contact/{me}", {"account": world.rows["customer_account"]["other"]}, format="json"
    )

    assert refused(response)
    assert Contact.objects.get(pk=me).account_id == world.rows["customer_account"]["mine"]


def test_a_customer_still_cannot_change_its_login_fields(world):
    me = world.rows["customer_contact"]["me"]
    response = client_of(world, CUSTOMER).patch(
        f"/api/now/table/customer_contact/{me}", {"user_name": "someone.new"}, format="json"
    )

    assert refused(response)
    assert Contact.objects.get(pk=me).user_name == "me.customer"


def test_an_integration_user_reaches_every_row(world, client_for):
    client = client_for("csm_ws_integration")
    for table in ("customer_account", "customer_contact", "csm_consumer", "sn_customerservice_case"):
        response = client.get(f"/api/now/table/{table}", {"sysparm_fields": "sys_id"})
        ids = {row["sys_id"] for row in response.json()["result"]}
        assert set(world.rows[table].values()) <= ids, table


def test_a_customer_that_also_holds_the_integration_role_reaches_every_row(world):
    user_grant_roles(user=User.objects.get(user_name=world.logins[CUSTOMER]), roles=["csm_ws_integration"])
    response = client_of(world, CUSTOMER).get("/api/now/table/customer_account", {"sysparm_fields": "sys_id"})

    assert {row["sys_id"] for row in response.json()["result"]} == set(world.rows["customer_account"].values())


def test_a_rule_removed_in_the_admin_applies_at_once(world):
    RowAccess.objects.filter(table="customer_account", role__name=CUSTOMER).delete()
    response = client_of(world, CUSTOMER).get("/api/now/table/customer_account")

    assert response.status_code == 200 and response.json()["result"] == []  # a limited role without a rule: nothing
    assert response["X-Total-Count"] == "0"


def _model(table: str):
    from csm_project.registry import get_table

    return get_table(table).model


def test_a_customer_opens_a_case_for_its_account_and_a_consumer_for_itself(world):
    """A case that names no customer is the caller's own: through the Case API as through the
    Table API, and the caller then reads it by its number."""
    for role, path in (
        (CUSTOMER, "/api/sn_customerservice/case"),
        (CONSUMER, "/api/now/table/sn_customerservice_case"),
    ):
        client = client_of(world, role)
        created = client.post(path, {"short_description": "Please help"}, format="json")
        assert created.status_code == 201, created.content
        case = CustomerCase.objects.get(pk=created.json()["result"]["sys_id"])
        if role == CUSTOMER:
            assert (case.account_id, case.contact_id) == (world.rows["customer_account"]["mine"], world.login_ids[role])
            assert case.consumer_id is None
        else:
            assert case.consumer_id == world.rows["csm_consumer"]["mine"] and case.account_id is None
        assert client.get(f"/api/sn_customerservice/case/{case.number}").status_code == 200


def test_a_customer_cannot_move_a_case_onto_another_account(world):
    mine = world.rows["sn_customerservice_case"]["mine"]
    response = client_of(world, CUSTOMER).patch(
        f"/api/now/table/sn_customerservice_case/{mine}",
        {"account": world.rows["customer_account"]["other"]},
        format="json",
    )

    assert refused(response)
    assert CustomerCase.objects.get(pk=mine).account_id == world.rows["customer_account"]["mine"]
    other = CustomerCase.objects.get(pk=world.rows["sn_customerservice_case"]["other"])
    assert client_of(world, CUSTOMER).get(f"/api/sn_customerservice/case/{other.number}").status_code == 404
