"""Staff admin of the interactions app: lists, search, the create and close rules of the
services, work notes."""

import pytest
from django.test import Client
from django.urls import reverse

from csm_project.core.access.actor import acting_as
from csm_project.core.models import JournalEntry
from csm_project.core.records.journal import journal_add
from interactions.models import Interaction, InteractionConnector, InteractionJsonBlob, LiveGroupProfile, Queue
from interactions.services import DocumentSpec, interaction_create


@pytest.fixture
def staff(make_user):
    return make_user(user_name="staff.admin", is_staff=True, is_superuser=True)


@pytest.fixture
def browser(staff) -> Client:
    client = Client()
    client.force_login(staff)
    return client


@pytest.fixture
def channel(db) -> InteractionConnector:
    return InteractionConnector.objects.create(name="Chat")


@pytest.fixture
def queue(db) -> Queue:
    return Queue.objects.create(name="Billing", phone_number="+1 555 0100")


def make_interaction(channel, queue=None, **context) -> Interaction:
    return interaction_create(
        channel=channel.sys_id, queue=queue.sys_id if queue else None, context=DocumentSpec(values=context or None)
    )


def test_changelist_lists_searches_and_filters(browser, channel, queue):
    first = make_interaction(channel, queue)
    second = make_interaction(channel)
    url = reverse("admin:interactions_interaction_changelist")

    listing = browser.get(url)
    found = browser.get(url, {"q": first.number})
    queued = browser.get(url, {"state__exact": "queued"})

    assert listing.status_code == 200
    assert first.number in listing.text and second.number in listing.text
    assert first.number in found.text and second.number not in found.text
    assert first.number in queued.text and second.number not in queued.text


def test_changelist_query_count_does_not_grow_with_rows(browser, channel, queue, django_assert_max_num_queries):
    for _ in range(15):
        make_interaction(channel, queue)
    url = reverse("admin:interactions_interaction_changelist")

    with django_assert_max_num_queries(12):
        assert browser.get(url).status_code == 200


def test_change_page_shows_context_work_notes_and_read_only_system_fields(browser, staff, channel):
    interaction = make_interaction(channel, topic="Refund")
    with acting_as(staff):
        journal_add(record=interaction, text="Called the customer back")

    page = browser.get(reverse("admin:interactions_interaction_change", args=[interaction.sys_id]))

    assert page.status_code == 200
    assert "Called the customer back" in page.text
    assert "Refund" in page.text
    assert 'name="sys_mod_count"' not in page.text
    assert 'name="number"' not in page.text
    assert 'name="state"' not in page.text


def test_adding_in_the_admin_goes_through_the_create_service(browser, staff, channel, queue):
    response = browser.post(
        reverse("admin:interactions_interaction_add"),
        {
            "channel": channel.sys_id,
            "queue": queue.sys_id,
            "type": "phone",
            "short_description": "Walk-in",
            "work_note": "First contact",
        },
    )

    assert response.status_code == 302
    interaction = Interaction.objects.get()
    assert interaction.number.startswith("IMS")
    assert interaction.state == "queued"
    assert interaction.opened_by == staff
    assert interaction.type == "phone"
    assert InteractionJsonBlob.objects.filter(sys_id=interaction.context_document).exists()
    assert LiveGroupProfile.objects.filter(sys_id=interaction.channel_metadata_document).exists()
    note = JournalEntry.objects.get(element_id=interaction.sys_id)
    assert (note.value, note.author) == ("First contact", staff)


def test_inactive_channels_are_not_offered_when_adding(browser, channel):
    retired = InteractionConnector.objects.create(name="Fax", active=False)

    response = browser.post(reverse("admin:interactions_interaction_add"), {"channel": retired.sys_id, "type": "chat"})

    assert response.status_code == 200  # the form again, with an error
    assert Interaction.objects.count() == 0


def test_close_action_uses_the_close_rules(browser, staff, channel, queue):
    open_one = make_interaction(channel, queue)
    already = make_interaction(channel)
    Interaction.objects.filter(pk=already.pk).update(state="closed_abandoned")

    response = browser.post(
        reverse("admin:interactions_interaction_changelist"),
        {
            "action": "close_interactions",
            "_selected_action": [open_one.sys_id, already.sys_id],
        },
    )

    assert response.status_code == 302
    closed = Interaction.objects.get(pk=open_one.pk)
    assert (closed.state, closed.closed_by) == ("closed_complete", staff)
    assert Interaction.objects.get(pk=already.pk).state == "closed_abandoned"


@pytest.mark.parametrize("model", ["interactionconnector", "queue", "interactionjsonblob", "livegroupprofile"])
def test_document_and_directory_admins_list(browser, channel, queue, model):
    make_interaction(channel, queue)

    assert browser.get(reverse(f"admin:interactions_{model}_changelist")).status_code == 200


def test_editing_in_the_admin_updates_fields_and_adds_a_work_note(browser, staff, channel, queue):
    interaction = make_interaction(channel, queue)

    response = browser.post(
        reverse("admin:interactions_interaction_change", args=[interaction.sys_id]),
        {
            "queue": queue.sys_id,
            "type": "email",
            "short_description": "Refund asked",
            "opened_for": "",
            "assigned_to": staff.sys_id,
            "work_note": "Took it",
        },
    )

    assert response.status_code == 302
    stored = Interaction.objects.get(pk=interaction.pk)
    assert (stored.short_description, stored.assigned_to, stored.type) == ("Refund asked", staff, "email")
    assert (stored.state, stored.channel_id, stored.number) == ("queued", channel.sys_id, interaction.number)
    assert stored.sys_mod_count == 1
    assert JournalEntry.objects.get(element_id=interaction.sys_id).value == "Took it"
