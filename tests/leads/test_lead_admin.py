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
    response = staff.post("/admin/leads/lead/add/", {
        "last_name": "Wilson", "stage": "100_new",
        "line_items-TOTAL_FORMS": "1", "line_items-INITIAL_FORMS": "0",
        "line_items-0-product_offering": catalogue["modem"].pk, "line_items-0-quantity": "3",
    })

    assert response.status_code == 302, response.content[:2000]
    lead = Lead.objects.get()
    assert lead.number.startswith("LEAD") and lead.line_items.get().number.startswith("LEADL")
    assert staff.get(f"/admin/leads/lead/{lead.pk}/change/").status_code == 200
