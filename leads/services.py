"""Writes of leads and their line items: one transaction per call, the domain rules that hold
however data arrives (API, admin, commands).

Rules kept here:
- Numbers are drawn on insert (``LEAD…``, ``LEADL…``) inside the transaction.
- Moving a lead to a closed stage stamps ``closed_date``.
- Every line item created or changed writes a journal entry on its lead describing the change,
  in the platform's format, and counts as one update of the lead (``sys_mod_count`` + 1 each,
  done with an ``F()`` update); the lead's own work note is written with the lead's save and
  does not count apart (the seed: 1 after a POST with one line item, 4 after the PATCH
  example: 1 + the field update + two line-item entries).

- A lead's email and phone numbers have their forms; its score is a whole number from 1 to 100
  (``lead_rule_errors``; ``LeadRules`` applies them to every generic record write).

``lead_create``/``lead_update`` take already-read values from the Lead API (which checks them
with ``lead_rule_errors`` too, and reports in its own shape).
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from csm_project.core.access.actor import current_actor_name
from csm_project.core.errors import INVALID, REQUIRED, DomainError, FieldError
from csm_project.core.records.field_rules import table_rules
from csm_project.core.records.hooks import RecordRules
from csm_project.core.records.journal import journal_add
from leads.models import CLOSED_STAGES, LEAD_TABLE, LINE_ITEM_TABLE, Lead, LeadLineItem, ProductOffering, UnitOfMeasure
from leads.selectors import LeadRelated

EMAIL_PATTERN = re.compile(
    r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+"
)
# Digits with an optional leading +, spaces, dashes, dots and parentheses; 7 to 15 digits.
PHONE_PATTERN = re.compile(r"\+?[0-9 ().-]+")
PHONE_DIGITS = (7, 15)
PHONE_FIELDS = ("business_phone", "mobile_phone")
LEAD_SCORE_RANGE = (1, 100)

INVALID_EMAIL = "Invalid email address."
INVALID_PHONE = "Invalid phone number."
INVALID_LEAD_SCORE = "Lead score must be a whole number from 1 to 100."

# Line item fields as the journal names them, in the platform's order.
LINE_ITEM_LABELS = (
    ("product_offering", "Product Offering"),
    ("quantity", "Quantity"),
    ("unit_of_measurement", "Unit of Measure"),
    ("external_id", "External ID"),
    ("external_system", "External System"),
)


@dataclass
class LineItemChange:
    """One line item of a request: ``item`` is the existing item to update, or None to create.

    ``values`` maps model field names to new values: ``product_offering`` a ProductOffering,
    ``unit_of_measurement`` a UnitOfMeasure or None, ``quantity`` an int, external ids strings.
    """

    item: LeadLineItem | None = None
    values: dict[str, Any] = field(default_factory=dict)
    work_note: str | None = None
    position: int = 0  # its place in the caller's list, naming its errors ``lead_line_items[<position>]/...``


def email_is_valid(value: Any) -> bool:
    return value in (None, "") or (isinstance(value, str) and EMAIL_PATTERN.fullmatch(value) is not None)


def phone_is_valid(value: Any) -> bool:
    if value in (None, ""):
        return True
    if not isinstance(value, str) or not PHONE_PATTERN.fullmatch(value):
        return False
    low, high = PHONE_DIGITS
    return low <= sum(char.isdigit() for char in value) <= high


def lead_score_is_valid(value: Any) -> bool:
    """A whole number from 1 to 100 (``None``: no score)."""
    if value is None:
        return True
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        return False
    low, high = LEAD_SCORE_RANGE
    return value == int(value) and low <= value <= high


def lead_rule_errors(values: dict[str, Any]) -> list[FieldError]:
    """The lead rules the given values (model field name -> value) break."""
    errors = []
    if "email" in values and not email_is_valid(values["email"]):
        errors.append(FieldError("email", INVALID_EMAIL, INVALID))
    for name in PHONE_FIELDS:
        if name in values and not phone_is_valid(values[name]):
            errors.append(FieldError(name, INVALID_PHONE, INVALID))
    if "lead_score" in values and not lead_score_is_valid(values["lead_score"]):
        errors.append(FieldError("lead_score", INVALID_LEAD_SCORE, INVALID))
    return errors


def lead_errors(*, values: dict[str, Any], line_items: list[LineItemChange], creating: bool) -> list[FieldError]:
    """Every rule a lead write breaks, in a stable order: mandatory fields, the lead's own rules
    (email, phones, score), other field rules, then each line item's. Runs no query."""
    checked = table_rules(LEAD_TABLE).check_values(values, creating=creating)
    required = [error for error in checked if error.code == REQUIRED]
    own = lead_rule_errors(values)
    named = {error.field for error in required + own}
    errors = required + own + [error for error in checked if error.field not in named]
    item_rules = table_rules(LINE_ITEM_TABLE)
    for change in line_items:
        errors += item_rules.check_values(
            change.values,
            creating=change.item is None,
            exclude=("lead",),
            prefix=f"lead_line_items[{change.position}]/",
        )
    return errors


def lead_stamp_closing(lead: Lead, *, previous_stage: str | None, creating: bool) -> None:
    """Moving to a closed stage stamps ``closed_date`` with now; a lead created closed keeps
    a closed date it was given."""
    if lead.stage not in CLOSED_STAGES or previous_stage in CLOSED_STAGES:
        return
    if creating and lead.closed_date is not None:
        return
    lead.closed_date = timezone.now()


class LeadRules(RecordRules):
    """Lead rules for every generic write (Table API, admin, imports)."""

    def clean(self, record: Lead, *, creating: bool, changed: dict[str, Any]) -> list[FieldError]:
        names = [f.name for f in record._meta.concrete_fields] if creating else list(changed)
        errors = lead_rule_errors({name: getattr(record, name) for name in names if name in _LEAD_RULE_FIELDS})
        if creating or "stage" in changed:
            lead_stamp_closing(record, previous_stage=changed.get("stage"), creating=creating)
        return errors


class LineItemRules(RecordRules):
    """A line item counts at least one unit."""

    def clean(self, record: LeadLineItem, *, creating: bool, changed: dict[str, Any]) -> list[FieldError]:
        if (creating or "quantity" in changed) and (record.quantity or 0) < 1:
            return [FieldError("quantity", "Quantity must be 1 or more.", INVALID)]
        return []


_LEAD_RULE_FIELDS = frozenset({"email", *PHONE_FIELDS, "lead_score"})


def _display(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (ProductOffering, UnitOfMeasure)):
        return value.name
    return str(value)


def _item_link(item: LeadLineItem) -> str:
    return f"Lead Line Item [code]<a href='/{LINE_ITEM_TABLE}.do?sys_id={item.pk}'>{item.number}</a>[/code]"


def line_item_created_text(item: LeadLineItem) -> str:
    """``Lead Line Item [code]<a ...>LEADL…</a>[/code] has been created  [code] <b> Product
    Offering </b> [/code] … [code] <b> Quantity </b> [/code] 1 …`` (empty fields left out)."""
    parts = "".join(
        f" [code] <b> {label} </b> [/code] {_display(getattr(item, name))}"
        for name, label in LINE_ITEM_LABELS
        if getattr(item, name) not in (None, "")
    )
    return f"{_item_link(item)} has been created {parts}"


def line_item_updated_text(item: LeadLineItem, changes: dict[str, tuple[Any, Any]]) -> str:
    """``… has been updated  [code] <b> Quantity </b> [/code] 10 [code] <i>was</i> [/code] 6``."""
    parts = []
    for name, label in LINE_ITEM_LABELS:
        if name not in changes:
            continue
        new, old = changes[name]
        part = f" [code] <b> {label} </b> [/code] {_display(new)}"
        if old not in (None, ""):
            part += f" [code] <i>was</i> [/code] {_display(old)}"
        parts.append(part)
    return f"{_item_link(item)} has been updated {''.join(parts)}"


def _unchanged(record: Lead | LeadLineItem, name: str, new: Any) -> bool:
    """True when ``record.name`` already holds ``new``; references compare by sys_id without
    loading the referenced row."""
    model_field = record._meta.get_field(name)
    if model_field.is_relation:
        return getattr(record, model_field.attname) == getattr(new, "pk", new)
    return getattr(record, name) == new


def _count_line_item_entries(lead: Lead, entries: int) -> None:
    """Count ``entries`` updates of ``lead``'s row; ``lead`` follows when it holds the count (not
    after a save, which leaves the count to be read again), so a caller can show it as stored."""
    if entries:
        now, actor = timezone.now(), current_actor_name()
        Lead.objects.filter(pk=lead.pk).update(
            sys_mod_count=F("sys_mod_count") + entries, sys_updated_on=now, sys_updated_by=actor
        )
        if "sys_mod_count" in lead.__dict__:
            lead.sys_mod_count, lead.sys_updated_on, lead.sys_updated_by = lead.sys_mod_count + entries, now, actor


def _create_line_item(lead: Lead, change: LineItemChange, written: LeadRelated | None = None) -> LeadLineItem:
    item = LeadLineItem(lead=lead, **change.values)
    item.save()
    if change.work_note:
        note = journal_add(record=item, text=change.work_note)
        if written is not None:
            written.item_notes[item.pk] = [note]
    entry = journal_add(record=lead, text=line_item_created_text(item))
    if written is not None:
        written.line_items.setdefault(lead.pk, []).append(item)
        written.lead_notes.setdefault(lead.pk, []).append(entry)
    return item


def _update_line_item(lead: Lead, change: LineItemChange) -> bool:
    """Apply ``change`` to its item; True when a journal entry was written on the lead."""
    item = change.item
    changes = {
        name: (value, getattr(item, name)) for name, value in change.values.items() if not _unchanged(item, name, value)
    }
    if changes or change.work_note:
        for name, (value, _old) in changes.items():
            setattr(item, name, value)
        item.save(update_fields=list(changes))
    if change.work_note:
        journal_add(record=item, text=change.work_note)
    if changes:
        journal_add(record=lead, text=line_item_updated_text(item, changes))
    return bool(changes)


def lead_create(*, values: dict[str, Any], line_items: list[LineItemChange], work_note: str | None) -> Lead:
    """Insert a lead (model field names -> values) with its line items and work note; raises
    ``DomainError`` (nothing written) when a rule of ``lead_errors`` fails."""
    return lead_create_written(values=values, line_items=line_items, work_note=work_note)[0]


@transaction.atomic
def lead_create_written(
    *, values: dict[str, Any], line_items: list[LineItemChange], work_note: str | None
) -> tuple[Lead, LeadRelated]:
    """``lead_create``, also answering what it wrote: the lead as its row now stands and its
    line items and work notes in the order ``leads.selectors.lead_related`` reads them, so a
    caller can show the new lead without reading it back."""
    errors = lead_errors(values=values, line_items=line_items, creating=True)
    if errors:
        raise DomainError(errors)
    lead = Lead(**values)
    lead_stamp_closing(lead, previous_stage=None, creating=True)
    lead.save()
    written = LeadRelated()
    for change in line_items:
        _create_line_item(lead, change, written)
    _count_line_item_entries(lead, len(line_items))
    if work_note:
        written.lead_notes.setdefault(lead.pk, []).append(journal_add(record=lead, text=work_note))
    # The reads' orders: items by creation time then number, work notes newest first.
    for items in written.line_items.values():
        items.sort(key=lambda item: (item.sys_created_on, item.number))
    for notes in written.lead_notes.values():
        notes.sort(key=lambda note: (note.sys_created_on, note.sys_id), reverse=True)
    return lead, written


@transaction.atomic
def lead_update(*, lead: Lead, values: dict[str, Any], line_items: list[LineItemChange], work_note: str | None) -> Lead:
    """Change the given fields of ``lead`` (only those that differ), then its line items.

    ``lead`` should be locked by the caller (``select_for_update``) when rules depend on its
    current state. Raises ``DomainError`` (nothing written) when a rule of ``lead_errors`` fails.
    """
    errors = lead_errors(values=values, line_items=line_items, creating=False)
    if errors:
        raise DomainError(errors)
    changed = {name: value for name, value in values.items() if not _unchanged(lead, name, value)}
    if "stage" in changed and changed["stage"] in CLOSED_STAGES and lead.stage not in CLOSED_STAGES:
        changed["closed_date"] = timezone.now()  # lead_stamp_closing's rule, on the values to write
    if changed or work_note:
        for name, value in changed.items():
            setattr(lead, name, value)
        lead.save(update_fields=list(changed))
    if work_note:
        journal_add(record=lead, text=work_note)
    # New items first, then changes to existing ones: the journal then reads, newest first,
    # as in the seed's PATCH example (the update of LEADL0000003 above the creation).
    entries = 0
    for change in line_items:
        if change.item is None:
            _create_line_item(lead, change)
            entries += 1
    for change in line_items:
        if change.item is not None and _update_line_item(lead, change):
            entries += 1
    _count_line_item_entries(lead, entries)
    return lead
