"""The case life cycle (cases/services.py) however a write arrives: the record services, the
Case API, the Table API and the admin."""

import pytest

from cases.models import Case
from csm_project.core.access.actor import acting_as
from csm_project.core.errors import DomainError
from csm_project.core.models import JournalEntry, SysAudit
from csm_project.core.records.services import record_update
from tests.cases.conftest import CASE_URL

pytestmark = pytest.mark.django_db

TABLE_URL = "/api/now/table/sn_customerservice_case"
RESOLVE = {"state": "6", "resolution_code": "solved_fixed_by_support", "close_notes": "Replaced the fan."}


def test_new_case_number_state_and_stamps(make_case):
    case = make_case()
    assert case.number.startswith("CS") and len(case.number) == 9 and case.number[2:].isdigit()
    assert (case.state, case.priority, case.active) == ("1", "4", True)
    assert case.opened_at is not None and case.resolved_at is None


def test_unknown_choice_value_is_refused(make_case):
    with pytest.raises(DomainError) as refused:
        make_case(state="99")
    assert refused.value.fields == ["state"]
    assert not Case.objects.exists()


def test_resolving_needs_code_and_notes_then_stamps(make_case, make_user):
    case = make_case(state="10")
    agent = make_user("csm_ws_integration")
    with acting_as(agent), pytest.raises(DomainError) as refused:
        record_update(instance=case, values={"state": "6"})
    assert sorted(refused.value.fields) == ["close_notes", "resolution_code"]
    case.refresh_from_db()
    assert case.state == "10" and case.resolved_at is None
    with acting_as(agent):
        record_update(instance=case, values=RESOLVE)
    case.refresh_from_db()
    assert case.state == "6" and case.resolved_by_id == agent.sys_id and case.resolved_at is not None
    assert case.active is True
    with acting_as(agent):
        record_update(instance=case, values={"state": "3"})
    case.refresh_from_db()
    assert case.closed_by_id == agent.sys_id and case.closed_at is not None and case.active is False


def test_stamped_fields_cannot_be_set_by_hand(make_case, make_user):
    case = make_case(state="10")
    with acting_as(make_user("csm_ws_integration")):
        record_update(instance=case, values={"resolved_at": "2020-01-01 00:00:00", "short_description": "x"})
    case.refresh_from_db()
    assert case.resolved_at is None and case.short_description == "x"


def test_illegal_transition_is_refused(make_case, make_user):
    case = make_case(state="10")
    with acting_as(make_user("csm_ws_integration")):
        record_update(instance=case, values=RESOLVE)
        with pytest.raises(DomainError) as refused:
            record_update(instance=case, values={"state": "18"})
    assert refused.value.fields == ["state"] and "cannot move" in refused.value.message


def test_reopening_a_resolved_case_clears_the_resolution_stamps(make_case):
    case = make_case(state="10")
    record_update(instance=case, values=RESOLVE)
    record_update(instance=case, values={"state": "10"})
    case.refresh_from_db()
    assert case.resolved_at is None and case.resolved_by_id is None and case.active is True


def _closed(make_case) -> Case:
    case = make_case(state="10")
    record_update(instance=case, values=RESOLVE)
    record_update(instance=case, values={"state": "3"})
    return case


def test_closed_case_refuses_changes_through_the_case_api(make_case, contact_integration_client, admin_client_api):
    case = _closed(make_case)
    refused = contact_integration_client.put(f"{CASE_URL}/{case.sys_id}", {"short_description": "edited"},
                                             format="json")  # fmt: skip
    assert refused.status_code == 403
    body = refused.json()
    assert body["status"] == "failure" and "closed" in body["error"]["message"]
    assert "only an admin" in body["error"]["message"]
    case.refresh_from_db()
    assert case.short_description != "edited"
    allowed = admin_client_api.put(f"{CASE_URL}/{case.number}", {"short_description": "edited"}, format="json")
    assert allowed.status_code == 200
    case.refresh_from_db()
    assert case.short_description == "edited"


def test_cancelled_case_refuses_changes_through_the_table_api(make_case, contact_integration_client):
    case = make_case(state="10")
    record_update(instance=case, values={"state": "7"})
    case.refresh_from_db()
    assert case.active is False
    refused = contact_integration_client.patch(f"{TABLE_URL}/{case.sys_id}", {"priority": "1"}, format="json")
    assert refused.status_code == 403
    assert "cancelled" in refused.json()["error"]["message"]


def test_table_api_resolution_rules(make_case, contact_integration_client):
    case = make_case(state="10")
    refused = contact_integration_client.patch(f"{TABLE_URL}/{case.sys_id}", {"state": "6"}, format="json")
    assert refused.status_code == 400
    assert Case.objects.get(pk=case.pk).state == "10"
    done = contact_integration_client.patch(f"{TABLE_URL}/{case.sys_id}", RESOLVE, format="json")
    assert done.status_code == 200, done.content
    result = done.json()["result"]
    assert result["state"] == "6" and result["resolved_by"] != "" and result["resolved_at"] != ""


def test_case_api_create_refusal_is_400_envelope(contact_integration_client, account):
    answer = contact_integration_client.post(CASE_URL, {"state": "6", "account": account.sys_id}, format="json")
    assert answer.status_code == 400
    assert answer.json()["status"] == "failure"
    assert not Case.objects.exists()


def test_journals_and_activity_stream(make_case, contact_integration_client):
    case = make_case()
    answer = contact_integration_client.put(f"{CASE_URL}/{case.sys_id}",
                                            {"comments": "Please send a photo", "work_notes": "Asked for photo"},
                                            format="json")  # fmt: skip
    assert answer.status_code == 200
    elements = set(JournalEntry.objects.filter(element_id=case.pk).values_list("element", flat=True))
    assert elements == {"comments", "work_notes"}
    stream = contact_integration_client.get(f"{CASE_URL}/{case.number}/activities").json()["result"]
    assert stream["number"] == case.number and stream["table"] == "sn_customerservice_case"
    dates = [entry["sys_created_on"] for entry in stream["entries"]]
    assert dates == sorted(dates, reverse=True)
    kinds = {entry["element"] for entry in stream["entries"]}
    assert {"comments", "work_notes", "short_description"} <= kinds
    notes = contact_integration_client.get(
        f"{CASE_URL}/{case.sys_id}/activities", {"sysparm_activity_type": "work_notes"}
    )
    entries = notes.json()["result"]["entries"]
    assert [entry["value"] for entry in entries] == ["Asked for photo"]
    assert all(isinstance(value, str) for value in entries[0].values())
    assert [field["name"] for field in stream["journal_fields"]] == ["comments", "work_notes"]
    assert all(isinstance(field["can_write"], bool) for field in stream["journal_fields"])


def test_case_by_number_or_sys_id(make_case, contact_integration_client):
    """Numbers are unique (a second case may not take one: the database refuses it), so a
    number names one case; an unknown one, or an id that is neither, is the 404 envelope."""
    from django.db import IntegrityError, transaction

    first, second = make_case(), make_case()
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.filter(pk=second.pk).update(number=first.number)
    assert contact_integration_client.get(f"{CASE_URL}/{first.number}").json()["result"]["sys_id"] == first.sys_id
    assert contact_integration_client.get(f"{CASE_URL}/cs%00x").status_code == 404
    assert contact_integration_client.get(f"{CASE_URL}/{first.sys_id}").status_code == 200
    assert contact_integration_client.get(f"{CASE_URL}/CS9999999").status_code == 404


def test_rights_come_from_the_table_rule(make_case, no_role_client, anonymous_client, lead_integrator_client):
    make_case()
    assert anonymous_client.get(CASE_URL).status_code == 401
    assert no_role_client.get(CASE_URL).status_code == 403
    assert lead_integrator_client.post(CASE_URL, {}, format="json").status_code == 403


def test_field_values(make_case, contact_integration_client, contact):
    case = make_case(state="10")
    states = contact_integration_client.get(f"{CASE_URL}/field_values/state").json()["result"]
    assert [pair["value"] for pair in states] == ["1", "10", "18", "6", "3", "7"]
    assert states[0] == {"label": "New", "value": "1"}
    own = contact_integration_client.get(f"{CASE_URL}/{case.sys_id}/field_values/contact").json()["result"]
    assert own == [{"label": contact.name, "value": contact.sys_id}]
    assert contact_integration_client.get(f"{CASE_URL}/field_values/short_description").status_code == 400


def test_audit_history_records_the_life_cycle(make_case):
    case = make_case(state="10")
    record_update(instance=case, values=RESOLVE)
    changes = SysAudit.objects.filter(documentkey=case.pk, fieldname="state").order_by("record_checkpoint")
    assert [(row.oldvalue, row.newvalue) for row in changes] == [("", "10"), ("10", "6")]


def test_admin_form_saves_through_the_life_cycle(make_case, client):
    from tests.factories import UserFactory

    case = make_case(state="10")
    admin_user = UserFactory(user_name="staff.admin", is_superuser=True, is_staff=True)
    client.force_login(admin_user)
    url = f"/admin/cases/case/{case.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200 and b"work_note" in page.content
    form = {"short_description": case.short_description, "state": "6", "priority": "4", "impact": "3",
            "urgency": "3", "category": "1", "escalation": "0", "notify": "1", "account": case.account_id,
            "contact": case.contact_id, "work_note": "Resolving from the admin"}  # fmt: skip
    refused = client.post(url, form)
    assert refused.status_code == 200  # the form again, with the life cycle's errors
    assert b"resolution code is needed" in refused.content
    assert Case.objects.get(pk=case.pk).state == "10"
    form.update(resolution_code="solved_fixed_by_support", close_notes="Fixed")
    saved = client.post(url, form)
    assert saved.status_code == 302, saved.content[:2000]
    case.refresh_from_db()
    assert case.state == "6" and case.resolved_at is not None
    assert JournalEntry.objects.filter(element_id=case.pk, element="work_notes").exists()
    listing = client.get("/admin/cases/case/", {"state": "6"})
    assert listing.status_code == 200 and case.number.encode() in listing.content


def test_attachments_are_in_the_activity_stream(make_case, contact_integration_client, tmp_path, settings):
    settings.ATTACHMENT_ROOT = str(tmp_path)
    case = make_case()
    url = f"/api/now/attachment/file?table_name=sn_customerservice_case&table_sys_id={case.sys_id}&file_name=label.png"
    uploaded = contact_integration_client.generic("POST", url, b"\x89PNG fake", content_type="image/png")
    assert uploaded.status_code == 201, uploaded.content
    stream = contact_integration_client.get(f"{CASE_URL}/{case.sys_id}/activities", {"activity_type": "attachment"})
    (entry,) = stream.json()["result"]["entries"]
    assert entry["element"] == "attachment" and entry["value"] == "label.png"
    attachment = entry["attachment"]
    assert attachment["file_name"] == "label.png" and attachment["content_type"] == "image/png"
    assert attachment["size_bytes"] == 9 and isinstance(attachment["image_height"], int)
    assert attachment["path"].endswith(f"/api/now/attachment/{attachment['sys_id']}/file")


def test_display_values_and_short_parameter_names(make_case, contact_integration_client):
    make_case(state="10", priority="1")
    answer = contact_integration_client.get(CASE_URL, {"display_value": "true", "fields": "number,state,priority"})
    assert answer.status_code == 200
    (case,) = answer.json()["result"]
    assert (
        case["state"] == "Open" and case["priority"] == "1 - Critical" and set(case) == {"number", "state", "priority"}
    )


def test_a_staff_agent_cannot_change_a_closed_case_in_the_admin(make_case, make_user):
    from django.contrib.auth.models import Group
    from django.test import Client

    from csm_project.core.access.staff_roles import AGENT

    case = _closed(make_case)
    user = make_user(is_staff=True, user_name="agent.ann")
    user.groups.add(Group.objects.get(name=AGENT))
    client = Client()
    client.force_login(user)
    url = f"/admin/cases/case/{case.pk}/change/"
    assert client.get(url).status_code == 200
    form = {"short_description": "edited", "state": "3", "priority": "4", "impact": "3", "urgency": "3",
            "category": "1", "escalation": "0", "notify": "1", "account": case.account_id,
            "contact": case.contact_id, "resolution_code": case.resolution_code,
            "close_notes": case.close_notes}  # fmt: skip
    answer = client.post(url, form)
    assert answer.status_code in (200, 403)
    assert b"only an admin may change it" in answer.content
    case.refresh_from_db()
    assert case.short_description != "edited"
