"""Odd input never makes the Lead API fail: every request gets 2xx or the 400/404 envelope,
whatever the body holds (docs/platform.md)."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leads.models import Lead, LeadLineItem

LEAD_URL = "/api/sn_lead_mgmt_core/lead"

pytestmark = pytest.mark.django_db

FIELDS = ["last_name", "first_name", "email", "business_phone", "mobile_phone", "lead_score", "stage",
          "lead_source", "owner", "account", "consumer", "contact", "lead_group", "similar_lead", "do_not_call",
          "reason", "work_notes", "lead_line_items", "sys_id", "zip"]  # fmt: skip
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=50),
    st.sampled_from(["\x00", "1e400", "NaN", "x" * 300, "0" * 32]),
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(["sys_id", "text", "quantity", "product_offering"]), inner, max_size=3)
    ),
    max_leaves=8,
)
bodies = st.dictionaries(st.sampled_from(FIELDS), values, max_size=8)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=bodies)
def test_any_post_body_gets_201_or_the_400_envelope(lead_client, catalogue, body):
    response = lead_client.post(LEAD_URL, body, format="json")

    assert response.status_code in (201, 400), (body, response.content)
    if response.status_code == 400:
        assert set(response.json()) == {"error", "status"}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=bodies)
def test_any_patch_body_gets_200_or_the_400_envelope(lead_client, make_lead, body):
    lead = make_lead(items=(1,))

    response = lead_client.patch(f"{LEAD_URL}/{lead.pk}", body, format="json")

    assert response.status_code in (200, 400), (body, response.content)


@pytest.mark.parametrize(
    "body",
    [
        {"last_name": "A\x00B", "city": "\x00", "work_notes": [{"text": "n\x00te"}]},
        {"last_name": "\x00"},
        {
            "last_name": "A",
            "owner": {"sys_id": "ab\x00"},
            "lead_line_items": [{"product_offering": {"sys_id": "\x00"}}],
        },
        {"last_name": "A", "lead_line_items": [{"product_offering": {"sys_id": "0" * 32}, "quantity": 10**30}]},
    ],
)
def test_nul_characters_and_huge_numbers_are_not_a_server_error(lead_client, catalogue, body):
    assert lead_client.post(LEAD_URL, body, format="json").status_code in (201, 400)


def test_nul_characters_are_removed_from_stored_text(lead_client, catalogue):
    response = lead_client.post(
        LEAD_URL, {"last_name": "Wil\x00son", "work_notes": [{"text": "no\x00te"}]}, format="json"
    )

    assert response.status_code == 201
    assert Lead.objects.get().last_name == "Wilson"
    assert response.json()["work_notes"][0]["text"] == "note"


def test_a_quantity_too_large_to_store_is_ignored(lead_client, catalogue):
    body = {
        "last_name": "A",
        "lead_line_items": [{"product_offering": {"sys_id": catalogue["modem"].pk}, "quantity": 10**12}],
    }

    assert lead_client.post(LEAD_URL, body, format="json").status_code == 201
    assert LeadLineItem.objects.get().quantity == 1


@pytest.mark.parametrize("path", ["abc%00def", "%00", "x" * 300])
def test_a_sys_id_in_the_url_with_odd_characters_is_404(lead_client, catalogue, path):
    assert lead_client.get(f"{LEAD_URL}/{path}").status_code == 404
    assert lead_client.patch(f"{LEAD_URL}/{path}", {"city": "x"}, format="json").status_code == 404


def test_xml_bodies_are_not_accepted(lead_client, catalogue):
    response = lead_client.post(
        LEAD_URL, data="<request><entry><last_name>A</last_name></entry></request>", content_type="application/xml"
    )

    assert response.status_code == 415
    assert not Lead.objects.exists()


@pytest.mark.parametrize("method", ["post", "patch"])
def test_json_nested_too_deeply_is_the_400_read_envelope(lead_client, make_lead, method):
    lead = make_lead()
    url = LEAD_URL if method == "post" else f"{LEAD_URL}/{lead.pk}"
    body = '{"last_name": "A", "city": ' + "[" * 50_000 + "]" * 50_000 + "}"

    response = getattr(lead_client, method)(url, data=body, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["error"] == {
        "message": "Exception while reading request",
        "detail": "Invalid JSON: nested too deeply",
    }
    assert Lead.objects.count() == 1 and Lead.objects.get().city is None


def test_a_number_too_large_for_a_double_is_an_unreadable_body(lead_client, catalogue):
    response = lead_client.post(
        LEAD_URL, data='{"last_name": "A", "zip": 1e400, "company": 12345}', content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json()["error"]["message"] == "Exception while reading request"
    assert Lead.objects.count() == 0


def test_a_number_is_stored_as_text_in_a_text_field(lead_client, catalogue):
    response = lead_client.post(LEAD_URL, data='{"last_name": "A", "company": 12345}', content_type="application/json")

    assert response.status_code == 201
    assert response.json()["company"] == "12345"
