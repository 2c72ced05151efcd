"""Staff roles: the three groups a migration seeds, and every admin view, action and link holding
staff to their group's rights (a non-superuser staff member works in the admin within them)."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from csm_project.attachments import services
from csm_project.core.access.staff_roles import ADMINISTRATOR, AGENT, MANAGER, STAFF_GROUPS
from csm_project.core.models import JournalEntry, Role, SysAudit, SystemProperty, User
from csm_project.core.records.journal import journal_add
from interactions.models import Interaction, InteractionConnector
from leads.models import Lead
from tests.contacts.factories_contacts import AccountFactory

pytestmark = pytest.mark.django_db


def staff_in(group: str, make_user, **fields) -> Client:
    user = make_user(is_staff=True, **fields)
    user.groups.add(Group.objects.get(name=group))
    client = Client()
    client.force_login(user)
    client.user = user
    return client


@pytest.fixture
def agent(make_user) -> Client:
    return staff_in(AGENT, make_user, user_name="agent.ann")


@pytest.fixture
def manager(make_user) -> Client:
    return staff_in(MANAGER, make_user, user_name="manager.mo")


@pytest.fixture
def administrator(make_user) -> Client:
    return staff_in(ADMINISTRATOR, make_user, user_name="admin.ada")


@pytest.fixture
def make_lead():
    def make(**fields) -> Lead:
        return Lead.objects.create(**fields)

    return make


def perms(group: str) -> set[str]:
    return {
        f"{p.content_type.app_label}.{p.codename}"
        for p in Group.objects.get(name=group).permissions.select_related("content_type")
    }


def test_the_migrations_seed_the_three_groups_each_holding_more_than_the_one_before():
    assert set(Group.objects.filter(name__in=STAFF_GROUPS).values_list("name", flat=True)) == set(STAFF_GROUPS)
    agent, manager, administrator = perms(AGENT), perms(MANAGER), perms(ADMINISTRATOR)
    assert {"contacts.change_contact", "leads.add_lead", "interactions.change_interaction"} <= agent
    assert {"leads.delete_lead", "contacts.delete_contact", "leads.export_lead", "contacts.export_contact"} <= manager
    assert not {"leads.delete_lead", "leads.export_lead", "core.change_user"} & agent
    assert {"core.change_user", "auth.change_group", "core.change_tableaccess", "core.change_choice"} <= administrator
    assert not {"core.change_user", "auth.change_group", "core.change_systemproperty"} & manager
    assert agent < manager < administrator


def test_an_agent_works_records_but_neither_deletes_nor_exports(agent, make_lead):
    lead = make_lead(last_name="Wilson")
    index = agent.get("/admin/").content.decode()
    assert "/admin/leads/lead/" in index and "/admin/contacts/contact/" in index
    assert "/admin/auth/group/" not in index and "/admin/core/tableaccess/" not in index

    changed = agent.post(
        f"/admin/leads/lead/{lead.pk}/change/",
        {"last_name": "Wilson", "stage": "100_new", "line_items-TOTAL_FORMS": "0", "line_items-INITIAL_FORMS": "0",
         "work_note": "Called, will call back"},
    )  # fmt: skip
    assert changed.status_code == 302
    assert JournalEntry.objects.get(element_id=lead.pk).value == "Called, will call back"

    listing = agent.get("/admin/leads/lead/").content.decode()
    assert "Export filtered as CSV" not in listing and "export_selected_csv" not in listing
    assert "delete_selected" not in listing
    assert agent.get("/admin/leads/lead/export.csv").status_code == 403
    assert agent.get(f"/admin/leads/lead/{lead.pk}/delete/").status_code == 403
    refused = agent.post("/admin/leads/lead/", {"action": "export_selected_csv", "_selected_action": [lead.pk]})
    assert refused["Content-Type"].startswith("text/html")
    assert Lead.objects.filter(pk=lead.pk).exists()


def test_a_manager_deletes_and_exports_but_manages_no_users(manager, make_lead):
    lead = make_lead(last_name="Export")
    listing = manager.get("/admin/leads/lead/").content.decode()
    assert "Export filtered as CSV" in listing
    export = manager.get("/admin/leads/lead/export.csv")
    assert export.status_code == 200 and b"Export" in b"".join(export.streaming_content)
    assert manager.post(f"/admin/leads/lead/{lead.pk}/delete/", {"post": "yes"}).status_code == 302
    assert not Lead.objects.filter(pk=lead.pk).exists()
    assert manager.get("/admin/core/user/add/").status_code == 403
    assert manager.get("/admin/auth/group/").status_code == 403


def test_an_administrator_assigns_staff_roles_but_makes_no_superuser(administrator, make_user):
    clerk = make_user(user_name="new.clerk", is_staff=True)
    page = administrator.get(f"/admin/core/user/{clerk.pk}/change/").content.decode()
    assert 'name="groups"' in page and 'name="user_permissions"' in page
    assert 'name="is_superuser"' not in page  # shown, not editable
    response = administrator.post(
        f"/admin/core/user/{clerk.pk}/change/",
        {"user_name": "new.clerk", "active": "on", "is_staff": "on", "is_superuser": "on",
         "groups": [Group.objects.get(name=AGENT).pk]},
    )  # fmt: skip
    assert response.status_code == 302, response.content[:3000]
    clerk.refresh_from_db()
    assert list(clerk.groups.values_list("name", flat=True)) == [AGENT]
    assert clerk.is_staff and not clerk.is_superuser

    root = make_user(user_name="root", is_staff=True, is_superuser=True)
    assert administrator.get(f"/admin/core/user/{root.pk}/password/").status_code == 403
    assert 'name="user_name"' not in administrator.get(f"/admin/core/user/{root.pk}/change/").content.decode()


def new_user_form(user_name: str) -> dict:
    return {"user_name": user_name, "usable_password": "true", "password1": "fresh-pass-1", "password2": "fresh-pass-1"}


def test_users_added_in_the_admin_go_through_the_record_services(administrator):
    response = administrator.post("/admin/core/user/add/", new_user_form("Fresh.User"))
    assert response.status_code == 302, response.content[:3000]
    user = User.objects.get(user_name="Fresh.User")
    assert user.check_password("fresh-pass-1") and user.sys_created_by == "admin.ada"
    assert SysAudit.objects.filter(documentkey=user.pk, fieldname="user_name", newvalue="Fresh.User").exists()
    taken = administrator.post("/admin/core/user/add/", new_user_form("fresh.user"))
    assert taken.status_code == 200 and "is already taken" in taken.content.decode()


def test_contact_logins_are_given_only_by_those_who_manage_users(agent, administrator):
    from tests.contacts.factories_contacts import ContactFactory

    contact = ContactFactory(user_name="no.login")
    contact.set_unusable_password()
    contact.save()
    page = agent.get(f"/admin/contacts/contact/{contact.pk}/change/").content.decode()
    assert 'name="new_password"' not in page and 'name="roles"' not in page
    assert 'name="new_password"' in administrator.get(f"/admin/contacts/contact/{contact.pk}/change/").content.decode()
    admin_role = Role.objects.get(name="admin")
    agent.post(
        f"/admin/contacts/contact/{contact.pk}/change/",
        {"user_name": "no.login", "active": "on", "notification": "2", "calendar_integration": "1",
         "new_password": "sneaky-pass-1", "roles": [admin_role.pk],
         "social_profiles-TOTAL_FORMS": "0", "social_profiles-INITIAL_FORMS": "0"},
    )  # fmt: skip
    contact.refresh_from_db()
    assert not contact.has_usable_password() and not contact.roles.exists()


def test_trails_show_only_the_records_of_tables_the_staff_member_may_view(agent, administrator):
    account = AccountFactory(name="Visible Ltd")
    prop = SystemProperty.objects.create(name="ops.secret.switch", value="on")
    journal_add(record=account, text="seen by agents")
    journal_add(record=prop, text="not for agents")

    audit = agent.get("/admin/core/sysaudit/").content.decode()
    assert "Visible Ltd" in audit and "ops.secret.switch" not in audit
    assert "ops.secret.switch" in administrator.get("/admin/core/sysaudit/").content.decode()
    journal = agent.get("/admin/core/journalentry/").content.decode()
    assert "seen by agents" in journal and "not for agents" not in journal
    history = agent.get(f"/admin/contacts/account/{account.pk}/change/").content.decode()
    assert 'id="csm-audit-history"' in history and "Audit history</a>" in history


def test_attachments_are_downloaded_by_those_who_may_view_the_record(agent, make_user):
    owner = make_user(is_superuser=True, is_staff=True)
    account = AccountFactory()
    role = Role.objects.create(name="some.role")

    def attach(table, record):
        return services.attachment_add_stream(
            user=owner, table_name=table, table_sys_id=record.pk, file_name="f.txt",
            content_type="text/plain", chunks=iter([b"content"]),
        )  # fmt: skip

    visible, hidden = attach("customer_account", account), attach("sys_user_role", role)
    assert agent.get(reverse("admin:attachments_attachment_download", args=[visible.pk])).status_code == 200
    assert agent.get(reverse("admin:attachments_attachment_download", args=[hidden.pk])).status_code == 403
    listing = agent.get("/admin/attachments/attachment/").content.decode()
    assert visible.pk in listing and hidden.pk not in listing


def test_closing_interactions_needs_the_right_to_change_them(make_user):
    from django.contrib.auth.models import Permission

    viewer = make_user(is_staff=True, user_name="view.only")
    viewer.user_permissions.add(Permission.objects.get(codename="view_interaction"))
    client = Client()
    client.force_login(viewer)
    channel = InteractionConnector.objects.create(name="Chat")
    interaction = Interaction.objects.create(channel=channel, state="new")
    client.post(
        "/admin/interactions/interaction/", {"action": "close_interactions", "_selected_action": [interaction.pk]}
    )
    interaction.refresh_from_db()
    assert interaction.state == "new"
