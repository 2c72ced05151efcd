"""The interactions part of ``seed_demo`` (docs/demo-data.md): the seed's records, generated
interactions that page, idempotence, and the IMS counter left above every used number."""

import io
import re

import pytest
from django.core.management import call_command

from csm_project.core.models import JournalEntry, NumberCounter, User
from csm_project.core.sql.numbers import next_number
from interactions import demo
from interactions.models import Interaction, InteractionConnector, InteractionJsonBlob, LiveGroupProfile, Queue


def seed() -> None:
    call_command("seed_demo", password="demo-pass-1234", stdout=io.StringIO())


def snapshot() -> dict:
    return {
        model.__name__: sorted(model.objects.values_list("sys_id", "sys_mod_count"))
        for model in (Interaction, InteractionConnector, Queue, InteractionJsonBlob, LiveGroupProfile, JournalEntry)
    } | {"counter": NumberCounter.objects.get(prefix="IMS").next_value}


@pytest.mark.django_db
def test_demo_has_the_records_the_seed_examples_name():
    seed()

    assert InteractionConnector.objects.filter(sys_id=demo.CHAT_CHANNEL, active=True).exists()
    queue = Queue.objects.get(sys_id=demo.CHAT_QUEUE)
    assert queue.name and queue.phone_number and queue.active
    example = Interaction.objects.get(sys_id=demo.CLOSE_EXAMPLE)
    assert example.number == "IMS0000060"
    assert example.state == "queued"
    assert (example.channel_id, example.queue_id) == (demo.CHAT_CHANNEL, demo.CHAT_QUEUE)
    assert (example.context_table, example.context_document) == ("interaction_json_blob", demo.CLOSE_EXAMPLE_CONTEXT)
    assert (example.channel_metadata_table, example.channel_metadata_document) == (
        "live_group_profile",
        demo.CLOSE_EXAMPLE_METADATA,
    )
    assert InteractionJsonBlob.objects.filter(sys_id=demo.CLOSE_EXAMPLE_CONTEXT).exists()
    assert LiveGroupProfile.objects.filter(sys_id=demo.CLOSE_EXAMPLE_METADATA).exists()
    beth = User.objects.get(sys_id=demo.BETH_ANGLIN)
    assert example.opened_for == beth
    assert beth.user_name == "beth.anglin"
    assert not beth.has_usable_password()


@pytest.mark.django_db
def test_demo_generates_numbered_interactions_with_their_documents():
    seed()

    generated = Interaction.objects.exclude(sys_id=demo.CLOSE_EXAMPLE)
    assert generated.count() == demo.GENERATED
    numbers = list(Interaction.objects.values_list("number", flat=True))
    assert len(set(numbers)) == len(numbers)
    assert all(re.fullmatch(r"IMS\d{7}", n) for n in numbers)
    assert set(generated.values_list("context_document", flat=True)) <= set(
        InteractionJsonBlob.objects.values_list("sys_id", flat=True)
    )
    assert set(generated.values_list("channel_metadata_document", flat=True)) <= set(
        LiveGroupProfile.objects.values_list("sys_id", flat=True)
    )
    assert set(generated.values_list("state", flat=True)) >= {"new", "queued", "closed_complete"}
    closed = generated.filter(state="closed_complete")
    assert not closed.filter(closed_at__isnull=True).exists()
    assert JournalEntry.objects.filter(name="interaction").exists()


@pytest.mark.django_db
def test_running_the_demo_twice_changes_nothing():
    seed()
    before = snapshot()

    seed()

    assert snapshot() == before


@pytest.mark.django_db
def test_counter_is_left_above_the_highest_number():
    seed()
    highest = max(int(n[3:]) for n in Interaction.objects.values_list("number", flat=True))

    assert int(next_number("IMS", table="interaction")[3:]) == highest + 1


@pytest.mark.django_db
def test_demo_on_a_database_where_ims0000060_is_taken_keeps_numbers_unique(interaction_agent_client):
    channel = InteractionConnector.objects.create(name="Own channel")
    NumberCounter.objects.create(prefix="IMS", table="interaction", next_value=60)
    taken = interaction_agent_client.post(
        "/api/now/interaction", data={"channel": channel.sys_id}, format="json"
    ).json()["result"]["number"]
    assert taken == "IMS0000060"

    seed()

    example = Interaction.objects.get(sys_id=demo.CLOSE_EXAMPLE)
    assert example.number != "IMS0000060"
    numbers = list(Interaction.objects.values_list("number", flat=True))
    assert len(set(numbers)) == len(numbers)
