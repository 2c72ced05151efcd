"""Staff admin of the CSM records: find contacts, add them through the create service, read work notes."""

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from contacts.models import Account, Consumer, Contact, Location, SocialChannel, SocialProfile
from csm_project.api.authentication import verified_credentials
from csm_project.core.access.actor import acting_as
from csm_project.core.models import JournalEntry, Role
from csm_project.core.records.journal import journal_add
from tests.conftest import basic_auth
from tests.contacts.factories_contacts import AccountFactory, ContactFactory, SocialChannelFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:contacts_contact_changelist"


@pytest.fixture
def staff(make_user):
    return make_user(user_name="staff.admin", first_name="Stan", last_name="Staff", is_staff=True, is_superuser=True)


@pytest.fixture
def browser(staff) -> Client:
    client = Client()
    client.force_login(staff)
    return client


@pytest.mark.parametrize("term", ["Zelda", "zelda.quartz@example.com", "zq.login", "Quartz Mining"])
def test_contacts_are_found_by_name_email_user_name_or_account(browser, term):
    wanted = ContactFactory(
        first_name="Zelda",
        last_name="Quartz",
        user_name="zq.login",
        email="zelda.quartz@example.com",
        account=AccountFactory(name="Quartz Mining"),
    )
    other = ContactFactory(first_name="Otto", last_name="Other", user_name="otto")

    response = browser.get(reverse(CHANGELIST), {"q": term})

    assert response.status_code == 200
    assert wanted.user_name in response.text and other.user_name not in response.text


def test_contacts_are_filtered_by_account_and_vip(browser):
    account = AccountFactory(name="Filtered Inc")
    vip = ContactFactory(account=account, vip=True, user_name="very.important")
    plain = ContactFactory(user_name="plain.contact")

    by_account = browser.get(reverse(CHANGELIST), {"account__sys_id__exact": account.sys_id})
    by_vip = browser.get(reverse(CHANGELIST), {"vip__exact": "1"})

    assert vip.user_name in by_account.text and plain.user_name not in by_account.text
    assert vip.user_name in by_vip.text and plain.user_name not in by_vip.text


def test_changelist_query_count_does_not_grow_with_rows(browser, django_assert_max_num_queries):
    account = AccountFactory()
    for _ in range(30):
        ContactFactory(account=account)
    with django_assert_max_num_queries(12):
        assert browser.get(reverse(CHANGELIST)).status_code == 200


def test_adding_a_contact_goes_through_the_create_service(browser, staff):
    account = AccountFactory()
    response = browser.post(
        reverse("admin:contacts_contact_add"),
        {
            "user_name": "added.in.admin",
            "first_name": "Ada",
            "last_name": "Admin",
            "account": account.sys_id,
            "active": "on",
            "notification": "2",
            "calendar_integration": "1",
            "work_note": "Met at the fair",
            "social_profiles-TOTAL_FORMS": "0",
            "social_profiles-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 302, response.context["errors"] if response.context else response
    contact = Contact.objects.get(user_name="added.in.admin")
    assert (contact.name, contact.account_id, contact.sys_created_by) == ("Ada Admin", account.sys_id, "staff.admin")
    assert not contact.has_usable_password()
    note = JournalEntry.objects.get(element_id=contact.sys_id)
    assert (note.name, note.value, note.author_id) == ("customer_contact", "Met at the fair", staff.sys_id)


def test_adding_a_taken_user_name_in_another_case_is_refused(browser):
    ContactFactory(user_name="taken.name")
    response = browser.post(
        reverse("admin:contacts_contact_add"),
        {
            "user_name": "Taken.Name",
            "active": "on",
            "social_profiles-TOTAL_FORMS": "0",
            "social_profiles-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 200
    assert "is already taken" in response.text
    assert Contact.objects.count() == 1


def test_change_page_shows_social_profiles_work_notes_and_read_only_system_fields(browser, staff):
    contact = ContactFactory(first_name="Nora")
    SocialProfile.objects.create(
        channel=SocialChannelFactory(name="Mastodon"),
        social_id="@nora",
        profile_url="https://m.social/@nora",
        contact=contact,
        account=contact.account,
    )
    with acting_as(staff):
        journal_add(record=contact, text="Prefers email")

    response = browser.get(reverse("admin:contacts_contact_change", args=[contact.sys_id]))

    assert response.status_code == 200
    assert "@nora" in response.text
    assert "Prefers email" in response.text and "staff.admin" in response.text
    assert 'name="sys_created_on"' not in response.text  # shown, never an input
    assert 'name="password"' not in response.text


@pytest.mark.parametrize("model", [Account, Consumer, Location, SocialChannel, SocialProfile, Contact])
def test_every_crm_admin_lists_and_searches(browser, model):
    url = reverse(f"admin:contacts_{model._meta.model_name}_changelist")
    assert browser.get(url).status_code == 200
    assert browser.get(url, {"q": "anything"}).status_code == 200


def change_form_data(contact: Contact, **changes) -> dict:
    data = {
        "user_name": contact.user_name,
        "first_name": contact.first_name or "",
        "last_name": contact.last_name or "",
        "active": "on",
        "notification": "2",
        "calendar_integration": "1",
        "social_profiles-TOTAL_FORMS": "0",
        "social_profiles-INITIAL_FORMS": "0",
    }
    data.update(changes)
    return data


def test_staff_give_a_contact_a_login_and_can_take_it_away(browser):
    contact = ContactFactory(user_name="gets.login")
    contact.set_unusable_password()
    contact.save()
    role = Role.objects.get(name="csm_ws_integration")
    url = reverse("admin:contacts_contact_change", args=[contact.sys_id])
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=basic_auth("gets.login", "given-pass-1"))
    assert api.get("/api/now/contact").status_code == 401

    given = browser.post(url, change_form_data(contact, new_password="given-pass-1", roles=[role.sys_id]))

    assert given.status_code == 302
    assert api.get("/api/now/contact").status_code == 200
    assert api.get(f"/api/now/contact/{contact.sys_id}").json()["result"]["roles"] == "csm_ws_integration"

    removed = browser.post(url, change_form_data(contact, remove_login="on", roles=[role.sys_id]))

    assert removed.status_code == 302
    # The credentials are in this process's verification cache from the calls above: taking the
    # login away must still refuse them at once.
    assert verified_credentials.get(verified_credentials.key("gets.login", "given-pass-1")) is not None
    assert api.get("/api/now/contact").status_code == 401


def test_a_login_given_on_add_works(browser):
    role = Role.objects.get(name="csm_ws_integration")
    response = browser.post(
        reverse("admin:contacts_contact_add"),
        {
            "user_name": "born.with.login",
            "first_name": "Bo",
            "active": "on",
            "notification": "2",
            "calendar_integration": "1",
            "new_password": "born-pass-1",
            "roles": [role.sys_id],
            "social_profiles-TOTAL_FORMS": "0",
            "social_profiles-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 302
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=basic_auth("born.with.login", "born-pass-1"))
    assert api.get("/api/now/contact").status_code == 200
