"""Cases through the platform's generic paths, with no per-table code: the Aggregate and Batch
APIs, and the bulk import, all held to the case's life cycle."""

import base64
import io
import json

import pytest
from django.core.management import call_command

from cases.models import Case
from csm_project.core.records.services import record_update

pytestmark = pytest.mark.django_db


def test_aggregate_counts_cases_by_state(make_case, contact_integration_client):
    make_case(), make_case(state="10"), make_case(state="10")
    answer = contact_integration_client.get(
        "/api/now/stats/sn_customerservice_case", {"sysparm_count": "true", "sysparm_group_by": "state"}
    )
    assert answer.status_code == 200
    counts = {row["groupby_fields"][0]["value"]: row["stats"]["count"] for row in answer.json()["result"]}
    assert counts == {"1": "1", "10": "2"}


def test_batch_update_is_held_to_the_life_cycle(make_case, contact_integration_client):
    case = make_case(state="10")
    body = {
        "batch_request_id": "1",
        "rest_requests": [
            {
                "id": "resolve",
                "method": "PATCH",
                "url": f"/api/now/table/sn_customerservice_case/{case.sys_id}",
                "headers": [{"name": "Content-Type", "value": "application/json"},
                            {"name": "Accept", "value": "application/json"}],
                "body": base64.b64encode(json.dumps({"state": "6"}).encode()).decode(),
            }
        ],
    }  # fmt: skip
    answer = contact_integration_client.post("/api/now/v1/batch", body, format="json")
    assert answer.status_code == 200
    content = b"".join(answer.streaming_content) if answer.streaming else answer.content
    (served,) = json.loads(content)["serviced_requests"]
    assert served["status_code"] == 400
    assert Case.objects.get(pk=case.pk).state == "10"


def test_import_records_loads_cases_through_the_rules(tmp_path, account):
    path = tmp_path / "cases.csv"
    path.write_text(f"short_description,account,priority\nNoise,{account.sys_id},2\n", encoding="utf-8")
    call_command("import_records", "sn_customerservice_case", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    case = Case.objects.get(short_description="Noise")
    assert case.number.startswith("CS") and case.priority == "2" and case.state == "1"
    bad = tmp_path / "bad.csv"
    bad.write_text("short_description,state\nOdd,99\n", encoding="utf-8")
    with pytest.raises(Exception, match="nothing was written"):
        call_command("import_records", "sn_customerservice_case", str(bad), stdout=io.StringIO(), stderr=io.StringIO())
    assert not Case.objects.filter(short_description="Odd").exists()


def test_children_name_their_parent(make_case):
    parent = make_case()
    child = make_case(parent=parent.sys_id)
    assert list(parent.children.all()) == [child]
    record_update(instance=child, values={"parent": ""})
    assert not parent.children.exists()


def test_export_records_writes_cases_that_load_back(make_case, tmp_path):
    case = make_case(state="10", priority="2")
    path = tmp_path / "cases.csv"
    call_command("export_records", "sn_customerservice_case", "--query", "state=10", "-o", str(path),
                 stdout=io.StringIO())  # fmt: skip
    text = path.read_text(encoding="utf-8")
    assert case.number in text and case.sys_id in text
    Case.objects.filter(pk=case.pk).update(priority="4")
    call_command("import_records", "sn_customerservice_case", str(path), "--upsert", stdout=io.StringIO(),
                 stderr=io.StringIO())  # fmt: skip
    assert Case.objects.get(pk=case.pk).priority == "2" and Case.objects.count() == 1
