"""Authentication and roles on the Interaction API (docs/platform.md): 401 without
credentials, 403 without ``interaction_agent``; nothing is written either way."""

import json

import pytest

from csm_project.core.models import Role
from interactions.models import Interaction, InteractionConnector, InteractionJsonBlob
from tests.conftest import basic_auth

UNAUTHENTICATED = {
    "error": {"message": "User Not Authenticated", "detail": "Required to provide Auth information"},
    "status": "failure",
}


@pytest.fixture
def interaction(db) -> Interaction:
    channel = InteractionConnector.objects.create(name="Chat")
    return Interaction.objects.create(channel=channel, context_table="interaction_json_blob")


def requests_for(interaction: Interaction) -> list[tuple[str, dict]]:
    return [
        ("/api/now/interaction", {"channel": interaction.channel_id}),
        ("/api/now/v1/interaction", {"channel": interaction.channel_id}),
        (f"/api/now/interaction/{interaction.sys_id}/close", {}),
    ]


def test_without_credentials_is_a_401(anonymous_client, interaction):
    for url, body in requests_for(interaction):
        response = anonymous_client.post(url, data=json.dumps(body), content_type="application/json")

        assert response.status_code == 401, url
        assert response.json() == UNAUTHENTICATED
        assert response["WWW-Authenticate"].startswith("Basic realm=")
    assert Interaction.objects.count() == 1
    assert InteractionJsonBlob.objects.count() == 0


def test_wrong_password_is_a_401(interaction_agent_client, interaction):
    interaction_agent_client.credentials(HTTP_AUTHORIZATION=basic_auth(interaction_agent_client.user.user_name, "no"))

    response = interaction_agent_client.post(
        "/api/now/interaction", data={"channel": interaction.channel_id}, format="json"
    )

    assert response.status_code == 401
    assert Interaction.objects.count() == 1


@pytest.mark.parametrize(
    "roles", [(), ("csm_ws_integration",), ("sn_lead_mgmt_core.lead_integrator",), ("contact_center_admin",)]
)
def test_without_the_interaction_agent_role_is_a_403(client_for, interaction, roles):
    client = client_for(*roles)
    for url, body in requests_for(interaction):
        response = client.post(url, data=body, format="json")

        assert response.status_code == 403, url
        assert response.json()["status"] == "failure"
        assert response.json()["error"]["message"].startswith("Insufficient rights to")
    assert Interaction.objects.get(pk=interaction.pk).state == "new"
    assert Interaction.objects.count() == 1


def test_admin_role_and_superuser_may_call_it(client_for, admin_client_api, interaction):
    admin_role_client = client_for("admin")

    for client in (admin_role_client, admin_client_api):
        response = client.post("/api/now/interaction", data={"channel": interaction.channel_id}, format="json")
        assert response.status_code == 201
    assert Interaction.objects.count() == 3


def test_inactive_user_is_refused(client_for, interaction):
    client = client_for("interaction_agent", active=False)

    response = client.post("/api/now/interaction", data={"channel": interaction.channel_id}, format="json")

    assert response.status_code in (401, 403)
    assert Interaction.objects.count() == 1


def test_role_catalogue_names_the_interaction_agent_role(db):
    assert Role.objects.filter(name="interaction_agent").exists()
