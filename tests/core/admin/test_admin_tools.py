"""The admin machinery every record's admin shares: history and journal on the record's page,
the encoded-query box, CSV export that import_records loads back, no full list of a large table."""

import csv
import io

import pytest
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect, ForeignKeyRawIdWidget
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from contacts.models import Account, Contact
from csm_project.core.access.actor import acting_as
from csm_project.core.admin.tools import SMALL_TABLES
from csm_project.core.models import JournalEntry, Role, SysAudit
from csm_project.core.records.journal import journal_add
from leads.models import Lead
from tests.contacts.factories_contacts import AccountFactory, ContactFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(make_user):
    return make_user(user_name="staff.tools", is_staff=True, is_superuser=True)


@pytest.fixture
def browser(staff) -> Client:
    client = Client()
    client.force_login(staff)
    return client


def test_record_page_shows_history_newest_first_and_journal(browser, staff):
    with acting_as(staff):
        lead = Lead.objects.create(last_name="Wilson", city="Paris")
        lead.city = "Oakland"
        lead.save()
        journal_add(record=lead, text="Called back <b>today</b>")
    page = browser.get(reverse("admin:leads_lead_change", args=[lead.pk])).content.decode()

    history = page[page.index('id="csm-audit-history"') : page.index('id="csm-journal"')]
    # The update above the insert.
    assert history.index('csm-new">Oakland') < history.index('<td class="csm-old"></td><td class="csm-new">Paris')
    assert '<td class="csm-field">city</td><td class="csm-old">Paris</td><td class="csm-new">Oakland</td>' in history
    assert '<td class="csm-user">staff.tools</td>' in history
    journal = page[page.index('id="csm-journal"') :]
    assert "Called back &lt;b&gt;today&lt;/b&gt;" in journal  # escaped, never markup


def test_contact_page_shows_its_history_and_journal_like_every_record(browser):
    contact = ContactFactory(first_name="Ann")
    page = browser.get(reverse("admin:contacts_contact_change", args=[contact.pk])).content.decode()
    assert 'id="csm-audit-history"' in page and 'id="csm-journal"' in page
    assert '<td class="csm-field">first_name</td><td class="csm-old"></td><td class="csm-new">Ann</td>' in page


def test_encoded_query_box_filters_and_reports_invalid_terms(browser):
    for name, city in (("Acme", "Oslo"), ("Apex", "Lima"), ("Bolt", "Oslo")):
        Account.objects.create(name=name, city=city)
    url = reverse("admin:contacts_account_changelist")

    response = browser.get(url, {"sysparm_query": "city=oslo^nameSTARTSWITHa"})
    assert response.status_code == 200
    assert [a.name for a in response.context["cl"].result_list] == ["Acme"]
    assert 'value="city=oslo^nameSTARTSWITHa"' in response.content.decode()

    response = browser.get(url, {"sysparm_query": "city=Oslo^nosuchfield=1^ORDERBYDESCname"})
    assert [a.name for a in response.context["cl"].result_list] == ["Bolt", "Acme"]
    shown = [str(message) for message in response.context["messages"]]
    assert len(shown) == 1 and "nosuchfield=1" in shown[0]

    # The query stays in the list's own links (here: the search box's hidden fields).
    response = browser.get(url, {"sysparm_query": "city=Oslo", "q": "bolt"})
    assert [a.name for a in response.context["cl"].result_list] == ["Bolt"]
    assert '<input type="hidden" name="sysparm_query" value="city=Oslo">' in response.content.decode()


def test_every_registered_list_has_the_query_box_and_export_link(browser):
    from csm_project.registry import all_tables

    tables = {spec.model for spec in all_tables().values()}
    checked = 0
    for model in admin.site._registry:
        if model not in tables:
            continue
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        page = browser.get(url, {"sysparm_query": "sys_created_on>2000-01-01 00:00:00"})
        assert page.status_code == 200, url
        body = page.content.decode()
        assert 'name="sysparm_query"' in body and "Export filtered as CSV" in body, url
        checked += 1
    assert checked >= 15


def test_export_filtered_and_selected_load_back_with_import_records(browser, tmp_path):
    kept = [Account.objects.create(name=f"Export {n}", city="Oslo", customer=bool(n % 2)) for n in range(3)]
    Account.objects.create(name="Other", city="Lima")
    url = reverse("admin:contacts_account_export")

    response = browser.get(url, {"sysparm_query": "city=Oslo"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode()
    records = list(csv.DictReader(io.StringIO(text)))
    assert sorted(r["name"] for r in records) == ["Export 0", "Export 1", "Export 2"]

    selected = browser.post(
        reverse("admin:contacts_account_changelist"),
        {"action": "export_selected_csv", "_selected_action": [kept[0].pk, kept[1].pk]},
    )
    assert selected.status_code == 200
    selected_rows = list(csv.DictReader(io.StringIO(b"".join(selected.streaming_content).decode())))
    assert sorted(r["sys_id"] for r in selected_rows) == sorted([kept[0].pk, kept[1].pk])

    # System fields are stamped by the load itself (the creation time is the load's), not read from the file.
    before = {a.pk: (a.name, a.number, a.customer) for a in kept}
    Account.objects.filter(pk__in=before).delete()
    path = tmp_path / "accounts.csv"
    path.write_text(text, encoding="utf-8")
    call_command("import_records", "customer_account", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    after = {a.pk: (a.name, a.number, a.customer) for a in Account.objects.filter(pk__in=before)}
    assert after == before


def test_export_needs_a_staff_login(client):
    response = client.get(reverse("admin:contacts_account_export"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_no_form_lists_every_row_of_a_large_table(browser, staff):
    """Each admin form (and inline) shows references to large tables as raw-id or autocomplete
    boxes; only short catalogues are drop-downs."""
    request = browser.get(reverse("admin:index")).wsgi_request
    request.user = staff
    offenders = []
    for model_admin in admin.site._registry.values():
        form_admins = [model_admin, *model_admin.get_inline_instances(request)]
        for form_admin in form_admins:
            for field in form_admin.model._meta.get_fields():
                if not (field.many_to_one or field.one_to_one) or not field.concrete or field.auto_created:
                    continue
                target = getattr(field.related_model, "sys_table", "")
                if not target or target in SMALL_TABLES:
                    continue
                formfield = form_admin.formfield_for_dbfield(field, request)
                if formfield is None:
                    continue
                widget = getattr(formfield.widget, "widget", formfield.widget)
                if not isinstance(widget, (ForeignKeyRawIdWidget, AutocompleteSelect)):
                    offenders.append(f"{type(form_admin).__name__}.{field.name}")
    assert offenders == []


def test_contact_list_filters_do_not_enumerate_accounts(browser):
    for n in range(30):
        AccountFactory(name=f"Filtered account {n}")
    page = browser.get(reverse("admin:contacts_contact_changelist")).content.decode()
    assert "Filtered account 7" not in page


def test_journal_list_links_records_newest_first(browser, staff):
    lead = Lead.objects.create(last_name="Journal")
    account = Account.objects.create(name="Journal Account")
    with acting_as(staff):
        journal_add(record=lead, text="first")
        journal_add(record=account, text="second")
    response = browser.get(reverse("admin:core_journalentry_changelist"))
    entries = list(response.context["cl"].result_list)
    assert [e.value for e in entries[:2]] == ["second", "first"]
    body = response.content.decode()
    assert f'<a href="{reverse("admin:leads_lead_change", args=[lead.pk])}">{lead.number}</a>' in body
    assert f'<a href="{reverse("admin:contacts_account_change", args=[account.pk])}">Journal Account</a>' in body
    assert JournalEntry.objects.count() >= 2


def test_audit_list_is_read_only(browser):
    account = Account.objects.create(name="Audited")
    row = SysAudit.objects.filter(documentkey=account.pk).first()
    assert browser.get(reverse("admin:core_sysaudit_changelist"), {"q": account.pk}).status_code == 200
    page = browser.get(reverse("admin:core_sysaudit_change", args=[row.pk]))
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert browser.get(reverse("admin:core_sysaudit_add")).status_code == 403
    assert browser.post(reverse("admin:core_sysaudit_delete", args=[row.pk]), {"post": "yes"}).status_code == 403
    assert SysAudit.objects.filter(pk=row.pk).exists()
    assert Contact.objects.count() == 0


def test_export_with_a_filter_the_list_cannot_read_goes_back_to_the_list(browser):
    response = browser.get(reverse("admin:contacts_account_export"), {"no_such_filter": "1"})
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:contacts_account_changelist") + "?e=1"


def test_record_page_links_its_whole_audit_history(browser):
    account = Account.objects.create(name="Linked")
    other = Account.objects.create(name="Not this one")
    page = browser.get(reverse("admin:contacts_account_change", args=[account.pk])).content.decode()
    link = reverse("admin:core_sysaudit_changelist") + f"?sysparm_query=documentkey={account.pk}"
    assert f'href="{link}"' in page
    listed = browser.get(link).context["cl"].result_list
    assert {row.documentkey for row in listed} == {account.pk} and other.pk != account.pk


def test_a_role_name_with_a_control_character_is_refused(browser):
    """A user's role names are read joined by a newline: a name holding one could pass for two."""
    url = reverse("admin:core_role_add")
    refused = browser.post(url, {"name": "x\ncsm_ws_integration", "description": ""})
    assert refused.status_code == 200
    assert "A role name cannot hold control characters." in refused.content.decode()
    assert not Role.objects.filter(name__startswith="x").exists()
    assert browser.post(url, {"name": "sn_custom.viewer", "description": ""}).status_code == 302
    assert Role.objects.filter(name="sn_custom.viewer").exists()
