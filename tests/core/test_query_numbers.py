"""Paging numbers too large for the database read as past the end, never a 500.

Found by schemathesis: ``sysparm_offset=397266431014457535023284224`` on the Table API reached
the database, which cannot hold it ("datatype mismatch" on SQLite, out of range on PostgreSQL).
"""

HUGE = "397266431014457535023284224"


def test_a_huge_table_api_offset_is_an_empty_page(client_for):
    response = client_for("admin").get("/api/now/table/awa_queue", {"sysparm_offset": HUGE})
    assert response.status_code == 200
    assert response.json() == {"result": []}


def test_a_huge_table_api_limit_reads_every_row(client_for):
    response = client_for("admin").get("/api/now/table/awa_queue", {"sysparm_limit": HUGE})
    assert response.status_code == 200
    assert response["X-Total-Count"] == str(len(response.json()["result"]))


def test_a_huge_contact_api_offset_is_an_empty_page(client_for):
    response = client_for("csm_ws_integration").get("/api/now/contact", {"sysparm_offset": HUGE})
    assert response.status_code == 200
    assert response.json()["result"] == []
