"""The Case API (docs/case-api.md) against the Django test client."""

import pytest

from cases.models import Case
from tests.cases.conftest import CASE_URL

pytestmark = pytest.mark.django_db


def test_create_get_list_update(contact_integration_client, account, contact):
    created = contact_integration_client.post(
        CASE_URL, {"short_description": "Laptop broken", "account": account.sys_id, "contact": contact.sys_id,
                   "priority": "2", "contact_type": "phone"}, format="json")  # fmt: skip
    assert created.status_code == 201, created.content
    result = created.json()["result"]
    assert set(result) == {"sys_id", "number"}
    assert result["number"].startswith("CS") and len(result["number"]) == 9
    case = Case.objects.get(pk=result["sys_id"])
    assert (case.state, case.priority, case.opened_at is not None) == ("1", "2", True)

    by_number = contact_integration_client.get(f"{CASE_URL}/{result['number']}")
    assert by_number.status_code == 200
    body = by_number.json()["result"]
    assert body["sys_id"] == result["sys_id"] and body["state"] == "1" and body["active"] == "true"
    assert isinstance(body["account"], dict) and body["account"]["name"] == "Boxeo"
    assert body["contact"]["sys_id"] == contact.sys_id

    listed = contact_integration_client.get(CASE_URL, {"sysparm_query": f"account={account.sys_id}", "limit": "1",
                                                       "reference_fields": "false"})  # fmt: skip
    assert listed.status_code == 200
    assert listed.headers["X-Total-Count"] == "1"
    assert listed.json()["result"][0]["account"] == account.sys_id

    updated = contact_integration_client.put(f"{CASE_URL}/{result['sys_id']}", {"state": "10", "work_notes": "Looking"},
                                             format="json")  # fmt: skip
    assert updated.status_code == 200, updated.content
    assert Case.objects.get(pk=result["sys_id"]).state == "10"
