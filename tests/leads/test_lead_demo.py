"""``seed_demo``'s lead records (docs/demo-data.md): the seed's records as documented, enough leads to
page, counters that continue at LEAD0001001, and a second run that changes nothing."""

import io

import pytest
from django.core.management import call_command

from csm_project.core.models import Choice, JournalEntry, NumberCounter, User
from leads.models import LEAD_TABLE, Lead, LeadLineItem, ProductOffering, UnitOfMeasure

pytestmark = pytest.mark.django_db


def state() -> tuple:
    return (
        list(Lead.objects.order_by("pk").values_list("pk", "number", "sys_mod_count", "sys_updated_on")),
        list(LeadLineItem.objects.order_by("pk").values_list("pk", "number", "quantity")),
        JournalEntry.objects.count(),
        list(Choice.objects.filter(name=LEAD_TABLE).values_list("element", "value")),
        list(NumberCounter.objects.filter(prefix__in=["LEAD", "LEADL"]).values_list("prefix", "next_value")),
        list(User.objects.order_by("pk").values_list("pk", "user_name", "password")),
    )


def test_seed_demo_loads_the_seed_records_and_a_second_run_changes_nothing():
    call_command("seed_demo", password="demo-pass", stdout=io.StringIO())
    first = state()
    call_command("seed_demo", password="other-pass", stdout=io.StringIO())

    assert state() == first
    lead = Lead.objects.get(pk="856b6a95ffde8210b85dffffffffffd7")
    assert (lead.number, lead.stage, lead.owner.name, lead.sys_mod_count) == (
        "LEAD0000001",
        "300_nurturing",
        "Max Blaze",
        1,
    )
    qualified = Lead.objects.get(pk="e71fa6d9ffde8210b85dffffffffff51")
    assert (qualified.number, qualified.stage, qualified.account_id, qualified.contact_id) == (
        "LEAD0000002",
        "400_closed_won",
        "86837a386f0331003b3c498f5d3ee4ca",
        "4d147a386f0331003b3c498f5d3ee437",
    )
    assert LeadLineItem.objects.get(pk="013daa19ffde8210b85dffffffffff82").quantity == 6
    assert LeadLineItem.objects.get(pk="2130fa1dffde8210b85dffffffffffff").number == "LEADL0000009"
    assert ProductOffering.objects.get(pk="32619d9fd0a63110f8770dbf976be1f9").code == "SAFETSTCVG1"
    assert ProductOffering.objects.get(pk="0b61dd9fd0a63110f8770dbf976be171").code == "SOLANAMODE2"
    assert UnitOfMeasure.objects.get(pk="cb2795d553020110286eddeeff7b12ff").name == "Each"
    abel = User.objects.get(pk="62826bf03710200044e0bfc8bcbe5df1")
    assert abel.user_name == "abel.tuter" and abel.has_role("sn_lead_mgmt_core.lead_integrator")
    assert abel.check_password("demo-pass")
    assert Lead.objects.count() >= 300
    assert Lead.objects.filter(stage="400_closed_won").count() > 22
    counts = {lead.pk: lead.line_items.count() for lead in Lead.objects.prefetch_related("line_items")}
    assert set(counts.values()) <= {1, 2, 3, 4, 5}
    assert dict(NumberCounter.objects.filter(prefix__in=["LEAD", "LEADL"]).values_list("prefix", "next_value")) == {
        "LEAD": 1001,
        "LEADL": 1001,
    }
