"""Concurrency on PostgreSQL (CONTRACT §1.2, §4): 50 interactions created from 10 threads get 50
distinct IMS numbers that increase in creation order; concurrent closes of one interaction write once.

``serialized_rollback`` is on the markers: a ``django_db`` marker decides alone whether the
test database is serialized, so without it these tests, run on their own, would find the role
catalogue flushed by the previous one."""

import threading

import pytest
from django.db import connections
from rest_framework.test import APIClient

from interactions.models import Interaction, InteractionConnector, InteractionJsonBlob, LiveGroupProfile, Queue
from tests.conftest import basic_auth

THREADS = 10
PER_THREAD = 5


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_fifty_concurrent_creates_get_fifty_increasing_numbers(make_user):
    agent = make_user("interaction_agent")
    channel = InteractionConnector.objects.create(name="Chat")
    queue = Queue.objects.create(name="Billing")
    start = threading.Barrier(THREADS)
    statuses: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def create_five() -> None:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=basic_auth(agent.user_name))
        try:
            start.wait()
            for _ in range(PER_THREAD):
                response = client.post("/api/now/interaction", data={"channel": channel.sys_id,
                                                                      "queue": queue.sys_id}, format="json")
                with lock:
                    statuses.append(response.status_code)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            with lock:
                errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=create_five) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert statuses == [201] * (THREADS * PER_THREAD)
    rows = list(Interaction.objects.order_by("sys_created_on", "number").values_list("number", flat=True))
    assert len(rows) == THREADS * PER_THREAD
    assert len(set(rows)) == len(rows)
    assert [int(number[3:]) for number in rows] == sorted(int(number[3:]) for number in rows)
    assert InteractionJsonBlob.objects.count() == LiveGroupProfile.objects.count() == THREADS * PER_THREAD


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_closes_of_one_interaction_write_once(make_user):
    agents = [make_user("interaction_agent") for _ in range(THREADS)]
    channel = InteractionConnector.objects.create(name="Chat")
    interaction = Interaction.objects.create(channel=channel, state="queued")
    start = threading.Barrier(THREADS)
    results: list[tuple[int, str]] = []
    lock = threading.Lock()

    def close(agent) -> None:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=basic_auth(agent.user_name))
        try:
            start.wait()
            response = client.post(f"/api/now/interaction/{interaction.sys_id}/close")
            with lock:
                results.append((response.status_code, response.json()["result"]["closed_by"]))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=close, args=(agent,)) for agent in agents]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    stored = Interaction.objects.get(pk=interaction.pk)
    assert stored.state == "closed_complete"
    assert stored.sys_mod_count == 1
    assert [status for status, _ in results] == [200] * THREADS
    assert {closer for _, closer in results} == {stored.closed_by_id}
