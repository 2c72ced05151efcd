"""Who may use the Contact API: role ``csm_ws_integration`` (or admin) for every method (docs/platform.md)."""

import pytest

from contacts.models import Contact
from tests.contacts.factories_contacts import ContactFactory

pytestmark = pytest.mark.django_db

ENVELOPE_401 = {
    "error": {"message": "User Not Authenticated", "detail": "Required to provide Auth information"},
    "status": "failure",
}


@pytest.fixture
def contact(db) -> Contact:
    return ContactFactory()


def send(client, method: str, contact: Contact, version: str = ""):
    base = f"/api/now/{version}contact"
    if method == "list":
        return client.get(base)
    if method == "detail":
        return client.get(f"{base}/{contact.sys_id}")
    return client.post(base, {"user_name": "intruder", "first_name": "In"}, format="json")


METHODS = ["list", "detail", "post"]


@pytest.mark.parametrize("version", ["", "v1/"])
@pytest.mark.parametrize("method", METHODS)
def test_without_credentials_is_401_with_basic_challenge(anonymous_client, contact, method, version):
    response = send(anonymous_client, method, contact, version)

    assert response.status_code == 401
    assert response.json() == ENVELOPE_401
    assert response["WWW-Authenticate"].startswith('Basic realm="')
    assert not Contact.objects.filter(user_name="intruder").exists()


@pytest.mark.parametrize("roles", [(), ("interaction_agent", "contact_center_admin")])
@pytest.mark.parametrize("method", METHODS)
def test_without_the_role_is_403(client_for, contact, method, roles):
    response = send(client_for(*roles), method, contact)

    assert response.status_code == 403
    action = "create" if method == "post" else "query"
    assert response.json() == {
        "error": {"message": f"Insufficient rights to {action} records", "detail": None},
        "status": "failure",
    }
    assert not Contact.objects.filter(user_name="intruder").exists()


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("holder", ["contact_integration_client", "admin_client_api"])
def test_role_holder_and_admin_may_use_every_method(request, contact, method, holder):
    response = send(request.getfixturevalue(holder), method, contact)
    assert response.status_code == (201 if method == "post" else 200)


@pytest.mark.parametrize("method", ["put", "patch", "delete", "options"])
def test_unsupported_methods_are_405_envelopes(contact_integration_client, contact, method):
    response = getattr(contact_integration_client, method)(f"/api/now/contact/{contact.sys_id}", {}, format="json")
    assert response.status_code == 405
    assert response.json()["status"] == "failure"
    assert Contact.objects.filter(pk=contact.pk).exists()


def test_options_on_the_list_is_a_405_envelope(contact_integration_client):
    response = contact_integration_client.options("/api/now/contact")
    assert response.status_code == 405
    assert response.json()["error"]["message"] == "Method not Supported"
