"""Concurrent creates on PostgreSQL (CONTRACT §1.2): 50 interactions from 10 threads get 50
distinct IMS numbers that increase in the order the rows were committed."""

import threading

import pytest
from django.db import connections
from rest_framework.test import APIClient

from interactions.models import Interaction, InteractionConnector, InteractionJsonBlob, LiveGroupProfile, Queue
from tests.conftest import basic_auth

THREADS = 10
PER_THREAD = 5


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
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
