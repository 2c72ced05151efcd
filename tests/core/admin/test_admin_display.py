"""Staff read labels, not codes: choice labels in list columns, filter sidebars and history,
references by their record's display value in history (the stored value beside it), numbers as
the APIs write them; every journaled record's form adds work notes; every record admin writes
through the record services (the "delete selected" action too)."""

from decimal import Decimal

import pytest
from django.contrib import admin
from django.test import Client

from contacts.models import Account, Consumer, Contact, CustomContact
from csm_project.core.admin import WORK_NOTE, RecordAdminMixin
from csm_project.core.admin.display import number_text
from csm_project.core.models import JournalEntry, SysAudit, SysRecord, User
from csm_project.core.records.journal import journal_add
from interactions.models import Interaction
from leads.models import Lead, LeadLineItem
from tests.contacts.factories_contacts import AccountFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(make_user) -> Client:
    client = Client()
    client.force_login(make_user(user_name="label.reader", is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize(
    ("value", "text"), [(Decimal("92.00"), "92"), (Decimal("40.50"), "40.5"), ("12.50", "12.5"), (None, "")]
)
def test_numbers_read_as_the_apis_write_them(value, text):
    assert number_text(value) == text


def test_lead_lists_show_stage_labels_whole_scores_and_label_filters(staff):
    Lead.objects.create(last_name="Wilson", stage="300_nurturing", lead_score=Decimal(92))
    page = staff.get("/admin/leads/lead/").content.decode()
    start = page.index('id="result_list"')
    listed = page[start : page.index("</table>", start)]
    assert "Nurturing" in listed and "300_nurturing" not in listed
    assert ">92<" in listed and "92.00" not in listed
    sidebar = page[page.index('id="changelist-filter"') :]
    assert '<a href="?stage__exact=300_nurturing">Nurturing</a>' in sidebar
    assert '<a href="?stage__exact=100_new">New</a>' in sidebar
    assert "Wilson" in staff.get("/admin/leads/lead/?stage__exact=300_nurturing").content.decode()
    assert "0 leads" in staff.get("/admin/leads/lead/?stage__exact=100_new").content.decode()


def test_the_lead_form_shows_the_score_as_the_api_does(staff):
    lead = Lead.objects.create(last_name="Wilson", lead_score=Decimal(92))
    page = staff.get(f"/admin/leads/lead/{lead.pk}/change/").content.decode()
    assert 'name="lead_score" value="92"' in page


def test_history_shows_labels_and_display_values_beside_the_stored_values(staff, make_user):
    owner = make_user(user_name="olga.owner", first_name="Olga", last_name="Owner")
    lead = Lead.objects.create(last_name="Wilson", stage="100_new", lead_score=Decimal(92))
    lead.stage, lead.owner = "300_nurturing", owner
    lead.save()
    page = staff.get(f"/admin/leads/lead/{lead.pk}/change/").content.decode()
    history = page[page.index('id="csm-audit-history"') : page.index('id="csm-journal"')]
    raw = '<span class="csm-raw" title="stored value">'
    assert f'<span class="csm-shown">Nurturing</span>{raw}300_nurturing</span>' in history
    assert f'<span class="csm-shown">Olga Owner</span>{raw}{owner.pk}</span>' in history
    assert '<span class="csm-shown">92</span>' in history

    audit = staff.get(f"/admin/core/sysaudit/?sysparm_query=documentkey={lead.pk}").content.decode()
    assert "Nurturing" in audit and "Olga Owner" in audit and f"({owner.pk})" in audit and lead.number in audit


def journaled_admins() -> list[tuple[type, RecordAdminMixin]]:
    return [
        (model, model_admin)
        for model, model_admin in admin.site._registry.items()
        if isinstance(model_admin, RecordAdminMixin) and model_admin.journal
    ]


def test_every_record_admin_is_one_of_the_record_base():
    sys_records = [model for model in admin.site._registry if issubclass(model, SysRecord)]
    assert sys_records and all(isinstance(admin.site._registry[model], RecordAdminMixin) for model in sys_records)
    journaled = {model for model, _ in journaled_admins()}
    assert {Lead, LeadLineItem, Interaction, Contact, Account, Consumer, CustomContact} <= journaled
    assert User not in journaled and SysAudit not in journaled and JournalEntry not in journaled


def test_every_journaled_form_has_a_work_note_box(staff):
    for model, _ in journaled_admins():
        url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/add/"
        page = staff.get(url).content.decode()
        assert f'name="{WORK_NOTE}"' in page, url


def test_a_line_item_work_note_is_journaled_on_save(staff):
    from leads.models import ProductOffering

    lead = Lead.objects.create(last_name="Wilson")
    item = LeadLineItem.objects.create(lead=lead, product_offering=ProductOffering.objects.create(name="M", code="M1"))
    response = staff.post(
        f"/admin/leads/leadlineitem/{item.pk}/change/",
        {"lead": lead.pk, "product_offering": item.product_offering_id, "quantity": "1", "work_note": "Priced"},
    )
    assert response.status_code == 302, response.content[:3000]
    note = JournalEntry.objects.get(element_id=item.pk)
    assert (note.name, note.value) == ("sn_lead_mgmt_core_lead_line_item", "Priced")
    assert note.author.user_name == "label.reader"


def test_delete_selected_goes_through_the_record_services(staff):
    account = AccountFactory()
    journal_add(record=account, text="to go with it")
    response = staff.post(
        "/admin/contacts/account/", {"action": "delete_selected", "_selected_action": [account.pk], "post": "yes"}
    )
    assert response.status_code == 302
    assert not Account.objects.filter(pk=account.pk).exists()
    assert not JournalEntry.objects.filter(element_id=account.pk).exists()  # record_delete removes the journal
    assert SysAudit.objects.filter(documentkey=account.pk, fieldname="DELETED", reason="admin").exists()
