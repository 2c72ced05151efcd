"""The Interaction API through a real client library (pysnow) against a live server."""

import io

import pysnow
import pytest
from django.core.management import call_command

from interactions.models import Interaction, InteractionJsonBlob

pytestmark = pytest.mark.e2e

PASSWORD = "demo-pass-1234"


def test_pysnow_creates_and_closes_an_interaction(live_server, transactional_db):
    call_command("seed_demo", password=PASSWORD, stdout=io.StringIO())
    client = pysnow.Client(
        host=live_server.url.split("//", 1)[1], user="interaction.agent", password=PASSWORD, use_ssl=False
    )
    resource = client.resource(api_path="/interaction")

    created = resource.create(
        payload={
            "channel": "28a59893873103002ae97e2526cb0b5d",
            "queue": "f3a50867b30303002186a72256a8dcb7",
            "context": {"customer": "Beth"},
        }
    ).one()
    closed = resource.request("POST", path_append=f"/{created['sys_id']}/close").one()

    assert created["state"] == "queued"
    assert InteractionJsonBlob.objects.get(sys_id=created["contextDocument"]).value == {"customer": "Beth"}
    assert closed["state"] == "closed_complete"
    assert closed["number"] == created["number"]
    assert Interaction.objects.get(sys_id=created["sys_id"]).closed_by.user_name == "interaction.agent"
