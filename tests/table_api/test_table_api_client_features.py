"""What real clients (pysnc, pysnow) send through the Table API beyond plain reads and writes: a
sys_id chosen on insert, `CONTAINS`, the "Me" dynamic filter, related-list and join queries, and
passwords shown masked (docs/table-api.md, docs/encoded-queries.md, docs/access.md)."""

import base64
import json

import pytest

from contacts.models import Contact
from csm_project.core.models import User
from csm_project.core.records.wire_values import PASSWORD_MASK
from leads.models import UserGroup
from tests.batch_api.test_batch import batch_json
from tests.contacts.factories_contacts import AccountFactory, ContactFactory

CONTACTS = "/api/now/table/customer_contact"
ACCOUNTS = "/api/now/table/customer_account"
USERS = "/api/now/table/sys_user"
GROUPS = "/api/now/table/sys_user_group"
ME = "90d1921e5f510100a9ad2572f2b477fe"


@pytest.fixture
def contacts_client(client_for):
    return client_for("csm_ws_integration")


def ids(response) -> list[str]:
    assert response.status_code == 200, response.content
    return sorted(row["sys_id"] for row in response.json()["result"])


# --- a sys_id chosen on insert -----------------------------------------------------------------


def test_post_keeps_a_sys_id_the_caller_chose(contacts_client):
    chosen = "0123456789abcdef0123456789abcdef"
    response = contacts_client.post(CONTACTS, {"sys_id": chosen, "user_name": "chosen.one"}, format="json")

    assert response.status_code == 201, response.content
    assert response.json()["result"]["sys_id"] == chosen
    assert response["Location"].endswith(f"{CONTACTS}/{chosen}")
    contact = Contact.objects.get(pk=chosen)
    assert contact.user_name == "chosen.one" and User.objects.filter(pk=chosen).exists()


@pytest.mark.parametrize("bad", ["ABCDEF0123456789ABCDEF0123456789", "123", "g" * 32, 12345, {"value": "a" * 32}])
def test_post_with_a_malformed_sys_id_is_a_400_and_writes_nothing(contacts_client, bad):
    response = contacts_client.post(CONTACTS, {"sys_id": bad, "user_name": "bad.id"}, format="json")

    assert response.status_code == 400, response.content
    body = response.json()
    assert body["status"] == "failure"
    assert "is not a sys_id" in body["error"]["message"]
    assert body["error"]["detail"].startswith("sys_id: ")
    assert not User.objects.filter(user_name="bad.id").exists()


def test_post_with_a_sys_id_in_use_is_refused_without_a_partial_write(contacts_client):
    taken = ContactFactory(user_name="first.owner")
    before = (User.objects.count(), Contact.objects.count())

    response = contacts_client.post(CONTACTS, {"sys_id": taken.sys_id, "user_name": "second.owner"}, format="json")

    assert response.status_code == 403, response.content
    body = response.json()
    assert body["error"]["message"] == f"Operation Failed: a customer_contact record with sys_id {taken.sys_id} exists"
    assert (User.objects.count(), Contact.objects.count()) == before
    assert Contact.objects.get(pk=taken.sys_id).user_name == "first.owner"


def test_a_sys_id_used_by_the_table_a_contact_extends_is_taken_too(contacts_client, make_user):
    user = make_user(user_name="plain.user")  # a sys_user row, no contact

    response = contacts_client.post(CONTACTS, {"sys_id": user.sys_id, "user_name": "would.clash"}, format="json")

    assert response.status_code == 403
    assert not Contact.objects.filter(pk=user.sys_id).exists()
    assert not User.objects.filter(user_name="would.clash").exists()


def test_updates_never_change_a_sys_id(contacts_client):
    contact = ContactFactory()
    response = contacts_client.patch(f"{CONTACTS}/{contact.sys_id}", {"sys_id": "e" * 32, "title": "x"}, format="json")

    assert response.status_code == 200
    assert response.json()["result"]["sys_id"] == contact.sys_id
    assert not User.objects.filter(pk="e" * 32).exists()


def test_a_batch_item_keeps_its_chosen_sys_id_like_a_direct_call(contacts_client):
    chosen = "fedcba9876543210fedcba9876543210"
    body = base64.b64encode(json.dumps({"sys_id": chosen, "user_name": "batched"}).encode()).decode()
    request = {"id": "1", "method": "POST", "url": CONTACTS, "body": body,
               "headers": [{"name": "Content-Type", "value": "application/json"}]}  # fmt: skip

    response = contacts_client.post(
        "/api/now/v1/batch", {"batch_request_id": "b", "rest_requests": [request]}, format="json"
    )

    [served] = batch_json(response)["serviced_requests"]
    assert served["status_code"] == 201
    assert json.loads(base64.b64decode(served["body"]))["result"]["sys_id"] == chosen
    assert Contact.objects.get(pk=chosen).user_name == "batched"


def test_the_contact_api_still_ignores_a_sys_id_sent(contacts_client):
    response = contacts_client.post(
        "/api/now/contact", {"sys_id": "d" * 32, "first_name": "Dee", "last_name": "Dee"}, format="json"
    )

    assert response.status_code in (200, 201), response.content
    assert not User.objects.filter(pk="d" * 32).exists()


# --- operators real clients send -----------------------------------------------------------------


def test_contains_and_does_not_contain_filter_instead_of_being_dropped(contacts_client):
    acme, zed = AccountFactory(name="Acme Corp"), AccountFactory(name="Zed Ltd")

    assert ids(contacts_client.get(ACCOUNTS, {"sysparm_query": "nameCONTAINSme c"})) == [acme.sys_id]
    assert ids(contacts_client.get(ACCOUNTS, {"sysparm_query": "nameDOES NOT CONTAINcorp"})) == [zed.sys_id]


def test_dynamic_me_is_the_callers_own_sys_id(client_for):
    caller = client_for("sn_lead_mgmt_core.lead_integrator")
    mine = UserGroup.objects.create(name="Mine", manager=caller.user)
    UserGroup.objects.create(name="Theirs", manager=User.objects.create_user("someone.else"))
    UserGroup.objects.create(name="Nobody's")

    assert ids(caller.get(GROUPS, {"sysparm_query": f"managerDYNAMIC{ME}"})) == [mine.sys_id]
    # Another dynamic filter is not supported: an invalid term, dropped like any other.
    assert len(ids(caller.get(GROUPS, {"sysparm_query": "managerDYNAMIC" + "1" * 32}))) == 3


def test_related_list_query_counts_referring_records(contacts_client):
    busy, quiet, empty = AccountFactory(name="Busy"), AccountFactory(name="Quiet"), AccountFactory(name="Empty")
    ContactFactory(account=busy, title="buyer")
    ContactFactory(account=busy, title="buyer")
    ContactFactory(account=quiet, title="buyer")
    ContactFactory(account=quiet, title="other")

    def accounts(query: str) -> list[str]:
        return ids(contacts_client.get(ACCOUNTS, {"sysparm_query": query}))

    assert accounts("RLQUERYcustomer_contact.account,>=2^title=buyer^ENDRLQUERY") == [busy.sys_id]
    assert accounts("RLQUERYcustomer_contact.account,=1^title=buyer^ENDRLQUERY") == [quiet.sys_id]
    assert accounts("RLQUERYcustomer_contact.account,=0^ENDRLQUERY") == [empty.sys_id]
    assert accounts("nameSTARTSWITHb^ORnameSTARTSWITHe^RLQUERYcustomer_contact.account,>0^ENDRLQUERY") == [busy.sys_id]


def test_join_query_selects_rows_matched_in_the_joined_table(contacts_client):
    buyers, others = AccountFactory(name="Buyers"), AccountFactory(name="Others")
    ContactFactory(account=buyers, title="buyer")
    ContactFactory(account=others, title="other")

    query = "JOINcustomer_account.sys_id=customer_contact.account!title=buyer^ORDERBYname"
    assert ids(contacts_client.get(ACCOUNTS, {"sysparm_query": query})) == [buyers.sys_id]


def test_a_subquery_into_a_table_the_caller_may_not_read_is_an_invalid_term(client_for):
    """lead.integrator reads groups, not users: a subquery into sys_user is dropped exactly as a
    subquery into a table that does not exist, whatever the users hold (no oracle)."""
    caller = client_for("sn_lead_mgmt_core.lead_integrator")
    UserGroup.objects.create(name="Led", manager=caller.user)
    UserGroup.objects.create(name="Unled")

    def groups(query: str) -> list[str]:
        return ids(caller.get(GROUPS, {"sysparm_query": query}))

    everything = groups("")
    assert len(everything) == 2
    assert groups("JOINsys_user_group.manager=sys_user.sys_id!user_nameSTARTSWITHzz") == everything
    assert groups("JOINsys_user_group.manager=sys_user.sys_id!user_nameSTARTSWITHa") == everything
    assert groups("JOINsys_user_group.manager=no_such_table.sys_id!user_nameSTARTSWITHa") == everything
    assert groups("RLQUERYsn_lead_mgmt_core_lead.lead_group,>0^ENDRLQUERY") == []  # readable: applies


def test_an_invalid_subquery_returns_no_rows_under_the_strict_policy(contacts_client):
    from csm_project.core.models import SystemProperty

    AccountFactory(name="Any")
    SystemProperty.objects.update_or_create(
        name="glide.invalid_query.returns_no_rows", defaults={"value": "true", "type": "true_false"}
    )
    assert ids(contacts_client.get(ACCOUNTS, {"sysparm_query": "RLQUERYcustomer_contact.nosuch,>0^ENDRLQUERY"})) == []


# --- passwords -----------------------------------------------------------------------------------


def test_passwords_read_masked_never_as_their_hash(admin_client_api):
    with_password = User.objects.create_user("has.password", "s3cret-Passw0rd")
    without = User.objects.create_user("no.password")  # unusable password

    response = admin_client_api.get(USERS, {"sysparm_query": "user_nameSTARTSWITHhas.^ORuser_nameSTARTSWITHno.",
                                            "sysparm_display_value": "all"})  # fmt: skip

    rows = {row["user_name"]["value"]: row for row in response.json()["result"]}
    assert rows["has.password"]["user_password"] == {"display_value": PASSWORD_MASK, "value": PASSWORD_MASK}
    assert rows["no.password"]["user_password"] == {"display_value": "", "value": ""}
    assert with_password.password not in response.content.decode()
    plain = admin_client_api.get(f"{USERS}/{without.sys_id}", {"sysparm_fields": "user_password"}).json()
    assert plain == {"result": {"user_password": ""}}


def test_a_password_is_never_a_query_term(admin_client_api):
    User.objects.create_user("hashed.one", "abc")
    everyone = ids(admin_client_api.get(USERS))

    for query in ("user_passwordSTARTSWITHpbkdf2", "user_passwordSTARTSWITHzzz", "user_passwordISEMPTY",
                  "ORDERBYuser_password"):  # fmt: skip
        assert ids(admin_client_api.get(USERS, {"sysparm_query": query})) == everyone


def test_an_admin_sets_a_password_hashed_and_the_mask_written_back_keeps_it(admin_client_api):
    contact = ContactFactory(user_name="gets.password")

    response = admin_client_api.patch(f"{CONTACTS}/{contact.sys_id}", {"user_password": "N3w-pass"}, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["result"]["user_password"] == PASSWORD_MASK
    contact.refresh_from_db()
    assert contact.password != "N3w-pass" and contact.check_password("N3w-pass")
    stored = contact.password
    again = admin_client_api.put(f"{CONTACTS}/{contact.sys_id}", {"user_password": PASSWORD_MASK}, format="json")
    assert again.status_code == 200
    contact.refresh_from_db()
    assert contact.password == stored


def test_only_an_admin_sets_a_password_on_create_or_update(contacts_client):
    contact = ContactFactory(user_name="kept.locked")

    refused = contacts_client.patch(f"{CONTACTS}/{contact.sys_id}", {"user_password": "x1"}, format="json")
    created = contacts_client.post(CONTACTS, {"user_name": "wants.login", "user_password": "x1"}, format="json")

    assert refused.status_code == 403 and created.status_code == 403
    assert "only an admin sets" in refused.json()["error"]["message"]
    contact.refresh_from_db()
    assert not contact.has_usable_password() or not contact.password
    assert not User.objects.filter(user_name="wants.login").exists()
    # Sent back as read (the mask), the field is no change and needs no right.
    echoed = contacts_client.patch(f"{CONTACTS}/{contact.sys_id}", {"user_password": PASSWORD_MASK}, format="json")
    assert echoed.status_code == 200


def test_the_aggregate_api_takes_no_statistic_of_a_password(admin_client_api):
    response = admin_client_api.get("/api/now/stats/sys_user", {"sysparm_group_by": "user_password"})
    assert response.status_code == 400


def test_a_record_sent_back_as_read_without_a_password_needs_no_right(contacts_client):
    """What a client read of a contact without a password (``""``) it may post back."""
    created = contacts_client.post(CONTACTS, {"user_name": "no.login", "user_password": ""}, format="json")

    assert created.status_code == 201, created.content
    assert created.json()["result"]["user_password"] == ""
    assert not Contact.objects.get(user_name="no.login").has_usable_password()
