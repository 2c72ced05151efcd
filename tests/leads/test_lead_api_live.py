"""The Lead API over real HTTP (a live server and ``requests``), as an integration reads it:
paging by following ``Links`` until no ``next``, headers as sent on the wire."""

import pytest
import requests

from csm_project.core.access.roles import user_grant_roles
from csm_project.core.records.choices import choices_ensure
from leads.choice_lists import CHOICES
from leads.models import LEAD_TABLE, Lead, ProductOffering
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_client_pages_through_every_lead_by_following_the_links(live_server):
    user = UserFactory(user_name="integration")
    user_grant_roles(user=user, roles=["sn_lead_mgmt_core.lead_integrator"])
    numbers = [Lead.objects.create(last_name=f"L{n}").number for n in range(7)]
    url = f"{live_server.url}/api/sn_lead_mgmt_core/lead?sysparm_limit=3"
    seen, statuses = [], []
    with requests.Session() as session:
        session.auth = ("integration", TEST_PASSWORD)
        while url:
            response = session.get(url, headers={"Accept": "application/json"}, timeout=10)
            statuses.append((response.status_code, response.headers["Content-Range"]))
            assert response.headers["Total-Count"] == "7"
            seen += [lead["number"] for lead in response.json()]
            links = dict(reversed(part.split(";rel=")) for part in response.headers["Links"].split(","))
            url = links.get('"next"', "").strip("<>")

    assert seen == numbers
    assert statuses == [(206, "items 1-3"), (206, "items 4-6"), (206, "items 7-7")]


def test_a_post_over_http_answers_201_with_the_lead(live_server):
    for element, values in CHOICES.items():
        choices_ensure(table=LEAD_TABLE, element=element, values=values)
    offering = ProductOffering.objects.create(name="Solana Modem M Series", code="SOLANAMODE2")
    user = UserFactory(user_name="integration", first_name="Abel", last_name="Tuter")
    user_grant_roles(user=user, roles=["sn_lead_mgmt_core.lead_integrator"])

    item = {"product_offering": {"sys_id": offering.pk}}
    body = {"last_name": "Wilson", "stage": "100_new", "lead_line_items": [item]}

    response = requests.post(
        f"{live_server.url}/api/sn_lead_mgmt_core/v1/lead",
        json=body,
        timeout=10,
        auth=("integration", TEST_PASSWORD),
        headers={"Accept": "application/json"},
    )

    assert response.status_code == 201
    assert response.headers["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["owner"]["name"] == "Abel Tuter" and body["lead_line_items"][0]["quantity"] == 1
    assert Lead.objects.get().number == body["number"]
