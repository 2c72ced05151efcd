"""The generic record services: every registry table can be created, changed and deleted through
them, and the domain rules hold on the way (fields, choices, references, the tables' own rules)."""

from decimal import Decimal
from itertools import count

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contacts.models import Account, Contact, SocialChannel, SocialProfile
from csm_project.core.access.actor import acting_as
from csm_project.core.errors import CHOICE, REFERENCE, REQUIRED, UNIQUE, DomainError, ProtectedRecord
from csm_project.core.models import JournalEntry
from csm_project.core.records.choices import choices_ensure
from csm_project.core.records.field_rules import check_references, table_rules
from csm_project.core.records.services import record_create, record_delete, record_update
from csm_project.registry import FieldType, all_tables
from interactions.models import Interaction, InteractionConnector
from leads.models import LEAD_TABLE, LINE_ITEM_TABLE, Lead, LeadLineItem, ProductOffering

pytestmark = pytest.mark.django_db

_serial = count(1)

STAGES = [
    ("100_new", "New"),
    ("200_contacted", "Contacted"),
    ("400_closed_won", "Qualified"),
    ("500_closed_lost", "Disqualified"),
]


@pytest.fixture
def stages():
    choices_ensure(table=LEAD_TABLE, element="stage", values=STAGES)


def minimal_values(table: str) -> dict:
    """Wire values for the mandatory fields of ``table``, creating the records they refer to."""
    rules = table_rules(table)
    values = {}
    for rule in rules.required:
        kind = rule.spec.type
        if kind is FieldType.REFERENCE:
            values[rule.name] = record_create(table=rule.spec.reference, values=minimal_values(rule.spec.reference)).pk
        elif kind is FieldType.CHOICE:
            allowed = rules.load_choices([rule.name])[rule.name]
            values[rule.name] = next(iter(allowed), f"c{next(_serial)}")
        elif kind in (FieldType.INTEGER, FieldType.DECIMAL):
            values[rule.name] = "1"
        elif kind is FieldType.BOOLEAN:
            values[rule.name] = "true"
        elif kind is FieldType.DATETIME:
            values[rule.name] = "2024-05-20 10:32:41"
        elif kind is FieldType.DATE:
            values[rule.name] = "2024-05-20"
        elif kind is FieldType.JSON:
            values[rule.name] = {"a": 1}
        else:
            values[rule.name] = f"v{next(_serial)}"
    return values


@pytest.mark.parametrize("table", sorted(name for name, spec in all_tables().items() if not spec.derived))
def test_every_registry_table_is_created_changed_and_deleted(table):
    record = record_create(table=table, values=minimal_values(table))
    model = type(record)
    assert model._base_manager.filter(pk=record.pk).exists()
    assert record.sys_class_name == table

    text_fields = [
        rule
        for rule in table_rules(table).fields.values()
        if rule.spec.type is FieldType.STRING and not rule.model_field.unique
    ]
    if text_fields:
        rule = text_fields[0]
        record_update(instance=record, values={rule.name: "changed"})
        assert getattr(model._base_manager.get(pk=record.pk), rule.attname) == "changed"

    record_delete(instance=record)
    assert not model._base_manager.filter(pk=record.pk).exists()


def test_a_refused_write_names_each_bad_field_and_writes_nothing(stages):
    before = Lead.objects.count()
    with pytest.raises(DomainError) as caught:
        record_create(
            table=LEAD_TABLE,
            values={
                "stage": "999_bogus",
                "owner": "0" * 32,
                "email": "not-an-email",
                "lead_score": "40.5",
                "reason": "r" * 41,
            },
        )
    codes = {error.field: error.code for error in caught.value.errors}
    assert codes["stage"] == CHOICE
    assert codes["owner"] == REFERENCE
    assert codes["last_name"] == REQUIRED
    assert set(codes) == {"stage", "owner", "email", "lead_score", "reason", "last_name"}
    assert Lead.objects.count() == before


def test_unknown_and_system_fields_are_ignored_and_empty_clears(stages):
    lead = record_create(
        table=LEAD_TABLE,
        values={
            "last_name": "Wilson",
            "city": "Paris",
            "nonsense": "x",
            "sys_id": "f" * 32,
            "sys_mod_count": "9",
            "number": "LEAD9999999",
        },
    )
    assert lead.pk != "f" * 32
    assert lead.number.startswith("LEAD") and lead.number != "LEAD9999999"
    record_update(instance=lead, values={"city": ""})
    stored = Lead.objects.get(pk=lead.pk)
    assert stored.city is None
    assert stored.sys_mod_count == 1


def test_lead_rules_hold_on_generic_writes(stages):
    lead = record_create(table=LEAD_TABLE, values={"last_name": "Wilson", "lead_score": 92})
    assert lead.closed_date is None
    with pytest.raises(DomainError) as caught:
        record_update(instance=lead, values={"lead_score": "40.5"})
    assert caught.value.fields == ["lead_score"]
    with pytest.raises(DomainError):
        record_update(instance=Lead.objects.get(pk=lead.pk), values={"lead_score": "0"})

    lead = Lead.objects.get(pk=lead.pk)
    record_update(instance=lead, values={"stage": "500_closed_lost"})
    assert Lead.objects.get(pk=lead.pk).closed_date is not None


def test_display_values_are_read_for_choices_and_references(stages, make_user):
    owner = make_user(user_name="max.blaze", first_name="Max", last_name="Blaze")
    lead = record_create(
        table=LEAD_TABLE,
        values={"last_name": "W", "stage": "Contacted", "owner": "Max Blaze"},
        input_display_value=True,
    )
    assert (lead.stage, lead.owner_id) == ("200_contacted", owner.pk)
    with pytest.raises(DomainError) as caught:
        record_create(table=LEAD_TABLE, values={"last_name": "W", "owner": "nobody"}, input_display_value=True)
    assert caught.value.errors[0].field == "owner"


def test_user_names_are_unique_without_case(make_user):
    make_user(user_name="Joe.Smith")
    with pytest.raises(DomainError) as caught:
        record_create(table="customer_contact", values={"user_name": "joe.smith", "last_name": "Smith"})
    assert (caught.value.errors[0].field, caught.value.errors[0].code) == ("user_name", UNIQUE)


def test_a_contact_gets_a_name_and_a_user_name():
    contact = record_create(table="customer_contact", values={"first_name": "Julie", "last_name": "Lewis"})
    stored = Contact.objects.get(pk=contact.pk)
    assert (stored.name, stored.user_name) == ("Julie Lewis", contact.pk)
    assert not stored.has_usable_password()


def test_interaction_is_opened_by_the_actor_and_closing_stamps_who_and_when(make_user):
    agent, other = make_user(user_name="agent"), make_user(user_name="other")
    channel = InteractionConnector.objects.create(name="chat")
    with acting_as(agent):
        interaction = record_create(table="interaction", values={"channel": channel.pk, "opened_by": other.pk})
        assert interaction.opened_by_id == agent.pk
        assert interaction.number.startswith("IMS")
        record_update(instance=interaction, values={"state": "closed_complete"})
    stored = Interaction.objects.get(pk=interaction.pk)
    assert stored.closed_by_id == agent.pk and stored.closed_at is not None
    with pytest.raises(DomainError) as caught:
        record_update(instance=stored, values={"state": "bogus"})
    assert caught.value.errors[0].code == CHOICE


def test_work_notes_become_a_journal_entry(stages):
    lead = record_create(table=LEAD_TABLE, values={"last_name": "W", "work_notes": "called them"})
    assert list(JournalEntry.objects.filter(element_id=lead.pk).values_list("value", flat=True)) == ["called them"]


def test_delete_removes_what_the_record_owns(stages):
    offering = ProductOffering.objects.create(name="Modem")
    lead = record_create(table=LEAD_TABLE, values={"last_name": "W", "work_notes": "note"})
    item = record_create(
        table=LINE_ITEM_TABLE, values={"lead": lead.pk, "product_offering": offering.pk, "work_notes": "item note"}
    )
    ids = [lead.pk, item.pk]
    assert JournalEntry.objects.filter(element_id__in=ids).count() == 2
    record_delete(instance=lead)
    assert not LeadLineItem.objects.filter(pk=item.pk).exists()
    assert not JournalEntry.objects.filter(element_id__in=ids).exists()

    account = Account.objects.create(name="Boxeo")
    contact = record_create(table="customer_contact", values={"last_name": "Lewis", "account": account.pk})
    channel = SocialChannel.objects.create(name="Twitter")
    SocialProfile.objects.create(channel=channel, social_id="@j", contact=contact)
    record_delete(instance=account)
    assert Contact.objects.get(pk=contact.pk).account_id is None
    record_delete(instance=Contact.objects.get(pk=contact.pk))
    assert not SocialProfile.objects.exists()


def test_delete_of_a_protected_record_is_refused():
    channel = InteractionConnector.objects.create(name="chat")
    record_create(table="interaction", values={"channel": channel.pk})
    with pytest.raises(ProtectedRecord):
        record_delete(instance=channel)
    assert InteractionConnector.objects.filter(pk=channel.pk).exists()


def test_references_of_many_rows_are_checked_in_one_query_per_field(stages):
    owners = [record_create(table="sys_user", values={"user_name": f"owner{n}"}).pk for n in range(20)]
    rules = table_rules(LEAD_TABLE)
    choices = rules.load_choices()
    rows = [rules.clean({"last_name": "W", "owner": owner, "stage": "100_new"}, choices=choices) for owner in owners]
    rows.append(rules.clean({"last_name": "W", "owner": "a" * 32}, choices=choices))
    with CaptureQueriesContext(connection) as queries:
        check_references(rules, rows)
    assert len(queries) == 1
    assert [row.errors for row in rows[:-1]] == [[]] * 20
    assert rows[-1].errors[0].field == "owner"
    assert rows[0].values["owner"] == owners[0]


def test_field_rules_read_wire_types_without_queries(stages):
    rules = table_rules(LEAD_TABLE)
    choices = rules.load_choices()
    with CaptureQueriesContext(connection) as queries:
        row = rules.clean(
            {
                "last_name": "W",
                "lead_score": "70",
                "do_not_call": "true",
                "stage": "200_contacted",
                "closed_date": "2024-05-20 10:32:41",
            },
            choices=choices,
        )
    assert len(queries) == 0
    assert row.errors == []
    assert row.values["lead_score"] == Decimal(70)
    assert row.values["do_not_call"] is True
