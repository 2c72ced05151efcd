"""The staff admin of lead management: pages render, and a lead added there gets its number."""

import pytest
from django.test import Client

from leads.models import Lead

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(make_user) -> Client:
    client = Client()
    client.force_login(make_user(is_superuser=True, is_staff=True))
    return client


@pytest.mark.parametrize("model", ["lead", "leadlineitem", "productoffering", "unitofmeasure", "usergroup"])
def test_admin_lists_and_add_forms_render(staff, make_lead, model):
    make_lead(items=(2,))

    assert staff.get(f"/admin/leads/{model}/").status_code == 200
    assert staff.get(f"/admin/leads/{model}/add/").status_code == 200


def test_a_lead_added_in_the_admin_gets_a_number(staff, catalogue):
    response = staff.post(
        "/admin/leads/lead/add/",
        {
            "last_name": "Wilson",
            "stage": "100_new",
            "line_items-TOTAL_FORMS": "1",
            "line_items-INITIAL_FORMS": "0",
            "line_items-0-product_offering": catalogue["modem"].pk,
            "line_items-0-quantity": "3",
        },
    )

    assert response.status_code == 302, response.content[:2000]
    lead = Lead.objects.get()
    assert lead.number.startswith("LEAD") and lead.line_items.get().number.startswith("LEADL")
    assert staff.get(f"/admin/leads/lead/{lead.pk}/change/").status_code == 200


def change(staff, lead, **fields):
    """POST the lead's change form with its current values, overridden by ``fields``."""
    data = {
        "last_name": lead.last_name,
        "stage": lead.stage,
        "lead_score": lead.lead_score or "",
        "line_items-TOTAL_FORMS": "0",
        "line_items-INITIAL_FORMS": "0",
        **fields,
    }
    return staff.post(f"/admin/leads/lead/{lead.pk}/change/", data)


def test_the_admin_refuses_a_stage_outside_the_choice_list(staff, make_lead):
    lead = make_lead(stage="200_contacted")

    response = change(staff, lead, stage="999_bogus")

    assert response.status_code == 200
    assert "Select a valid choice" in response.text
    lead.refresh_from_db()
    assert lead.stage == "200_contacted"


def test_the_admin_offers_the_stages_of_the_choice_list_as_a_select(staff, make_lead):
    lead = make_lead()
    page = staff.get(f"/admin/leads/lead/{lead.pk}/change/").text

    assert '<select name="stage"' in page and '<option value="500_closed_lost">Disqualified</option>' in page


def test_the_admin_refuses_a_fractional_lead_score_as_the_api_does(staff, make_lead):
    lead = make_lead(lead_score=92)

    response = change(staff, lead, lead_score="40.5")

    assert response.status_code == 200
    assert "Lead score must be a whole number from 1 to 100." in response.text
    lead.refresh_from_db()
    assert lead.lead_score == 92


def test_the_admin_refuses_a_malformed_email_as_a_form_error(staff, make_lead):
    lead = make_lead()

    response = change(staff, lead, email="james@")

    assert response.status_code == 200
    assert "Invalid email address." in response.text


def test_closing_a_lead_in_the_admin_stamps_its_closed_date(staff, make_lead):
    lead = make_lead(stage="300_nurturing")

    response = change(staff, lead, stage="500_closed_lost")

    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.stage == "500_closed_lost" and lead.closed_date is not None
    assert lead.sys_mod_count == 1


def test_the_lead_list_shows_stage_labels(staff, make_lead):
    make_lead(stage="500_closed_lost")

    page = staff.get("/admin/leads/lead/").text

    assert "Disqualified" in page


def test_a_line_item_added_inline_needs_a_product_offering(staff, make_lead):
    lead = make_lead()

    response = change(staff, lead, **{"line_items-TOTAL_FORMS": "1", "line_items-0-quantity": "0"})

    assert response.status_code == 200
    assert not lead.line_items.exists()


def test_moving_a_lead_between_closed_stages_keeps_its_first_closed_date(staff, make_lead):
    from datetime import UTC, datetime

    closed_on = datetime(2024, 3, 1, 10, 0, tzinfo=UTC)
    lead = make_lead(stage="400_closed_won", closed_date=closed_on)

    response = change(staff, lead, stage="500_closed_lost")

    assert response.status_code == 302, response.content[:2000]
    lead.refresh_from_db()
    assert (lead.stage, lead.closed_date) == ("500_closed_lost", closed_on)
