"""Each domain rule of docs/domain-rules.md driven through every door that writes the record (its
own API, the Table API, the admin, an import) with the same result: one write path, one rule."""

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from contacts.models import Contact
from interactions.models import Interaction, InteractionConnector, Queue
from leads.models import Lead

pytestmark = pytest.mark.django_db

CONTACTS = "/api/now/table/customer_contact"
INTERACTIONS = "/api/now/table/interaction"
LEADS = "/api/now/table/sn_lead_mgmt_core_lead"
CLOSED_LEAD = "500_closed_lost"


@pytest.fixture
def staff(make_user):
    return make_user(user_name="door.staff", is_staff=True, is_superuser=True)


@pytest.fixture
def browser(staff) -> Client:
    client = Client()
    client.force_login(staff)
    return client


def load(table: str, path: Path, *options: str) -> None:
    call_command("import_records", table, str(path), *options, stdout=io.StringIO(), stderr=io.StringIO())


def failing_load(table: str, path: Path) -> str:
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was written"):
        call_command("import_records", table, str(path), stdout=io.StringIO(), stderr=err)
    return err.getvalue()


def contact_form(**fields) -> dict:
    return {"active": "on", "notification": "2", "calendar_integration": "1", "social_profiles-TOTAL_FORMS": "0",
            "social_profiles-INITIAL_FORMS": "0", **fields}  # fmt: skip


# --- a contact without a user name gets its sys_id (ContactRules.clean) --------------------------


def test_a_contact_without_a_user_name_is_named_by_its_sys_id_through_every_door(
    contact_integration_client, admin_client_api, browser, tmp_path
):
    own = contact_integration_client.post("/api/now/contact", {"first_name": "Own"}, format="json")
    table = admin_client_api.post(CONTACTS, {"first_name": "Table"}, format="json")
    path = tmp_path / "contacts.csv"
    path.write_text("first_name\nImported\n")
    load("customer_contact", path)
    # The admin's form asks staff for a user name: that door never leaves it empty.
    admin = browser.post(reverse("admin:contacts_contact_add"), contact_form(first_name="Admin", user_name=""))

    assert (own.status_code, table.status_code) == (201, 201)
    assert admin.status_code == 200 and "This field is required." in admin.text
    contacts = Contact.objects.filter(first_name__in=["Own", "Table", "Admin", "Imported"])
    assert sorted(contact.first_name for contact in contacts) == ["Imported", "Own", "Table"]
    assert all(contact.user_name == contact.sys_id for contact in contacts)
    assert not any(contact.has_usable_password() for contact in contacts)


# --- a referenced record must exist (field_rules.check_rows) -------------------------------------


def test_a_reference_to_no_record_is_refused_through_every_door(
    contact_integration_client, admin_client_api, browser, tmp_path
):
    ghost = "0" * 32
    own = contact_integration_client.post("/api/now/contact", {"user_name": "own", "account": ghost}, format="json")
    table = admin_client_api.post(CONTACTS, {"user_name": "table", "account": ghost}, format="json")
    admin = browser.post(reverse("admin:contacts_contact_add"), contact_form(user_name="admin", account=ghost))
    path = tmp_path / "contacts.csv"
    path.write_text(f"user_name,account\nimported,{ghost}\n")
    report = failing_load("customer_contact", path)

    message = f"No customer_account record with sys_id {ghost!r}"
    assert own.status_code == 400 and message in own.json()["error"]["detail"]
    assert table.status_code == 400 and message in table.json()["error"]["detail"]
    assert admin.status_code == 200  # the form again, with the error
    assert f"line 2, account: {message}" in report
    assert not Contact.objects.filter(user_name__in=["own", "table", "admin", "imported"]).exists()


# --- mandatory fields (TableRules.missing / missing_values) --------------------------------------


def test_a_lead_without_its_mandatory_last_name_is_refused_through_every_door(
    lead_integrator_client, admin_client_api, browser, tmp_path
):
    own = lead_integrator_client.post("/api/sn_lead_mgmt_core/lead", {"first_name": "Own"}, format="json")
    table = admin_client_api.post(LEADS, {"first_name": "Table"}, format="json")
    admin = browser.post(reverse("admin:leads_lead_add"), {"first_name": "Admin", "stage": "100_new",
                         "line_items-TOTAL_FORMS": "0", "line_items-INITIAL_FORMS": "0"})  # fmt: skip
    path = tmp_path / "leads.csv"
    path.write_text("first_name\nImported\n")
    report = failing_load(Lead.sys_table, path)

    assert own.status_code == 400 and "last_name" in str(own.json()["error"]["detail"])
    assert table.status_code == 400 and "last_name: Mandatory field" in table.json()["error"]["detail"]
    assert admin.status_code == 200
    assert "line 2, last_name: Mandatory field" in report
    assert not Lead.objects.exists()


# --- closing a lead stamps its closed date (leads.services.lead_stamp_closing) -------------------


def test_closing_a_lead_stamps_its_closed_date_through_every_door(
    lead_integrator_client, admin_client_api, browser, tmp_path
):
    own, table, admin, imported = (Lead.objects.create(last_name=name, stage="100_new")
                                   for name in ("Own", "Table", "Admin", "Imported"))  # fmt: skip

    responses = [
        lead_integrator_client.patch(f"/api/sn_lead_mgmt_core/lead/{own.pk}", {"stage": CLOSED_LEAD}, format="json"),
        admin_client_api.patch(f"{LEADS}/{table.pk}", {"stage": CLOSED_LEAD}, format="json"),
        browser.post(reverse("admin:leads_lead_change", args=[admin.pk]), {"last_name": "Admin", "stage": CLOSED_LEAD,
                     "line_items-TOTAL_FORMS": "0", "line_items-INITIAL_FORMS": "0"}),
    ]  # fmt: skip
    path = tmp_path / "leads.csv"
    path.write_text(f"sys_id,stage\n{imported.pk},{CLOSED_LEAD}\n")
    load(Lead.sys_table, path, "--upsert")

    assert [response.status_code for response in responses] == [200, 200, 302]
    for lead in (own, table, admin, imported):
        lead.refresh_from_db()
        assert (lead.last_name, lead.stage, lead.closed_date is not None) == (lead.last_name, CLOSED_LEAD, True)


# --- an interaction with a queue is queued (InteractionRules.clean) ------------------------------


def test_an_interaction_with_a_queue_is_queued_through_every_door(
    interaction_agent_client, admin_client_api, browser, tmp_path
):
    channel = InteractionConnector.objects.create(name="Chat")
    queue = Queue.objects.create(name="Billing", phone_number="+1 555 0100")
    body = {"channel": channel.sys_id, "queue": queue.sys_id}

    own = interaction_agent_client.post("/api/now/interaction", body, format="json")
    table = admin_client_api.post(INTERACTIONS, {**body, "short_description": "table"}, format="json")
    admin = browser.post(reverse("admin:interactions_interaction_add"), {**body, "type": "chat",
                         "short_description": "admin"})  # fmt: skip
    path = tmp_path / "interactions.csv"
    path.write_text(f"channel,queue,short_description\n{channel.sys_id},{queue.sys_id},imported\n")
    load(Interaction.sys_table, path)

    assert (own.status_code, table.status_code, admin.status_code) == (201, 201, 302)
    assert Interaction.objects.count() == 4
    assert set(Interaction.objects.values_list("state", flat=True)) == {"queued"}


# --- closing an interaction stamps closed_at and closed_by (interaction_stamp_closing) -----------


def test_closing_an_interaction_stamps_when_and_who_through_every_door(
    interaction_agent_client, admin_client_api, browser, staff, tmp_path
):
    channel = InteractionConnector.objects.create(name="Chat")
    own, table, admin, imported = (Interaction.objects.create(channel=channel, short_description=name)
                                   for name in ("own", "table", "admin", "imported"))  # fmt: skip

    responses = [
        interaction_agent_client.post(f"/api/now/interaction/{own.pk}/close"),
        admin_client_api.patch(f"{INTERACTIONS}/{table.pk}", {"state": "closed_complete"}, format="json"),
        browser.post(reverse("admin:interactions_interaction_changelist"),
                     {"action": "close_interactions", "_selected_action": [admin.pk]}),
    ]  # fmt: skip
    path = tmp_path / "interactions.csv"
    path.write_text(f"sys_id,state\n{imported.pk},closed_complete\n")
    load(Interaction.sys_table, path, "--upsert")

    assert [response.status_code for response in responses] == [200, 200, 302]
    closers = {
        own.pk: interaction_agent_client.user,
        table.pk: admin_client_api.user,
        admin.pk: staff,
        imported.pk: None,
    }  # fmt: skip  (an import acts as the system)
    for interaction in Interaction.objects.filter(pk__in=closers):
        assert interaction.state == "closed_complete" and interaction.closed_at is not None
        assert interaction.closed_by == closers[interaction.pk]


# --- a value written again is no change (TableRules.apply / same_value) --------------------------


def test_writing_the_same_values_again_changes_nothing_through_every_door(
    lead_integrator_client, admin_client_api, browser, tmp_path
):
    lead = Lead.objects.create(last_name="Same", city="Paris", stage="100_new")

    responses = [
        lead_integrator_client.patch(f"/api/sn_lead_mgmt_core/lead/{lead.pk}", {"city": "Paris"}, format="json"),
        admin_client_api.patch(f"{LEADS}/{lead.pk}", {"city": "Paris", "last_name": "Same"}, format="json"),
        browser.post(reverse("admin:leads_lead_change", args=[lead.pk]), {"last_name": "Same", "city": "Paris",
                     "stage": "100_new", "line_items-TOTAL_FORMS": "0", "line_items-INITIAL_FORMS": "0"}),
    ]  # fmt: skip
    path = tmp_path / "leads.csv"
    path.write_text(f"sys_id,city,last_name\n{lead.pk},Paris,Same\n")
    load(Lead.sys_table, path, "--upsert")

    assert [response.status_code for response in responses] == [200, 200, 302]
    lead.refresh_from_db()
    assert (lead.city, lead.sys_mod_count) == ("Paris", 0)
