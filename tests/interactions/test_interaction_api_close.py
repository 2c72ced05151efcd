"""POST /api/now/interaction/{id}/close (docs/interaction-api.md)."""

import pytest

from csm_project.core.access.actor import acting_as
from interactions.models import Interaction, InteractionConnector, Queue
from interactions.services import interaction_create


@pytest.fixture
def interaction(db, make_user) -> Interaction:
    channel = InteractionConnector.objects.create(name="Chat")
    queue = Queue.objects.create(name="Billing")
    opener = make_user("interaction_agent")
    with acting_as(opener):
        return interaction_create(channel=channel.sys_id, queue=queue.sys_id, opened_by=opener)


def close_url(sys_id: str, version: str = "") -> str:
    return f"/api/now/{version}interaction/{sys_id}/close"


def test_close_sets_state_closer_and_time(interaction_agent_client, interaction):
    response = interaction_agent_client.post(close_url(interaction.sys_id), content_type="application/json")

    assert response.status_code == 200
    result = response.json()["result"]
    assert result["state"] == "closed_complete"
    assert result["closed_by"] == interaction_agent_client.user.sys_id
    assert result["sys_id"] == interaction.sys_id
    assert result["number"] == interaction.number
    stored = Interaction.objects.get(pk=interaction.pk)
    assert stored.state == "closed_complete"
    assert stored.closed_by == interaction_agent_client.user
    assert stored.closed_at is not None
    assert stored.sys_mod_count == 1
    assert stored.sys_updated_by == interaction_agent_client.user.user_name


def test_close_through_the_versioned_url(interaction_agent_client, interaction):
    response = interaction_agent_client.post(close_url(interaction.sys_id, "v1/"))

    assert response.status_code == 200
    assert Interaction.objects.get(pk=interaction.pk).state == "closed_complete"


def test_close_ignores_any_body(interaction_agent_client, interaction):
    response = interaction_agent_client.post(
        close_url(interaction.sys_id), data='{"state": "new", "closed_by": "x"', content_type="application/json"
    )

    assert response.status_code == 200
    assert response.json()["result"]["state"] == "closed_complete"


def test_closing_twice_returns_it_unchanged(interaction_agent_client, client_for, interaction):
    first = interaction_agent_client.post(close_url(interaction.sys_id)).json()["result"]
    closed_at = Interaction.objects.get(pk=interaction.pk).closed_at
    other_agent = client_for("interaction_agent")

    second = other_agent.post(close_url(interaction.sys_id))

    assert second.status_code == 200
    assert second.json()["result"] == first
    stored = Interaction.objects.get(pk=interaction.pk)
    assert stored.closed_by == interaction_agent_client.user
    assert stored.closed_at == closed_at
    assert stored.sys_mod_count == 1


def test_closing_an_abandoned_interaction_keeps_it_abandoned(interaction_agent_client, interaction):
    Interaction.objects.filter(pk=interaction.pk).update(state="closed_abandoned")

    response = interaction_agent_client.post(close_url(interaction.sys_id))

    assert response.status_code == 200
    assert response.json()["result"]["state"] == "closed_abandoned"
    assert Interaction.objects.get(pk=interaction.pk).closed_by is None


@pytest.mark.parametrize("sys_id", ["0" * 32, "not-an-id", "B" * 32, "a" * 300, "%00", "IMS0000001"])
def test_unknown_or_malformed_id_is_a_404_envelope(interaction_agent_client, interaction, sys_id):
    response = interaction_agent_client.post(close_url(sys_id))

    assert response.status_code == 404
    assert response.json() == {
        "error": {"message": "No Record found", "detail": "Record doesn't exist or ACL restricts the record retrieval"},
        "status": "failure",
    }
    assert Interaction.objects.get(pk=interaction.pk).state == "queued"


def test_get_on_close_is_not_supported(interaction_agent_client, interaction):
    assert interaction_agent_client.get(close_url(interaction.sys_id)).status_code == 405


def test_the_record_url_without_close_names_no_resource(interaction_agent_client, interaction):
    response = interaction_agent_client.post(f"/api/now/interaction/{interaction.sys_id}")

    assert response.status_code == 404
    assert response.json()["error"]["message"] == "Requested URI does not represent any resource"


def test_close_reads_and_writes_the_row_once(interaction_agent_client, interaction, django_assert_max_num_queries):
    # a first login (the credential cache is empty): the attempt counted, ended windows swept,
    # auth + roles, the count cleared; then the locked read, the field rights of the changed fields
    # (one look-up: the close goes through the record engine like every write), the row rules'
    # limited roles (one look-up), the update (+ savepoints on the test db)
    with django_assert_max_num_queries(11):
        response = interaction_agent_client.post(close_url(interaction.sys_id))

    assert response.status_code == 200
