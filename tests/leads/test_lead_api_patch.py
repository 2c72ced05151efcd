"""PATCH /api/sn_lead_mgmt_core/lead/{sys_id}: the rules of docs/lead-api.md on the
answer and the rows in the database (a rejected request leaves lead, line items and journal
exactly as they were)."""

import pytest

from csm_project.core.models import JournalEntry
from leads.models import LEAD_TABLE, LINE_ITEM_TABLE, Lead, LeadLineItem

LEAD_URL = "/api/sn_lead_mgmt_core/lead"
MANDATORY = "Mandatory field is either missing or invalid."

pytestmark = pytest.mark.django_db


def patch(client, lead, body):
    return client.patch(f"{LEAD_URL}/{lead.pk}", body, format="json")


def snapshot(lead: Lead) -> tuple:
    """Everything a PATCH could change about ``lead``."""
    row = Lead.objects.filter(pk=lead.pk).values().get()
    items = list(LeadLineItem.objects.filter(lead=lead).order_by("pk").values())
    notes = list(JournalEntry.objects.filter(name__in=[LEAD_TABLE, LINE_ITEM_TABLE]).order_by("pk").values())
    return row, items, notes


def assert_rejected(response, before: tuple, lead: Lead, detail: list[dict]) -> None:
    assert response.status_code == 400, response.content
    assert response.json() == {"error": {"message": "Invalid payload", "detail": detail}, "status": "failure"}
    assert snapshot(lead) == before


def test_patch_changes_only_the_given_fields(lead_client, make_lead):
    lead = make_lead(first_name="James", city="San Francisco", lead_score=92, email="james@example.com")

    response = patch(lead_client, lead, {"city": "Oakland", "lead_score": 40, "email": None})

    assert response.status_code == 200
    body = response.json()
    assert (body["city"], body["lead_score"], body["email"], body["first_name"]) == ("Oakland", 40, None, "James")
    lead.refresh_from_db()
    assert (lead.city, lead.lead_score, lead.email, lead.first_name) == ("Oakland", 40, None, "James")
    assert (lead.sys_mod_count, lead.sys_updated_by) == (1, lead_client.user.user_name)


def test_patch_with_nothing_usable_changes_nothing(lead_client, make_lead):
    lead = make_lead()
    before = snapshot(lead)

    response = patch(lead_client, lead, {"unknown": 1, "sys_mod_count": 9, "lead_source": "inbount_web"})

    assert response.status_code == 200
    assert response.json()["sys_mod_count"] == 0
    assert snapshot(lead) == before


def test_patch_ignores_invalid_choices_as_in_the_seed_example(lead_client, make_lead):
    lead = make_lead(lead_source="inbound_phone", stage="300_nurturing")

    body = {"lead_source": "inbount_web", "stage": "300_nurturning", "lead_type": "new_business"}

    response = patch(lead_client, lead, body)

    assert response.status_code == 200
    lead.refresh_from_db()
    assert (lead.lead_source, lead.stage, lead.lead_type) == ("inbound_phone", "300_nurturing", "new_business")


def test_patch_rejects_qualifying_a_lead(lead_client, make_lead):
    lead = make_lead(stage="300_nurturing")
    before = snapshot(lead)

    response = patch(lead_client, lead, {"stage": "400_closed_won", "city": "Oakland"})

    assert_rejected(response, before, lead, [{"stage": "Qualifying lead is not supported using the API"}])


@pytest.mark.parametrize("stage", ["400_closed_won", "500_closed_lost"])
def test_patch_rejects_any_change_to_a_closed_lead(lead_client, make_lead, stage):
    lead = make_lead(stage=stage, items=(2,))
    item = lead.line_items.get()
    before = snapshot(lead)

    response = patch(lead_client, lead, {"city": "Oakland", "lead_line_items": [{"sys_id": item.pk, "quantity": 9}]})

    assert_rejected(response, before, lead, [{"stage": "Lead is closed and cannot be updated."}])


def test_patch_disqualifying_a_lead_sets_closed_date(lead_client, make_lead):
    lead = make_lead(stage="200_contacted")

    response = patch(lead_client, lead, {"stage": "500_closed_lost", "reason": "Disqualify", "other_reason": "budget"})

    assert response.status_code == 200
    body = response.json()
    assert body["stage"] == "500_closed_lost" and body["closed_date"]["value"]
    lead.refresh_from_db()
    assert lead.closed_date is not None and lead.reason == "Disqualify"


@pytest.mark.parametrize("last_name", [None, "", "  "])
def test_patch_may_not_empty_last_name(lead_client, make_lead, last_name):
    lead = make_lead()
    before = snapshot(lead)

    assert_rejected(patch(lead_client, lead, {"last_name": last_name}), before, lead, [{"last_name": MANDATORY}])


def test_patch_reports_every_error_together_and_writes_nothing(lead_client, make_lead):
    lead = make_lead(items=(6,))
    item = lead.line_items.get()
    before = snapshot(lead)
    body = {
        "stage": "400_closed_won",
        "email": "x@",
        "mobile_phone": "abc",
        "lead_score": 500,
        "reason": "r" * 41,
        "work_notes": [{"text": "should not be written"}],
        "lead_line_items": [
            {"sys_id": item.pk, "quantity": 10},
            {"quantity": 1},
            {"sys_id": item.pk, "product_offering": {"sys_id": "nope"}},
        ],
    }

    assert_rejected(
        patch(lead_client, lead, body),
        before,
        lead,
        [
            {"stage": "Qualifying lead is not supported using the API"},
            {"email": "Invalid email address."},
            {"mobile_phone": "Invalid phone number."},
            {"lead_score": "Lead score must be a whole number from 1 to 100."},
            {"reason": "Value is longer than the maximum of 40 characters."},
            {"lead_line_items[1]/product_offering": MANDATORY},
            {"lead_line_items[2]/product_offering": MANDATORY},
        ],
    )


@pytest.mark.parametrize("body", [{}, [], "x"])
def test_patch_rejects_an_empty_or_non_object_body(lead_client, make_lead, body):
    lead = make_lead()
    before = snapshot(lead)

    assert_rejected(patch(lead_client, lead, body), before, lead, [{"request_body": "Invalid/empty request body."}])


def test_patch_updates_its_own_line_item_and_journals_the_change(lead_client, make_lead, catalogue):
    lead = make_lead(items=(6,))
    item = lead.line_items.get()

    response = patch(lead_client, lead, {"lead_line_items": [{"sys_id": item.pk, "quantity": 10}]})

    assert response.status_code == 200
    body = response.json()
    assert [(entry["sys_id"], entry["quantity"], entry["sys_mod_count"]) for entry in body["lead_line_items"]] == [
        (item.pk, 10, 1)
    ]
    assert [note["text"] for note in body["work_notes"]] == [
        f"Lead Line Item [code]<a href='/sn_lead_mgmt_core_lead_line_item.do?sys_id={item.pk}'>{item.number}</a>"
        "[/code] has been updated  [code] <b> Quantity </b> [/code] 10 [code] <i>was</i> [/code] 6"
    ]
    item.refresh_from_db()
    lead.refresh_from_db()
    assert (item.quantity, item.sys_mod_count) == (10, 1)
    assert lead.sys_mod_count == 1  # no field of the lead changed: the journal entry is the update


def test_patch_journals_every_changed_line_item_field(lead_client, make_lead, catalogue):
    lead = make_lead(items=(6,))
    item = lead.line_items.get()

    response = patch(
        lead_client,
        lead,
        {
            "lead_line_items": [
                {
                    "sys_id": item.pk,
                    "product_offering": {"sys_id": catalogue["coverage"].pk},
                    "unit_of_measurement": None,
                    "external_id": "hs-9",
                }
            ]
        },
    )

    assert response.status_code == 200
    assert response.json()["work_notes"][0]["text"].endswith(
        "has been updated  [code] <b> Product Offering </b> [/code] Safety Test Coverage [code] <i>was</i> [/code] "
        "Solana Modem M Series [code] <b> Unit of Measure </b> [/code]  [code] <i>was</i> [/code] Each"
        " [code] <b> External ID </b> [/code] hs-9"
    )
    item.refresh_from_db()
    assert (item.product_offering_id, item.unit_of_measurement_id, item.external_id) == (
        catalogue["coverage"].pk,
        None,
        "hs-9",
    )


def test_patch_without_a_change_to_a_line_item_writes_no_entry(lead_client, make_lead):
    lead = make_lead(items=(6,))
    item = lead.line_items.get()
    before = snapshot(lead)

    response = patch(lead_client, lead, {"lead_line_items": [{"sys_id": item.pk, "quantity": 6}]})

    assert response.status_code == 200
    assert snapshot(lead) == before


def test_patch_ignores_a_line_item_of_another_lead(lead_client, make_lead):
    lead = make_lead(items=(6,))
    other = make_lead(items=(3,))
    foreign = other.line_items.get()
    before_other = snapshot(other)[:2]

    response = patch(
        lead_client,
        lead,
        {"lead_line_items": [{"sys_id": foreign.pk, "quantity": 99}, {"sys_id": "0" * 32, "quantity": 99}]},
    )

    assert response.status_code == 200
    assert [entry["quantity"] for entry in response.json()["lead_line_items"]] == [6]
    assert snapshot(other)[:2] == before_other
    assert LeadLineItem.objects.count() == 2


def test_patch_creates_a_line_item_without_sys_id(lead_client, make_lead, catalogue):
    lead = make_lead(items=(6,))

    new_item = {"product_offering": {"sys_id": catalogue["coverage"].pk}}

    response = patch(lead_client, lead, {"lead_line_items": [new_item]})

    assert response.status_code == 200
    body = response.json()
    assert [(entry["product_offering"]["code"], entry["quantity"]) for entry in body["lead_line_items"]] == [
        ("SOLANAMODE2", 6),
        ("SAFETSTCVG1", 1),
    ]
    created = LeadLineItem.objects.get(product_offering=catalogue["coverage"])
    assert body["work_notes"][0]["text"] == (
        f"Lead Line Item [code]<a href='/sn_lead_mgmt_core_lead_line_item.do?sys_id={created.pk}'>{created.number}"
        "</a>[/code] has been created  [code] <b> Product Offering </b> [/code] Safety Test Coverage [code] <b> "
        "Quantity </b> [/code] 1"
    )


def test_patch_counts_the_update_and_each_line_item_entry(lead_client, make_lead, catalogue):
    """The seed's arithmetic: mod count 1, then a field change and two line-item entries -> 4."""
    lead = make_lead(items=(6,))
    Lead.objects.filter(pk=lead.pk).update(sys_mod_count=1)
    item = lead.line_items.get()

    response = patch(
        lead_client,
        lead,
        {
            "lead_score": 40,
            "work_notes": [{"text": "Work notes for lead"}],
            "lead_line_items": [
                {"sys_id": item.pk, "quantity": 10},
                {"product_offering": {"sys_id": catalogue["modem"].pk}},
            ],
        },
    )

    assert response.status_code == 200
    assert response.json()["sys_mod_count"] == 4
    lead.refresh_from_db()
    assert lead.sys_mod_count == 4
    assert JournalEntry.objects.filter(name=LEAD_TABLE, element_id=lead.pk).count() == 3


def test_patch_uses_the_first_100_line_items(lead_client, make_lead, catalogue):
    lead = make_lead()
    items = [{"product_offering": {"sys_id": catalogue["modem"].pk}}] * 100 + [{"quantity": 1}]

    response = patch(lead_client, lead, {"lead_line_items": items})

    assert response.status_code == 200
    assert LeadLineItem.objects.filter(lead=lead).count() == 100


def test_patch_joins_work_notes_into_one_entry(lead_client, make_lead):
    lead = make_lead()

    response = patch(lead_client, lead, {"work_notes": [{"text": "a"}, {"text": "b"}, {"text": "c"}]})

    assert response.status_code == 200
    assert [note["text"] for note in response.json()["work_notes"]] == ["a,b,c"]
    assert list(JournalEntry.objects.filter(name=LEAD_TABLE).values_list("value", flat=True)) == ["a,b,c"]
    lead.refresh_from_db()
    assert lead.sys_mod_count == 1


@pytest.mark.parametrize("sys_id", ["0" * 32, "not-a-sys-id", "x" * 40])
def test_patch_of_an_unknown_lead_is_404(lead_client, catalogue, sys_id):
    response = lead_client.patch(f"{LEAD_URL}/{sys_id}", {"city": "x"}, format="json")

    assert response.status_code == 404
    assert response.json() == {
        "error": {"message": "No Record found", "detail": "Record doesn't exist or ACL restricts the record retrieval"},
        "status": "failure",
    }


@pytest.mark.parametrize("method", ["put", "delete"])
def test_put_and_delete_are_not_served(lead_client, make_lead, method):
    lead = make_lead()

    response = getattr(lead_client, method)(f"{LEAD_URL}/{lead.pk}", {"city": "x"}, format="json")

    assert response.status_code == 405
    assert response.json()["status"] == "failure"
    assert Lead.objects.filter(pk=lead.pk, city=None).exists()


def test_patch_needs_the_lead_integrator_role(client_for, make_lead):
    lead = make_lead()
    client = client_for("csm_ws_integration")

    response = patch(client, lead, {"city": "Oakland"})

    assert response.status_code == 403
    assert response.json()["error"]["message"] == "Insufficient rights to update records"
    assert Lead.objects.filter(pk=lead.pk, city=None).exists()


def test_a_failure_while_writing_a_patch_leaves_everything_as_it_was(lead_client, make_lead, monkeypatch):
    """One transaction per request: the lead's fields and the line item are written, then the
    journal fails; the answer is the 500 envelope and every row is as before."""
    from leads import services

    lead = make_lead(items=(6,))
    item = lead.line_items.get()
    before = snapshot(lead)

    def broken(*args, **kwargs):
        raise RuntimeError("journal is down")

    monkeypatch.setattr(services, "journal_add", broken)

    response = patch(lead_client, lead, {"city": "Oakland", "lead_line_items": [{"sys_id": item.pk, "quantity": 9}]})

    assert response.status_code == 500
    assert response.json()["error"]["message"] == "Internal server error"
    assert snapshot(lead) == before
