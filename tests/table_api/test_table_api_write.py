"""Table API writes: POST 201, PUT/PATCH 200 (partial), DELETE 204, each through the domain layer,
answering the stored record in the read shape; refused writes leave nothing behind."""

import pytest

from contacts.models import Account, Contact
from csm_project.core.models import JournalEntry, User
from csm_project.core.records.choices import choices_ensure
from interactions.models import Interaction, InteractionConnector
from leads.demo import CHOICES
from leads.models import LEAD_TABLE, Lead, LeadLineItem, ProductOffering
from tests.contacts.factories_contacts import AccountFactory, ContactFactory

CONTACTS = "/api/now/table/customer_contact"
ACCOUNTS = "/api/now/table/customer_account"
LEADS = "/api/now/table/sn_lead_mgmt_core_lead"


@pytest.fixture
def contacts_client(client_for):
    return client_for("csm_ws_integration")


@pytest.fixture
def leads_client(client_for):
    for element, values in CHOICES.items():
        choices_ensure(table=LEAD_TABLE, element=element, values=values)
    return client_for("sn_lead_mgmt_core.lead_integrator")


def test_post_creates_a_record_and_answers_it_in_the_read_shape(contacts_client):
    acme = AccountFactory(name="Acme")

    response = contacts_client.post(
        CONTACTS,
        {"first_name": "Ann", "last_name": "Archer", "user_name": "ann.archer", "account": acme.sys_id, "vip": "true",
         "sys_created_by": "mallory", "no_such_field": "x"},
        format="json",
    )  # fmt: skip

    assert response.status_code == 201
    result = response.json()["result"]
    contact = Contact.objects.get(user_name="ann.archer")
    assert result["sys_id"] == contact.sys_id
    assert result["name"] == "Ann Archer" and contact.name == "Ann Archer"
    assert result["vip"] == "true" and result["sys_mod_count"] == "0"
    assert result["sys_created_by"] == contacts_client.user.user_name
    assert result["account"] == {"link": f"http://testserver{ACCOUNTS}/{acme.sys_id}", "value": acme.sys_id}
    assert response["Location"] == f"http://testserver{CONTACTS}/{contact.sys_id}"


def test_post_answers_with_the_requested_display_values_and_fields(contacts_client):
    acme = AccountFactory(name="Acme")

    response = contacts_client.post(
        f"{CONTACTS}?sysparm_display_value=true&sysparm_fields=user_name,account",
        {"user_name": "bo", "last_name": "Bo", "account": acme.sys_id},
        format="json",
    )

    assert response.json() == {"result": {"user_name": "bo", "account": {
        "display_value": "Acme", "link": f"http://testserver{ACCOUNTS}/{acme.sys_id}"}}}  # fmt: skip


def test_a_json_array_body_writes_its_first_element_only(contacts_client):
    response = contacts_client.post(ACCOUNTS, [{"name": "First"}, {"name": "Second"}], format="json")

    assert response.status_code == 201 and response.json()["result"]["name"] == "First"
    assert list(Account.objects.values_list("name", flat=True)) == ["First"]


def test_an_xml_body_is_read_and_xml_is_answered(contacts_client):
    response = contacts_client.post(
        ACCOUNTS,
        data="<request><entry><name>Xml Corp</name><city>Oslo</city></entry></request>",
        content_type="application/xml",
        HTTP_ACCEPT="application/xml",
    )

    assert response.status_code == 201
    assert "<name>Xml Corp</name>" in response.content.decode() and "<city>Oslo</city>" in response.content.decode()
    assert Account.objects.get(name="Xml Corp").city == "Oslo"


@pytest.mark.parametrize("body", ['"just text"', "[1]", "{not json", "[]"])
def test_a_body_that_is_not_a_record_is_a_400_and_writes_nothing(contacts_client, body):
    response = contacts_client.post(ACCOUNTS, data=body, content_type="application/json")

    if body == "[]":  # an empty array has no first element: an empty record, refused as such
        assert response.status_code == 400 and "name" in str(response.json()["error"])
    else:
        assert response.status_code == 400 and response.json()["error"]["message"] == "Exception while reading request"
    assert not Account.objects.exists()


def test_a_value_outside_the_choice_list_is_a_400_naming_the_field(leads_client):
    response = leads_client.post(LEADS, {"last_name": "Wilson", "stage": "999_bogus"}, format="json")

    assert response.status_code == 400
    assert response.json()["status"] == "failure" and "stage" in response.json()["error"]["detail"]
    assert not Lead.objects.exists()


def test_a_missing_mandatory_field_is_a_400_and_writes_nothing(leads_client):
    response = leads_client.post(LEADS, {"first_name": "Nolast"}, format="json")

    assert response.status_code == 400 and "last_name" in response.json()["error"]["detail"]
    assert not Lead.objects.exists()


def test_a_reference_to_a_missing_record_is_refused(leads_client):
    response = leads_client.post(LEADS, {"last_name": "Wilson", "account": "0" * 32}, format="json")

    assert response.status_code == 400 and "account" in response.json()["error"]["detail"]
    assert not Lead.objects.exists()


def test_input_display_value_reads_choice_labels_and_reference_names(leads_client):
    acme = AccountFactory(name="Acme")

    response = leads_client.post(
        f"{LEADS}?sysparm_input_display_value=true",
        {"last_name": "Wilson", "stage": "Nurturing", "account": "Acme"},
        format="json",
    )

    assert response.status_code == 201
    lead = Lead.objects.get()
    assert lead.stage == "300_nurturing" and lead.account_id == acme.sys_id
    assert lead.number.startswith("LEAD") and response.json()["result"]["number"] == lead.number


@pytest.mark.parametrize("method", ["patch", "put"])
def test_put_and_patch_change_only_the_fields_sent(contacts_client, method):
    contact = ContactFactory(first_name="Ann", last_name="Archer", city="Paris", title="Boss")

    response = getattr(contacts_client, method)(
        f"{CONTACTS}/{contact.sys_id}", {"city": "Lyon", "title": "", "sys_mod_count": "99"}, format="json"
    )

    assert response.status_code == 200
    result = response.json()["result"]
    contact.refresh_from_db()
    assert (contact.city, contact.title, contact.first_name) == ("Lyon", None, "Ann")
    assert result["city"] == "Lyon" and result["title"] == "" and result["first_name"] == "Ann"
    assert result["sys_mod_count"] == "1" == str(contact.sys_mod_count)


def test_a_refused_update_changes_nothing(leads_client):
    lead = Lead.objects.create(last_name="Wilson", stage="100_new", city="Paris")

    response = leads_client.patch(f"{LEADS}/{lead.sys_id}", {"city": "Lyon", "stage": "nope"}, format="json")

    assert response.status_code == 400
    lead.refresh_from_db()
    assert lead.city == "Paris" and lead.sys_mod_count == 0


def test_update_of_a_missing_record_is_a_404(contacts_client):
    response = contacts_client.patch(f"{CONTACTS}/{'0' * 32}", {"city": "Lyon"}, format="json")

    assert response.status_code == 404 and response.json()["error"]["message"] == "No Record found"


def test_delete_answers_204_without_a_body_and_deletes_what_the_record_owns(leads_client):
    lead = Lead.objects.create(last_name="Wilson")
    offering = ProductOffering.objects.create(name="Modem", code="MODEM1")
    LeadLineItem.objects.create(lead=lead, product_offering=offering)

    response = leads_client.delete(f"{LEADS}/{lead.sys_id}")

    assert response.status_code == 204 and response.content == b""
    assert not Lead.objects.exists() and not LeadLineItem.objects.exists()
    assert leads_client.get(f"{LEADS}/{lead.sys_id}").status_code == 404


def test_deleting_a_protected_record_is_a_403_saying_why(client_for):
    channel = InteractionConnector.objects.create(name="Chat")
    Interaction.objects.create(channel=channel)
    admin = client_for("admin")

    response = admin.delete(f"/api/now/table/interaction_connector/{channel.sys_id}")

    assert response.status_code == 403
    assert "interaction" in response.json()["error"]["message"]
    assert InteractionConnector.objects.filter(pk=channel.pk).exists()


def test_interaction_rules_hold_through_the_table_api(client_for):
    channel = InteractionConnector.objects.create(name="Chat")
    agent = client_for("interaction_agent")
    someone_else = client_for().user

    created = agent.post("/api/now/table/interaction", {"channel": channel.sys_id, "opened_by": someone_else.sys_id,
                                                        "short_description": "Printer"}, format="json")  # fmt: skip
    sys_id = created.json()["result"]["sys_id"]
    noted = agent.patch(f"/api/now/table/interaction/{sys_id}", {"work_notes": "Called back"}, format="json")

    assert created.status_code == 201, created.json()
    interaction = Interaction.objects.get(pk=sys_id)
    assert interaction.opened_by_id == agent.user.sys_id
    assert interaction.number.startswith("IMS")
    assert noted.status_code == 200
    assert JournalEntry.objects.filter(name="interaction", element_id=sys_id, value="Called back").exists()


def test_passwords_cannot_be_written(client_for):
    admin = client_for("admin")

    response = admin.post("/api/now/table/sys_user", {"user_name": "eve", "password": "s3cret-pass"}, format="json")

    assert response.status_code == 201 and "password" not in response.json()["result"]
    assert not User.objects.get(user_name="eve").check_password("s3cret-pass")
