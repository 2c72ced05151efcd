"""POST /api/now/interaction (docs/interaction-api.md): the records it writes, and every refusal a 400
envelope that leaves no row behind."""

import json
import re

import pytest

from contacts.models import Account
from interactions.models import Interaction, InteractionConnector, InteractionJsonBlob, LiveGroupProfile, Queue

URL = "/api/now/interaction"


@pytest.fixture
def channel(db) -> InteractionConnector:
    return InteractionConnector.objects.create(name="Chat")


@pytest.fixture
def queue(db) -> Queue:
    return Queue.objects.create(name="Billing", phone_number="+1 555 0100")


def post(client, body, **extra):
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.post(URL, data=data, content_type="application/json", **extra)


def row_counts() -> tuple[int, int, int]:
    return Interaction.objects.count(), InteractionJsonBlob.objects.count(), LiveGroupProfile.objects.count()


def assert_refused(response, message: str, detail_mentions: str) -> None:
    assert response.status_code == 400
    body = response.json()
    assert body["status"] == "failure"
    assert body["error"]["message"] == message
    assert detail_mentions in body["error"]["detail"]
    assert row_counts() == (0, 0, 0)


def test_without_queue_the_interaction_is_new(interaction_agent_client, channel):
    response = post(interaction_agent_client, {"channel": channel.sys_id})

    assert response.status_code == 201
    result = response.json()["result"]
    assert result["state"] == "new"
    assert result["queue"] == ""
    assert Interaction.objects.get().state == "new"


def test_with_queue_the_interaction_is_queued(interaction_agent_client, channel, queue):
    response = post(interaction_agent_client, {"channel": channel.sys_id, "queue": queue.sys_id})

    assert response.status_code == 201
    assert response.json()["result"]["state"] == "queued"
    assert Interaction.objects.get().queue == queue


def test_versioned_url_is_the_same_endpoint(interaction_agent_client, channel):
    response = interaction_agent_client.post("/api/now/v1/interaction", data={"channel": channel.sys_id}, format="json")

    assert response.status_code == 201
    assert Interaction.objects.count() == 1


def test_unknown_version_is_a_400_envelope(interaction_agent_client, channel):
    response = interaction_agent_client.post("/api/now/v9/interaction", data={"channel": channel.sys_id}, format="json")

    assert response.status_code == 400
    assert response.json()["status"] == "failure"
    assert Interaction.objects.count() == 0


def test_context_map_is_stored_in_a_new_blob(interaction_agent_client, channel):
    context = {"customer": "Beth", "order": {"id": "ORD1", "items": [1, 2]}, "vip": True}

    result = post(interaction_agent_client, {"channel": channel.sys_id, "context": context}).json()["result"]

    assert result["context"] == {"present": True}
    assert result["contextTable"] == "interaction_json_blob"
    assert InteractionJsonBlob.objects.get(sys_id=result["contextDocument"]).value == context


def test_context_given_as_a_json_string_is_read_as_its_map(interaction_agent_client, channel):
    result = post(interaction_agent_client, {"channel": channel.sys_id, "context": '{"a": 1}'}).json()["result"]

    assert InteractionJsonBlob.objects.get(sys_id=result["contextDocument"]).value == {"a": 1}


def test_channel_metadata_map_is_stored_in_a_new_live_group_profile(interaction_agent_client, channel):
    body = {"channel": channel.sys_id, "channel_metadata": {"room": "r-17"}}

    result = post(interaction_agent_client, body).json()["result"]

    assert result["channel_metadata"] == {"present": True}
    assert result["channelMetadataTable"] == "live_group_profile"
    assert LiveGroupProfile.objects.get(sys_id=result["channelMetadataDocument"]).value == {"room": "r-17"}


def test_existing_table_and_id_pairs_are_linked_without_new_documents(interaction_agent_client, channel):
    account = Account.objects.create(name="Boxeo")
    profile = LiveGroupProfile.objects.create(name="existing")
    body = {
        "channel": channel.sys_id,
        "context_table": "customer_account",
        "context_id": account.sys_id,
        "channel_metadata_table": "live_group_profile",
        "channel_metadata_id": profile.sys_id,
    }

    response = post(interaction_agent_client, body)

    assert response.status_code == 201
    result = response.json()["result"]
    assert (result["contextTable"], result["contextDocument"]) == ("customer_account", account.sys_id)
    assert (result["channelMetadataTable"], result["channelMetadataDocument"]) == ("live_group_profile", profile.sys_id)
    assert result["context"] == result["channel_metadata"] == {"present": True}
    assert InteractionJsonBlob.objects.count() == 0
    assert LiveGroupProfile.objects.count() == 1


def test_stored_interaction_records_caller_and_number(interaction_agent_client, channel):
    result = post(interaction_agent_client, {"channel": channel.sys_id}).json()["result"]

    stored = Interaction.objects.get(sys_id=result["sys_id"])
    assert re.fullmatch(r"IMS\d{7}", stored.number)
    assert stored.opened_by == interaction_agent_client.user
    assert stored.opened_at is not None
    assert stored.sys_mod_count == 0
    assert stored.sys_class_name == "interaction"


def test_numbers_increase_with_each_create(interaction_agent_client, channel):
    numbers = [post(interaction_agent_client, {"channel": channel.sys_id}).json()["result"]["number"] for _ in range(3)]

    assert numbers == sorted(set(numbers))
    assert [int(n[3:]) for n in numbers] == [int(numbers[0][3:]) + i for i in range(3)]


def test_system_fields_and_undocumented_keys_in_the_body_are_ignored(interaction_agent_client, channel):
    body = {
        "channel": channel.sys_id,
        "sys_id": "0" * 32,
        "number": "IMS9999999",
        "state": "closed_complete",
        "closed_by": interaction_agent_client.user.sys_id,
    }

    result = post(interaction_agent_client, body).json()["result"]

    assert result["sys_id"] != "0" * 32
    assert result["number"] != "IMS9999999"
    assert result["state"] == "new"
    assert result["closed_by"] == ""


def test_missing_channel_is_refused(interaction_agent_client, queue):
    assert_refused(post(interaction_agent_client, {"queue": queue.sys_id}), "Missing mandatory parameter", "channel")


def test_empty_body_is_refused_for_its_missing_channel(interaction_agent_client, db):
    assert_refused(post(interaction_agent_client, ""), "Missing mandatory parameter", "channel")


@pytest.mark.parametrize("value", ["0" * 32, "not-a-sys-id", "x" * 500, "ab\x00cd"])
def test_unknown_channel_is_refused(interaction_agent_client, channel, value):
    assert_refused(post(interaction_agent_client, {"channel": value}), "Invalid request", "channel")


def test_inactive_channel_is_refused(interaction_agent_client, channel):
    InteractionConnector.objects.filter(pk=channel.pk).update(active=False)

    assert_refused(post(interaction_agent_client, {"channel": channel.sys_id}), "Invalid request", "channel")


def test_unknown_queue_is_refused(interaction_agent_client, channel):
    body = {"channel": channel.sys_id, "queue": "1" * 32}

    assert_refused(post(interaction_agent_client, body), "Invalid request", "queue")


@pytest.mark.parametrize("field", ["channel", "queue", "context_table", "context_id"])
def test_non_string_ids_are_refused(interaction_agent_client, channel, field):
    body = {"channel": channel.sys_id, field: 42}

    assert_refused(post(interaction_agent_client, body), "Invalid request", field)


@pytest.mark.parametrize(
    "half, missing",
    [
        ({"context_table": "interaction_json_blob"}, "context_id"),
        ({"context_id": "a" * 32}, "context_table"),
        ({"channel_metadata_table": "live_group_profile"}, "channel_metadata_id"),
        ({"channel_metadata_id": "a" * 32}, "channel_metadata_table"),
    ],
)
def test_half_of_a_table_id_pair_is_refused(interaction_agent_client, channel, half, missing):
    response = post(interaction_agent_client, {"channel": channel.sys_id, **half})

    assert_refused(response, "Missing mandatory parameter", missing)


@pytest.mark.parametrize("table", ["no_such_table", "", "sys_number_counter", "../interaction"])
def test_pair_naming_an_unknown_table_is_refused(interaction_agent_client, channel, table):
    blob = InteractionJsonBlob.objects.create(value={})
    body = {"channel": channel.sys_id, "context_table": table or "  ", "context_id": blob.sys_id}

    response = post(interaction_agent_client, body)

    assert response.status_code == 400
    assert "context_table" in response.json()["error"]["detail"]
    assert Interaction.objects.count() == 0
    assert InteractionJsonBlob.objects.count() == 1


def test_pair_naming_a_missing_record_is_refused(interaction_agent_client, channel):
    body = {"channel": channel.sys_id, "channel_metadata_table": "live_group_profile", "channel_metadata_id": "f" * 32}

    assert_refused(post(interaction_agent_client, body), "Invalid request", "channel_metadata_id")


def test_pair_naming_a_record_of_another_table_is_refused(interaction_agent_client, channel):
    profile = LiveGroupProfile.objects.create()
    body = {"channel": channel.sys_id, "context_table": "interaction_json_blob", "context_id": profile.sys_id}

    response = post(interaction_agent_client, body)

    assert response.status_code == 400
    assert "context_id" in response.json()["error"]["detail"]
    assert Interaction.objects.count() == InteractionJsonBlob.objects.count() == 0


def test_map_and_pair_together_are_refused(interaction_agent_client, channel):
    blob = InteractionJsonBlob.objects.create(value={})
    body = {
        "channel": channel.sys_id,
        "context": {"a": 1},
        "context_table": "interaction_json_blob",
        "context_id": blob.sys_id,
    }

    response = post(interaction_agent_client, body)

    assert response.status_code == 400
    assert "context" in response.json()["error"]["detail"]
    assert Interaction.objects.count() == 0
    assert InteractionJsonBlob.objects.count() == 1


@pytest.mark.parametrize("field", ["context", "channel_metadata"])
@pytest.mark.parametrize("value", [[1, 2], 7, True, "not json", "[1]", {"bad": "nul\x00"}])
def test_non_map_document_is_refused(interaction_agent_client, channel, field, value):
    assert_refused(post(interaction_agent_client, {"channel": channel.sys_id, field: value}), "Invalid request", field)


@pytest.mark.parametrize("body", ['{"channel": ', "not json at all", "[1, 2]", '"text"', "NaN", b"\xff\xfe"])
def test_unreadable_or_non_object_json_body_is_refused(interaction_agent_client, channel, body):
    assert_refused(post(interaction_agent_client, body), "Exception while reading request", "")


def test_unsupported_content_type_is_a_415_envelope(interaction_agent_client, channel):
    response = interaction_agent_client.post(URL, data=f"channel={channel.sys_id}", content_type="text/plain")

    assert response.status_code == 415
    assert response.json()["status"] == "failure"
    assert row_counts() == (0, 0, 0)


def test_get_is_not_supported(interaction_agent_client, db):
    response = interaction_agent_client.get(URL)

    assert response.status_code == 405
    assert response.json()["error"]["message"] == "Method not Supported"


def test_a_fault_after_the_documents_are_written_rolls_everything_back(interaction_agent_client, channel, monkeypatch):
    def broken_save(self, *args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(Interaction, "save", broken_save)

    response = post(interaction_agent_client, {"channel": channel.sys_id, "context": {"a": 1}})

    assert response.status_code == 500
    assert response.json()["status"] == "failure"
    assert row_counts() == (0, 0, 0)


def test_create_runs_a_fixed_small_number_of_queries(
    interaction_agent_client, channel, queue, django_assert_max_num_queries
):
    post(interaction_agent_client, {"channel": channel.sys_id})  # the first one also creates the IMS counter
    # auth + roles, channel, queue, blob, profile, counter, interaction (+ savepoints on the test db)
    with django_assert_max_num_queries(12):
        response = post(
            interaction_agent_client,
            {"channel": channel.sys_id, "queue": queue.sys_id, "context": {"a": 1}, "channel_metadata": {"b": 2}},
        )

    assert response.status_code == 201
