"""Field rights (docs/access.md): the login fields of users and contacts, and logins themselves,
are changed by admins only, and no user is named like the system; through every way in (Table
API, Batch API, Contact API, admin, the record engine as imports use it)."""

import base64
import io
import json

import pytest
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from contacts.models import Contact
from csm_project.core.access.actor import acting_as
from csm_project.core.access.roles import user_grant_roles
from csm_project.core.access.staff_roles import ADMINISTRATOR, AGENT
from csm_project.core.errors import DomainError
from csm_project.core.models import FieldAccess, Role, User
from csm_project.core.records.services import record_create, record_update
from tests.conftest import basic_auth
from tests.contacts.factories_contacts import ContactFactory
from tests.contacts.test_contact_admin import change_form_data
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

CONTACTS = "/api/now/table/customer_contact"
USERS = "/api/now/table/sys_user"
BATCH = "/api/now/v1/batch"
REFUSED = "Insufficient rights to update records"


@pytest.fixture
def integration(client_for) -> APIClient:
    return client_for("csm_ws_integration")


@pytest.fixture
def admin_api(client_for) -> APIClient:
    """A caller holding the ``admin`` role (not a superuser)."""
    return client_for("admin")


@pytest.fixture
def locked_admin() -> Contact:
    """A contact staff gave a password and the admin role, then locked."""
    contact = ContactFactory(user_name="locked.boss", locked_out=True, city="Paris")
    User.objects.filter(pk=contact.pk).update(password=make_password(TEST_PASSWORD))
    user_grant_roles(user=contact, roles=["admin"])
    return contact


def no_login(contact: Contact) -> Contact:
    """``contact`` without a usable password (and, as made, without roles): it cannot log in."""
    User.objects.filter(pk=contact.pk).update(password=make_password(None))
    return Contact.objects.get(pk=contact.pk)


def logs_in(user_name: str) -> int:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=basic_auth(user_name))
    return api.get("/api/now/table/sys_user?sysparm_limit=1").status_code


def stored(contact: Contact) -> tuple:
    row = Contact.objects.get(pk=contact.pk)
    return row.locked_out, row.active, row.failed_attempts, row.user_name, row.city, row.sys_mod_count


# --- Table API -----------------------------------------------------------------------------


def test_the_integration_cannot_unlock_an_admin_login(integration, locked_admin):
    before = stored(locked_admin)
    assert logs_in("locked.boss") == 401

    response = integration.patch(f"{CONTACTS}/{locked_admin.pk}", {"locked_out": "false"}, format="json")

    assert response.status_code == 403
    body = response.json()
    assert body["status"] == "failure" and body["error"]["message"].startswith(REFUSED)
    assert stored(locked_admin) == before
    assert logs_in("locked.boss") == 401


@pytest.mark.parametrize("values", [{"active": "false"}, {"city": "Lyon"}, {"failed_attempts": "0"}])
def test_any_update_of_a_login_needs_admin(integration, locked_admin, values):
    before = stored(locked_admin)

    response = integration.put(f"{CONTACTS}/{locked_admin.pk}", values, format="json")

    assert response.status_code == 403
    assert stored(locked_admin) == before


def test_the_integration_cannot_delete_a_login(integration, locked_admin):
    response = integration.delete(f"{CONTACTS}/{locked_admin.pk}")

    assert response.status_code == 403
    assert response.json()["error"]["message"].startswith("Insufficient rights to delete records")
    assert Contact.objects.filter(pk=locked_admin.pk).exists()


def test_a_contact_with_a_role_but_no_password_is_a_login_too(integration):
    contact = no_login(ContactFactory(city="Paris"))
    user_grant_roles(user=contact, roles=["csm_ws_integration"])

    assert integration.patch(f"{CONTACTS}/{contact.pk}", {"city": "Lyon"}, format="json").status_code == 403
    assert integration.delete(f"{CONTACTS}/{contact.pk}").status_code == 403
    assert Contact.objects.get(pk=contact.pk).city == "Paris"


@pytest.mark.parametrize(
    ("field", "value"),
    [("locked_out", "true"), ("active", "false"), ("failed_attempts", "3"), ("user_name", "renamed")],
)
def test_login_fields_of_a_contact_without_a_login_are_admin_only(integration, field, value):
    contact = no_login(ContactFactory(city="Paris"))
    before = stored(contact)

    response = integration.patch(f"{CONTACTS}/{contact.pk}", {field: value, "city": "Lyon"}, format="json")

    assert response.status_code == 403
    assert response.json()["error"]["detail"].startswith(f"{field}: {REFUSED}")
    assert stored(contact) == before


def test_other_fields_of_a_contact_without_a_login_stay_the_integrations(integration):
    contact = no_login(ContactFactory(city="Paris", locked_out=False))

    # Login fields sent with their stored values change nothing, so are no refusal.
    response = integration.patch(f"{CONTACTS}/{contact.pk}", {"city": "Lyon", "locked_out": "false"}, format="json")

    assert response.status_code == 200
    assert Contact.objects.get(pk=contact.pk).city == "Lyon"
    assert integration.delete(f"{CONTACTS}/{contact.pk}").status_code == 204


def test_an_admin_unlocks_and_renames_a_login(admin_api, locked_admin):
    response = admin_api.patch(
        f"{CONTACTS}/{locked_admin.pk}", {"locked_out": "false", "user_name": "free.boss"}, format="json"
    )

    assert response.status_code == 200
    assert stored(locked_admin)[0] is False and stored(locked_admin)[3] == "free.boss"
    assert logs_in("free.boss") == 200


def test_a_role_listed_on_the_field_rule_may_change_it(client_for):
    FieldAccess.objects.get(table="customer_contact", field="locked_out").write_roles.add(
        Role.objects.get(name="csm_ws_integration")
    )
    contact = no_login(ContactFactory(locked_out=True))
    caller = client_for("csm_ws_integration")

    assert caller.patch(f"{CONTACTS}/{contact.pk}", {"locked_out": "false"}, format="json").status_code == 200
    assert caller.patch(f"{CONTACTS}/{contact.pk}", {"active": "false"}, format="json").status_code == 403
    contact.refresh_from_db()
    assert (contact.locked_out, contact.active) == (False, True)


def test_creating_a_contact_with_login_fields_gives_no_login(integration):
    response = integration.post(
        CONTACTS,
        {"user_name": "new.one", "locked_out": "false", "active": "true", "failed_attempts": "2"},
        format="json",
    )

    assert response.status_code == 201
    contact = Contact.objects.get(user_name="new.one")
    assert contact.failed_attempts == 2 and not contact.has_usable_password() and not contact.roles.exists()


@pytest.mark.parametrize("name", ["system", "System", "SYSTEM", " system "])
def test_no_user_may_be_named_system(integration, admin_api, name):
    created = integration.post(CONTACTS, {"user_name": name, "last_name": "Forger"}, format="json")
    contact = no_login(ContactFactory(user_name="plain.one"))
    renamed = admin_api.patch(f"{CONTACTS}/{contact.pk}", {"user_name": name}, format="json")
    user = admin_api.post(USERS, {"user_name": name}, format="json")

    for response in (created, renamed, user):
        assert response.status_code == 400
        assert "user_name" in response.json()["error"]["detail"] and "reserved" in response.json()["error"]["detail"]
    assert not User.objects.filter(user_name__iexact=name.strip()).exists()
    assert Contact.objects.get(pk=contact.pk).user_name == "plain.one"


# --- Contact API -----------------------------------------------------------------------------


def test_contact_api_refuses_a_reserved_user_name(integration):
    response = integration.post("/api/now/contact", {"user_name": "System", "last_name": "X"}, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["message"] == "Operation Failed"
    assert "reserved" in response.json()["error"]["detail"]
    assert not Contact.objects.filter(last_name="X").exists()


def test_contact_api_post_stores_login_fields_of_a_contact_that_cannot_log_in(integration):
    response = integration.post(
        "/api/now/contact",
        {"user_name": "ann.api", "failed_attempts": "4", "locked_out": "true", "active": "false"},
        format="json",
    )

    assert response.status_code == 201
    contact = Contact.objects.get(pk=response.json()["result"])
    assert (contact.failed_attempts, contact.locked_out, contact.active) == (4, True, False)
    assert not contact.has_usable_password() and not contact.roles.exists()


# --- Batch API -------------------------------------------------------------------------------


def _item(ident, method, url, body=None):
    entry = {
        "id": ident,
        "method": method,
        "url": url,
        "headers": [
            {"name": "Content-Type", "value": "application/json"},
            {"name": "Accept", "value": "application/json"},
        ],
    }
    if body is not None:
        entry["body"] = base64.b64encode(json.dumps(body).encode()).decode()
    return entry


def test_batch_items_obey_the_field_rights(integration, locked_admin):
    plain = no_login(ContactFactory(city="Paris"))
    before = stored(locked_admin), stored(plain)

    response = integration.post(
        BATCH,
        {
            "batch_request_id": "1",
            "rest_requests": [
                _item("unlock", "PATCH", f"{CONTACTS}/{locked_admin.pk}", {"locked_out": "false"}),
                _item("delete", "DELETE", f"{CONTACTS}/{locked_admin.pk}"),
                _item("rename", "PATCH", f"{CONTACTS}/{plain.pk}", {"user_name": "system"}),
                _item("lock", "PATCH", f"{CONTACTS}/{plain.pk}", {"locked_out": "true"}),
            ],
        },
        format="json",
    )

    assert response.status_code == 200
    content = b"".join(response.streaming_content) if response.streaming else response.content
    answers = {entry["id"]: entry["status_code"] for entry in json.loads(content)["serviced_requests"]}
    assert answers == {"unlock": 403, "delete": 403, "rename": 403, "lock": 403}
    assert (stored(locked_admin), stored(plain)) == before


# --- admin -----------------------------------------------------------------------------------


def staff_in(group: str, make_user, **fields) -> Client:
    user = make_user(is_staff=True, **fields)
    user.groups.add(Group.objects.get(name=group))
    client = Client()
    client.force_login(user)
    return client


def test_an_agent_in_the_admin_cannot_unlock_a_login(make_user, locked_admin):
    agent = staff_in(AGENT, make_user, user_name="agent.ann")
    url = reverse("admin:contacts_contact_change", args=[locked_admin.pk])
    before = stored(locked_admin)

    # The form sends no locked_out: the box unticked, i.e. unlock.
    response = agent.post(url, change_form_data(locked_admin, city="Lyon"))

    assert response.status_code == 200  # the form again, with the refusal
    assert REFUSED in response.content.decode()
    assert stored(locked_admin) == before


def test_an_agent_in_the_admin_cannot_change_login_fields(make_user):
    contact = no_login(ContactFactory(user_name="plain.admin", city="Paris"))
    agent = staff_in(AGENT, make_user, user_name="agent.bob")
    before = stored(contact)

    response = agent.post(
        reverse("admin:contacts_contact_change", args=[contact.pk]), change_form_data(contact, user_name="renamed")
    )

    assert response.status_code == 200 and REFUSED in response.content.decode()
    assert stored(contact) == before
    # Other fields are the agent's to change.
    changed = agent.post(
        reverse("admin:contacts_contact_change", args=[contact.pk]), change_form_data(contact, city="Lyon")
    )
    assert changed.status_code == 302 and Contact.objects.get(pk=contact.pk).city == "Lyon"


def test_an_administrator_in_the_admin_unlocks_a_login(make_user, locked_admin):
    administrator = staff_in(ADMINISTRATOR, make_user, user_name="admin.ada")

    response = administrator.post(
        reverse("admin:contacts_contact_change", args=[locked_admin.pk]), change_form_data(locked_admin)
    )

    assert response.status_code == 302
    assert stored(locked_admin)[0] is False


def test_staff_who_may_only_change_contacts_cannot_delete_a_login(make_user, locked_admin):
    clerk = make_user(is_staff=True, user_name="clerk")
    clerk.user_permissions.add(*Permission.objects.filter(codename__in=["view_contact", "delete_contact"]))
    browser = Client()
    browser.force_login(clerk)

    response = browser.post(reverse("admin:contacts_contact_delete", args=[locked_admin.pk]), {"post": "yes"})

    assert response.status_code in (200, 302, 403)
    assert Contact.objects.filter(pk=locked_admin.pk).exists()


# --- the record engine (imports, commands) -----------------------------------------------------


def test_the_system_writes_login_fields_and_a_user_acting_does_not(locked_admin, make_user):
    record_update(instance=Contact.objects.get(pk=locked_admin.pk), values={"failed_attempts": "0"})  # no actor
    assert Contact.objects.get(pk=locked_admin.pk).failed_attempts == 0

    with acting_as(make_user("csm_ws_integration")), pytest.raises(DomainError) as refused:
        record_update(instance=Contact.objects.get(pk=locked_admin.pk), values={"locked_out": "false"})
    assert refused.value.kind == "forbidden"
    assert Contact.objects.get(pk=locked_admin.pk).locked_out is True


def test_the_record_engine_refuses_a_reserved_name_even_to_the_system():
    with pytest.raises(DomainError) as refused:
        record_create(table="customer_contact", values={"user_name": "system"})
    assert refused.value.fields == ["user_name"]
    assert not User.objects.filter(user_name="system").exists()


# --- imports -----------------------------------------------------------------------------------


def _import(path, *args) -> str:
    err = io.StringIO()
    try:
        call_command("import_records", "customer_contact", str(path), *args, stdout=io.StringIO(), stderr=err)
    except CommandError:
        pass
    return err.getvalue()


def test_an_import_acting_as_an_integration_obeys_the_field_rights(tmp_path, make_user, locked_admin):
    make_user("csm_ws_integration", user_name="data.loader")
    plain = no_login(ContactFactory(city="Paris"))
    before = stored(locked_admin), stored(plain)
    path = tmp_path / "contacts.jsonl"
    path.write_text(
        json.dumps({"sys_id": locked_admin.pk, "locked_out": "false"})
        + "\n"
        + json.dumps({"sys_id": plain.pk, "failed_attempts": "9"})
        + "\n"
    )

    err = _import(path, "--upsert", "--as-user", "data.loader")

    assert "line 1" in err and "line 2, failed_attempts" in err
    assert (stored(locked_admin), stored(plain)) == before
    # The system (no --as-user) administers logins.
    _import(path, "--upsert")
    assert stored(locked_admin)[0] is False and stored(plain)[2] == 9


def test_an_import_refuses_a_reserved_user_name(tmp_path):
    path = tmp_path / "contacts.csv"
    path.write_text("user_name,city\nSystem,Rome\n")

    err = _import(path)

    assert "line 2, user_name" in err
    assert not User.objects.filter(user_name__iexact="system").exists()
