"""OPTIONS is not a platform method: every API view answers it with the 405 envelope.

Found by schemathesis: DRF's default metadata answer asks the view for its serializer class,
which the Interaction and Lead views (shaping their answers by hand) do not have, so OPTIONS
was a 500 there.
"""

import pytest


@pytest.mark.parametrize(
    ("role", "url"),
    [
        ("interaction_agent", "/api/now/interaction"),
        ("interaction_agent", "/api/now/v1/interaction/0123456789abcdef0123456789abcdef/close"),
        ("sn_lead_mgmt_core.lead_integrator", "/api/sn_lead_mgmt_core/lead"),
        ("sn_lead_mgmt_core.lead_integrator", "/api/sn_lead_mgmt_core/v1/lead/0123456789abcdef0123456789abcdef"),
        ("csm_ws_integration", "/api/now/contact/0123456789abcdef0123456789abcdef"),
    ],
)
def test_options_is_a_405_envelope_on_every_now_api(client_for, role, url):
    response = client_for(role).options(url)
    assert response.status_code == 405
    assert response.json() == {
        "error": {
            "message": "Method not Supported",
            "detail": "Requested method OPTIONS is not supported by this resource",
        },
        "status": "failure",
    }


def test_options_on_the_contact_center_api_is_its_own_405_envelope(cc_agent_client):
    response = cc_agent_client.options("/api/v2/contacts")
    assert response.status_code == 405
    assert response.json() == {"statusCode": 2, "statusMessage": "Method not Supported"}
