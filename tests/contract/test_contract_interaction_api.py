"""The Interaction Management API document's two cURL examples, sent verbatim against the demo
data of ``seed_demo`` (docs/interaction-api.md): status, exact keys in the documented order, value
types, and the stored records behind each response."""

import io
import json
import re
import shutil
import subprocess

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from csm_project.core.models import User
from interactions.models import Interaction, InteractionJsonBlob, LiveGroupProfile
from tests.conftest import basic_auth

DEMO_PASSWORD = "demo-pass-1234"

# The documented responses, copied from the vendor document.
DOCUMENTED_CREATE = {
    "result": {
        "channel": "28a59893873103002ae97e2526cb0b5d",
        "context": {"present": True},
        "queue": "f3a50867b30303002186a72256a8dcb7",
        "state": "queued",
        "number": "IMS0000075",
        "contextDocument": "1863a6f0d9471300964f387107a8a36d",
        "contextTable": "interaction_json_blob",
        "channelMetadataDocument": "9463a6f0d9471300964f387107a8a36c",
        "channelMetadataTable": "live_group_profile",
        "channel_metadata": {"present": True},
        "sys_id": "dc63a6f0d9471300964f387107a8a36b",
        "assigned_to": "",
        "closed_by": "",
        "opened_for": "",
    }
}
DOCUMENTED_CLOSE = {
    "result": {
        "channel": "28a59893873103002ae97e2526cb0b5d",
        "context": {"present": True},
        "queue": "f3a50867b30303002186a72256a8dcb7",
        "state": "closed_complete",
        "number": "IMS0000060",
        "contextDocument": "3a43cde4208f1700964f959e0488dee7",
        "contextTable": "interaction_json_blob",
        "channelMetadataDocument": "fa43cde4208f1700964f959e0488dee8",
        "channelMetadataTable": "live_group_profile",
        "channel_metadata": {"present": True},
        "sys_id": "b243cde4208f1700964f959e0488dee8",
        "assigned_to": "",
        "closed_by": "6816f79cc0a8016401c5a33be04be441",
        "opened_for": "46d44a23a9fe19810012d100cca80666",
    }
}
SYS_ID = re.compile(r"^[0-9a-f]{32}$")


@pytest.fixture
def demo_client(db) -> APIClient:
    """``--user "username":"password"``: the demo interaction agent of seed_demo."""
    call_command("seed_demo", password=DEMO_PASSWORD, stdout=io.StringIO())
    client = APIClient()
    client.user = User.objects.get(user_name="interaction.agent")
    return client


def assert_documented_shape(body: dict, documented: dict) -> None:
    """Same keys in the same order, each value of the documented JSON type."""
    assert list(body) == ["result"]
    result, expected = body["result"], documented["result"]
    assert list(result) == list(expected)
    for key, value in expected.items():
        if isinstance(value, dict):
            assert isinstance(result[key], dict) and list(result[key]) == ["present"], key
            assert isinstance(result[key]["present"], bool), key
        else:
            assert isinstance(result[key], str), key


def test_create_example_verbatim(demo_client):
    # curl ".../api/now/interaction" --request POST --header "Accept:application/json"
    #   --header "Content-Type:application/json" --data "{\"channel\":...,\"queue\":...}"
    response = demo_client.post(
        "/api/now/interaction",
        data='{"channel":"28a59893873103002ae97e2526cb0b5d","queue":"f3a50867b30303002186a72256a8dcb7"}',
        content_type="application/json",
        HTTP_ACCEPT="application/json",
        HTTP_AUTHORIZATION=basic_auth("interaction.agent", DEMO_PASSWORD),
    )

    assert response.status_code == 201
    assert response["Content-Type"].startswith("application/json")
    body = json.loads(response.content)
    assert_documented_shape(body, DOCUMENTED_CREATE)
    result = body["result"]
    documented = DOCUMENTED_CREATE["result"]
    for key in (
        "channel",
        "queue",
        "state",
        "contextTable",
        "channelMetadataTable",
        "context",
        "channel_metadata",
        "assigned_to",
        "closed_by",
        "opened_for",
    ):
        assert result[key] == documented[key], key
    assert re.fullmatch(r"IMS\d{7}", result["number"])
    assert SYS_ID.match(result["sys_id"])
    assert SYS_ID.match(result["contextDocument"])
    assert SYS_ID.match(result["channelMetadataDocument"])

    stored = Interaction.objects.get(sys_id=result["sys_id"])
    assert stored.number == result["number"]
    assert stored.state == "queued"
    assert stored.channel_id == "28a59893873103002ae97e2526cb0b5d"
    assert stored.queue_id == "f3a50867b30303002186a72256a8dcb7"
    assert stored.opened_by == demo_client.user
    assert stored.opened_at is not None
    assert stored.sys_created_by == "interaction.agent"
    assert (stored.context_table, stored.context_document) == ("interaction_json_blob", result["contextDocument"])
    assert InteractionJsonBlob.objects.get(sys_id=result["contextDocument"]).value == {}
    assert LiveGroupProfile.objects.filter(sys_id=result["channelMetadataDocument"]).exists()
    # The demo's interactions go up to IMS0000260; a new one comes after all of them.
    assert stored.number > Interaction.objects.exclude(pk=stored.pk).order_by("-number").first().number


def test_close_example_verbatim(demo_client):
    # curl ".../api/now/interaction/b243cde4208f1700964f959e0488dee8/close" --request POST
    #   --header "Accept:application/json" --header "Content-Type:application/json"  (no body)
    response = demo_client.post(
        "/api/now/interaction/b243cde4208f1700964f959e0488dee8/close",
        content_type="application/json",
        HTTP_ACCEPT="application/json",
        HTTP_AUTHORIZATION=basic_auth("interaction.agent", DEMO_PASSWORD),
    )

    assert response.status_code == 200
    body = json.loads(response.content)
    assert_documented_shape(body, DOCUMENTED_CLOSE)
    # Every value as documented, except closed_by: the caller (the document's caller was its admin).
    expected = {**DOCUMENTED_CLOSE["result"], "closed_by": demo_client.user.sys_id}
    assert body["result"] == expected

    stored = Interaction.objects.get(sys_id="b243cde4208f1700964f959e0488dee8")
    assert stored.state == "closed_complete"
    assert stored.closed_by == demo_client.user
    assert stored.closed_at is not None
    assert stored.opened_for.user_name == "beth.anglin"
    blob = InteractionJsonBlob.objects.get(sys_id="3a43cde4208f1700964f959e0488dee7")
    assert isinstance(blob.value, dict) and blob.value
    assert LiveGroupProfile.objects.filter(sys_id="fa43cde4208f1700964f959e0488dee8").exists()


@pytest.mark.e2e
@pytest.mark.skipif(shutil.which("curl") is None, reason="needs the curl command")
def test_both_curl_commands_of_the_document_run_against_a_live_server(live_server, transactional_db):
    """The document's two commands as written, only the instance URL and credentials replaced."""
    call_command("seed_demo", password=DEMO_PASSWORD, stdout=io.StringIO())
    credentials = ["--user", f"interaction.agent:{DEMO_PASSWORD}", "--silent", "--write-out", "\n%{http_code}"]
    create = [
        "curl",
        f"{live_server.url}/api/now/interaction",
        "--request",
        "POST",
        "--header",
        "Accept:application/json",
        "--header",
        "Content-Type:application/json",
        "--data",
        '{"channel":"28a59893873103002ae97e2526cb0b5d","queue":"f3a50867b30303002186a72256a8dcb7"}',
        *credentials,
    ]
    close = [
        "curl",
        f"{live_server.url}/api/now/interaction/b243cde4208f1700964f959e0488dee8/close",
        "--request",
        "POST",
        "--header",
        "Accept:application/json",
        "--header",
        "Content-Type:application/json",
        *credentials,
    ]

    for command, documented, status in ((create, DOCUMENTED_CREATE, "201"), (close, DOCUMENTED_CLOSE, "200")):
        output = subprocess.run(command, capture_output=True, text=True, timeout=30, check=True).stdout
        body, _, code = output.rpartition("\n")
        assert code == status
        assert_documented_shape(json.loads(body), documented)
    assert Interaction.objects.get(sys_id="b243cde4208f1700964f959e0488dee8").state == "closed_complete"
