"""Staff edit Custom contacts in the admin through the same services as the API."""

import pytest
from django.test import Client

from contacts.models import CustomContact


@pytest.fixture
def staff(make_user) -> Client:
    client = Client()
    client.force_login(make_user(user_name="staff.root", is_staff=True, is_superuser=True))
    return client


@pytest.mark.django_db
def test_admin_adds_changes_and_deletes_a_custom_contact(staff):
    response = staff.post("/admin/contacts/customcontact/add/", {"name": "  Lobby  ", "phone_number": "+1 2"})
    assert response.status_code == 302
    contact = CustomContact.objects.get()
    assert (contact.name, contact.phone_number, contact.sys_created_by) == ("Lobby", "+1 2", "staff.root")

    change = f"/admin/contacts/customcontact/{contact.sys_id}/change/"
    response = staff.post(change, {"name": "Lobby 2", "phone_number": ""})
    assert response.status_code == 302
    contact.refresh_from_db()
    assert (contact.name, contact.phone_number, contact.sys_mod_count) == ("Lobby 2", None, 1)

    response = staff.post(f"/admin/contacts/customcontact/{contact.sys_id}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not CustomContact.objects.exists()


@pytest.mark.django_db
def test_admin_lists_custom_contacts(staff):
    CustomContact.objects.create(name="Front Desk")

    response = staff.get("/admin/contacts/customcontact/")

    assert response.status_code == 200
    assert b"Front Desk" in response.content
