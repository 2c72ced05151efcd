"""Concurrency on SQLite and PostgreSQL (docs/platform.md): 50 interactions created from 10 threads get 50
distinct IMS numbers that increase in creation order; concurrent closes of one interaction write once."""

import pytest
from rest_framework.test import APIClient

from interactions.models import Interaction, InteractionConnector, InteractionJsonBlob, LiveGroupProfile, Queue
from tests.concurrency import run_together
from tests.conftest import basic_auth

THREADS = 10
PER_THREAD = 5


@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_creates_get_fifty_increasing_numbers(make_user):
    agent = make_user("interaction_agent")
    channel = InteractionConnector.objects.create(name="Chat")
    queue = Queue.objects.create(name="Billing")

    def create_five(_: int) -> list[int]:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=basic_auth(agent.user_name))
        body = {"channel": channel.sys_id, "queue": queue.sys_id}
        return [client.post("/api/now/interaction", data=body, format="json").status_code for _ in range(PER_THREAD)]

    statuses = [status for batch in run_together(create_five, THREADS) for status in batch]
    assert statuses == [201] * (THREADS * PER_THREAD)
    rows = list(Interaction.objects.values_list("number", flat=True))
    assert len(rows) == THREADS * PER_THREAD
    assert len(set(rows)) == len(rows)
    # Every create committed, so no number was lost: one unbroken run. Numbers are drawn without
    # writers waiting on each other (core/sql/numbers.py), so creation order need not follow them.
    drawn = sorted(int(number[3:]) for number in rows)
    assert drawn == list(range(drawn[0], drawn[0] + len(drawn)))
    assert InteractionJsonBlob.objects.count() == LiveGroupProfile.objects.count() == THREADS * PER_THREAD


@pytest.mark.django_db(transaction=True)
def test_concurrent_closes_of_one_interaction_write_once(make_user):
    agents = [make_user("interaction_agent") for _ in range(THREADS)]
    channel = InteractionConnector.objects.create(name="Chat")
    interaction = Interaction.objects.create(channel=channel, state="queued")

    def close(index: int) -> tuple[int, str]:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=basic_auth(agents[index].user_name))
        response = client.post(f"/api/now/interaction/{interaction.sys_id}/close")
        return response.status_code, response.json()["result"]["closed_by"]

    results = run_together(close, THREADS)

    stored = Interaction.objects.get(pk=interaction.pk)
    assert stored.state == "closed_complete"
    assert stored.sys_mod_count == 1
    assert [status for status, _ in results] == [200] * THREADS
    assert {closer for _, closer in results} == {stored.closed_by_id}
