"""Eight writers at once through every API, on SQLite (the default) and on PostgreSQL alike.

Each test releases 8 threads together (``run_together``), each with its own database
connection, and checks afterwards, in the database, that every write landed exactly once:
no 5xx answer, no lost row, no duplicated row or number, no lost update.
"""

import pytest
from rest_framework.test import APIClient

from contacts.models import Contact, CustomContact
from csm_project.core.models import JournalEntry
from interactions.models import Interaction, InteractionConnector, InteractionJsonBlob, Queue
from leads.models import Lead, LeadLineItem, ProductOffering
from tests.concurrency import run_together
from tests.conftest import basic_auth

WRITERS = 8
EACH = 3  # requests per writer for the creates

pytestmark = pytest.mark.django_db(transaction=True)


def client_of(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=basic_auth(user.user_name))
    return client


def assert_no_server_error(statuses: list[int]) -> None:
    assert [status for status in statuses if status >= 500] == []


def flat(batches: list[list]) -> list:
    return [item for batch in batches for item in batch]


def test_contact_creates_all_land(make_user):
    user = make_user("csm_ws_integration")

    def writer(index: int) -> list[int]:
        client = client_of(user)
        return [
            client.post(
                "/api/now/contact", {"user_name": f"w{index}.n{n}", "last_name": "Race"}, format="json"
            ).status_code
            for n in range(EACH)
        ]

    statuses = flat(run_together(writer, WRITERS))

    assert statuses == [201] * (WRITERS * EACH)
    names = list(Contact.objects.filter(last_name="Race").values_list("user_name", flat=True))
    assert sorted(names) == sorted(f"w{i}.n{n}" for i in range(WRITERS) for n in range(EACH))


def test_same_user_name_race_creates_one_contact(make_user):
    user = make_user("csm_ws_integration")

    def writer(index: int) -> int:
        # The same name in a different case per writer: names are unique without case.
        name = "".join(c.upper() if (index >> k) & 1 else c for k, c in enumerate("samename"))
        return (
            client_of(user)
            .post("/api/now/contact", {"user_name": name, "last_name": "Same"}, format="json")
            .status_code
        )

    statuses = run_together(writer, WRITERS)

    assert sorted(statuses) == [201] + [400] * (WRITERS - 1)
    assert Contact.objects.filter(user_name__iexact="samename").count() == 1


def test_interaction_creates_all_land_with_distinct_numbers(make_user):
    agent = make_user("interaction_agent")
    channel = InteractionConnector.objects.create(name="Chat")
    queue = Queue.objects.create(name="Billing")

    def writer(index: int) -> list[int]:
        client = client_of(agent)
        body = {"channel": channel.sys_id, "queue": queue.sys_id, "context": {"writer": index}}
        return [client.post("/api/now/interaction", body, format="json").status_code for _ in range(EACH)]

    statuses = flat(run_together(writer, WRITERS))

    assert statuses == [201] * (WRITERS * EACH)
    numbers = list(Interaction.objects.values_list("number", flat=True))
    assert len(numbers) == len(set(numbers)) == WRITERS * EACH
    assert InteractionJsonBlob.objects.count() == WRITERS * EACH


def test_closes_of_one_interaction_all_answer_and_write_once(make_user):
    agents = [make_user("interaction_agent") for _ in range(WRITERS)]
    channel = InteractionConnector.objects.create(name="Chat")
    interaction = Interaction.objects.create(channel=channel, state="queued")

    def writer(index: int) -> tuple[int, str]:
        response = client_of(agents[index]).post(f"/api/now/interaction/{interaction.sys_id}/close")
        return response.status_code, response.json()["result"]["closed_by"]

    results = run_together(writer, WRITERS)

    assert [status for status, _ in results] == [200] * WRITERS
    stored = Interaction.objects.get(pk=interaction.pk)
    assert stored.state == "closed_complete"
    assert stored.sys_mod_count == 1
    assert {closer for _, closer in results} == {stored.closed_by_id}


@pytest.fixture
def offering(db):
    return ProductOffering.objects.create(name="Modem", code="MODEM1")  # choice lists come with the migrations


def test_lead_creates_all_land_with_distinct_numbers(make_user, offering):
    user = make_user("sn_lead_mgmt_core.lead_integrator")

    def writer(index: int) -> list[int]:
        client = client_of(user)
        body = {"last_name": f"Writer{index}", "lead_line_items": [{"product_offering": {"sys_id": offering.pk}}]}
        return [client.post("/api/sn_lead_mgmt_core/lead", body, format="json").status_code for _ in range(EACH)]

    statuses = flat(run_together(writer, WRITERS))

    assert statuses == [201] * (WRITERS * EACH)
    numbers = list(Lead.objects.values_list("number", flat=True))
    items = list(LeadLineItem.objects.values_list("number", flat=True))
    assert len(numbers) == len(set(numbers)) == WRITERS * EACH
    assert len(items) == len(set(items)) == WRITERS * EACH


def test_patches_of_one_lead_all_land(make_user, offering):
    user = make_user("sn_lead_mgmt_core.lead_integrator")
    lead = Lead.objects.create(last_name="Shared")

    def writer(index: int) -> int:
        body = {"city": f"City {index}", "work_notes": [{"text": f"note {index}"}]}
        return client_of(user).patch(f"/api/sn_lead_mgmt_core/lead/{lead.pk}", body, format="json").status_code

    statuses = run_together(writer, WRITERS)

    assert statuses == [200] * WRITERS
    stored = Lead.objects.get(pk=lead.pk)
    assert stored.sys_mod_count == WRITERS  # every update counted: none lost
    assert stored.city in {f"City {i}" for i in range(WRITERS)}
    notes = set(JournalEntry.objects.filter(element_id=lead.pk).values_list("value", flat=True))
    assert notes == {f"note {i}" for i in range(WRITERS)}


def test_directory_creates_all_land(make_user):
    admin = make_user("contact_center_admin")

    def writer(index: int) -> list[tuple[int, str]]:
        client = client_of(admin)
        answers = []
        for n in range(EACH):
            response = client.post("/api/v2/contacts", {"name": f"Desk {index}.{n}"}, format="json")
            answers.append((response.status_code, response.json().get("id")))
        return answers

    answers = flat(run_together(writer, WRITERS))

    assert_no_server_error([status for status, _ in answers])
    assert [status for status, _ in answers] == [200] * (WRITERS * EACH)
    stored = dict(CustomContact.objects.values_list("sys_id", "name"))
    assert set(stored) == {contact_id for _, contact_id in answers}
    assert sorted(stored.values()) == sorted(f"Desk {i}.{n}" for i in range(WRITERS) for n in range(EACH))


def test_puts_of_one_directory_contact_all_land(make_user):
    admin = make_user("contact_center_admin")
    contact = CustomContact.objects.create(name="Front desk")

    def writer(index: int) -> int:
        body = {"name": f"Desk {index}", "phoneNumber": f"555-000{index}"}
        return client_of(admin).put(f"/api/v2/contacts/{contact.sys_id}", body, format="json").status_code

    statuses = run_together(writer, WRITERS)

    assert statuses == [200] * WRITERS
    stored = CustomContact.objects.get(pk=contact.pk)
    assert stored.sys_mod_count == WRITERS
    assert (stored.name, stored.phone_number) in {(f"Desk {i}", f"555-000{i}") for i in range(WRITERS)}
    assert CustomContact.objects.count() == 1
