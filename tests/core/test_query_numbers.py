"""Paging numbers too large for the database are a 400 envelope, never a 500.

Found by schemathesis: ``sysparm_offset=397266431014457535023284224`` on the Table API reached
the database, which cannot hold it ("datatype mismatch" on SQLite, out of range on PostgreSQL).
"""

import pytest

HUGE = "397266431014457535023284224"


@pytest.mark.parametrize(
    ("role", "url", "name"),
    [
        ("admin", "/api/now/table/awa_queue", "sysparm_offset"),
        ("admin", "/api/now/table/awa_queue", "sysparm_limit"),
        ("csm_ws_integration", "/api/now/contact", "sysparm_offset"),
    ],
)
def test_an_offset_or_limit_past_what_a_database_holds_is_a_400(client_for, role, url, name):
    response = client_for(role).get(url, {name: HUGE})
    assert response.status_code == 400
    assert response.json()["error"]["message"] == f"Invalid value for {name}"


def test_the_largest_accepted_offset_reads_an_empty_page(client_for):
    response = client_for("admin").get("/api/now/table/awa_queue", {"sysparm_offset": str(2**31 - 1)})
    assert response.status_code == 200
    assert response.json() == {"result": []}


def test_the_contact_center_offset_is_bounded_too(cc_agent_client):
    response = cc_agent_client.get("/api/v2/contacts", {"offset": HUGE})
    assert response.status_code == 400
    assert response.json()["statusCode"] == 2
