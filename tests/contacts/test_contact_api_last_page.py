"""``/api/now`` paging on an exactly-full last page: no ``hasMore``, no ``rel="next"``."""

from urllib.parse import parse_qs, urlsplit

import pytest

from tests.contacts.factories_contacts import ContactFactory

pytestmark = pytest.mark.django_db

QUERY = "last_name=Paged"


def links(header: str) -> dict[str, dict[str, str]]:
    """``<url>;rel="next",...`` -> {"next": {query parameter: value}, ...}."""
    found = {}
    for part in header.split(","):
        url, rel = part.split(";rel=")
        found[rel.strip('"')] = {key: values[0] for key, values in parse_qs(urlsplit(url.strip("<>")).query).items()}
    return found


@pytest.fixture
def six_contacts():
    ContactFactory.create_batch(6, last_name="Paged")


def page(client, limit: int, offset: int):
    response = client.get(
        "/api/now/contact", {"sysparm_query": QUERY, "sysparm_limit": limit, "sysparm_offset": offset}
    )
    assert response.status_code == 200
    assert response["X-Total-Count"] == "6"
    return response, response.json()


@pytest.mark.parametrize(("limit", "offset"), [(3, 3), (6, 0), (2, 4), (1, 5)])
def test_an_exactly_full_last_page_has_no_more(contact_integration_client, six_contacts, limit, offset):
    response, body = page(contact_integration_client, limit, offset)

    assert len(body["result"]) == limit
    assert body["hasMore"] is False
    assert "next" not in links(response["Link"])
    assert links(response["Link"])["last"]["sysparm_offset"] == str(offset)


@pytest.mark.parametrize(("limit", "offset"), [(3, 2), (5, 0), (1, 4)])
def test_a_full_page_before_the_last_row_has_more(contact_integration_client, six_contacts, limit, offset):
    response, body = page(contact_integration_client, limit, offset)

    assert len(body["result"]) == limit
    assert body["hasMore"] is True
    assert links(response["Link"])["next"]["sysparm_offset"] == str(offset + limit)
