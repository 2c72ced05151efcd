"""Lead API boundaries: an exactly-full last page, and the number of digits in a phone number."""

from urllib.parse import parse_qs, urlsplit

import pytest

from leads.models import Lead
from tests.leads.conftest import LEAD_URL


def links(header: str) -> dict[str, dict[str, str]]:
    """``<url>;rel="next",...`` -> {"next": {query parameter: value}, ...}."""
    found = {}
    for part in header.split(","):
        url, rel = part.split(";rel=")
        found[rel.strip('"')] = {key: values[0] for key, values in parse_qs(urlsplit(url.strip("<>")).query).items()}
    return found


@pytest.fixture
def six_leads(make_lead):
    return [make_lead(last_name=f"Paged {n}") for n in range(6)]


@pytest.mark.parametrize(("limit", "offset"), [(3, 3), (2, 4), (1, 5)])
def test_an_exactly_full_last_page_has_no_next_link(lead_client, six_leads, limit, offset):
    response = lead_client.get(LEAD_URL, {"sysparm_limit": limit, "sysparm_offset": offset})

    assert response.status_code == 206
    assert len(response.json()) == limit
    assert response["Content-Range"] == f"items {offset + 1}-{offset + limit}"
    assert "next" not in links(response["Links"])
    assert links(response["Links"])["last"]["sysparm_offset"] == str(offset)


def test_one_page_holding_every_lead_is_200_without_next_link(lead_client, six_leads):
    response = lead_client.get(LEAD_URL, {"sysparm_limit": 6})

    assert response.status_code == 200
    assert len(response.json()) == 6
    assert "next" not in links(response["Links"]) and "previous" not in links(response["Links"])


@pytest.mark.parametrize(("limit", "offset"), [(3, 2), (5, 0), (1, 4)])
def test_a_full_page_before_the_last_lead_has_a_next_link(lead_client, six_leads, limit, offset):
    response = lead_client.get(LEAD_URL, {"sysparm_limit": limit, "sysparm_offset": offset})

    assert response.status_code == 206
    assert links(response["Links"])["next"]["sysparm_offset"] == str(offset + limit)


FIFTEEN = "+1 555 123 4567 8901"  # 15 digits
SIXTEEN = "+1 555 123 4567 89012"  # 16 digits
SEVEN = "555-1234"
SIX = "555-123"


@pytest.mark.parametrize("field", ["business_phone", "mobile_phone"])
@pytest.mark.parametrize("phone", [SEVEN, FIFTEEN])
def test_a_phone_number_of_7_to_15_digits_is_accepted(lead_client, catalogue, field, phone):
    response = lead_client.post(LEAD_URL, {"last_name": "Wilson", field: phone}, format="json")

    assert response.status_code == 201, response.content
    assert getattr(Lead.objects.get(), field) == phone


@pytest.mark.parametrize("field", ["business_phone", "mobile_phone"])
@pytest.mark.parametrize("phone", [SIX, SIXTEEN])
def test_a_phone_number_of_6_or_16_digits_is_refused(lead_client, catalogue, field, phone):
    response = lead_client.post(LEAD_URL, {"last_name": "Wilson", field: phone}, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["detail"] == [{field: "Invalid phone number."}]
    assert Lead.objects.count() == 0


@pytest.mark.parametrize(("phone", "status"), [(FIFTEEN, 200), (SIXTEEN, 400)])
def test_patch_keeps_the_same_phone_boundary(lead_client, make_lead, phone, status):
    lead = make_lead()

    response = lead_client.patch(f"{LEAD_URL}/{lead.pk}", {"mobile_phone": phone}, format="json")

    assert response.status_code == status
    assert Lead.objects.get(pk=lead.pk).mobile_phone == (phone if status == 200 else None)
