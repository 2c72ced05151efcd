"""Writes of leads and their line items: one transaction per call, through the one record write
(``csm_project.core.records.services``) with the rules here, however data arrives (API, admin,
commands, the Table API, imports).

Rules kept here:
- Moving a lead to a closed stage stamps ``closed_date`` (``lead_stamp_closing``, run by
  ``LeadRules``).
- A lead's email and phone numbers have their forms; its score is a whole number from 1 to 100
  (``lead_rule_errors``, run by ``LeadRules`` once per write).
- Every line item created or changed writes a journal entry on its lead describing the change,
  in the platform's format, and counts as one update of the lead (``sys_mod_count`` + 1 each,
  done with an ``F()`` update); the lead's own work note is written with the lead's save and
  does not count apart (the seed: 1 after a POST with one line item, 4 after the PATCH
  example: 1 + the field update + two line-item entries).

The Lead API reads its body into typed values, prepares the write (``lead_prepare``: every
refusal, no write), words the refusals its own way, then saves it (``lead_save``).
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from csm_project.core.access.actor import current_actor_name
from csm_project.core.errors import INVALID, UNIQUE, DomainError, FieldError
from csm_project.core.records.hooks import RecordRules
from csm_project.core.records.journal import journal_add
from csm_project.core.records.services import Write, record_prepare, record_save
from leads.models import CLOSED_STAGES, LINE_ITEM_TABLE, GroupMember, Lead, LeadLineItem, ProductOffering, UnitOfMeasure
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


@dataclass
class LeadWrite:
    """A lead's write prepared by ``lead_prepare``: the lead's, then each line item's, and
    every refusal among them in a stable order (``errors``)."""

    lead: Write
    items: list[tuple[LineItemChange, Write]]
    errors: list[FieldError]
    work_note: str | None = None  # a new lead's, written after its line items


def lead_prepare(
    *, lead: Lead | None, values: dict[str, Any], line_items: list[LineItemChange], work_note: str | None
) -> LeadWrite:
    """Prepare the write of ``lead`` (a new one when None; locked by the caller with
    ``select_for_update`` when rules depend on its state) from typed ``values`` (model field
    names), with its line items. Runs no query; writes nothing."""
    creating = lead is None
    record = Lead() if creating else lead
    # A new lead's work note is written last (the newest entry of its journal); a changed
    # lead's with its save, before the line items' entries.
    note = None if creating else work_note
    write = record_prepare(record, values, creating=creating, work_note=note, touch=bool(note))
    errors = list(write.errors)
    items = []
    for change in line_items:
        item = change.item if change.item is not None else LeadLineItem(lead=record)
        item_values = dict(change.values) if change.item is not None else {"lead": record, **change.values}
        item_write = record_prepare(
            item, item_values, creating=change.item is None, work_note=change.work_note, touch=bool(change.work_note)
        )
        prefix = f"lead_line_items[{change.position}]/"
        errors += [FieldError(prefix + e.field, e.message, e.code) for e in item_write.errors if e.field != "lead"]
        item_write.errors = []  # told above, under the item's name
        items.append((change, item_write))
    return LeadWrite(lead=write, items=items, errors=errors, work_note=work_note if creating else None)


@transaction.atomic
def lead_save(prepared: LeadWrite) -> tuple[Lead, LeadRelated]:
    """Write a prepared lead (raises its refusals as one ``DomainError``, writing nothing), then
    its line items: new ones first, then changes to existing ones, so the journal reads, newest
    first, as in the seed's PATCH example (the update of LEADL0000003 above the creation).

    Answers the lead as its row now stands and, for a new lead, its line items and work notes
    in the order ``leads.selectors.lead_related`` reads them, so a caller can show the new lead
    without reading it back."""
    if prepared.errors:
        raise DomainError(prepared.errors)
    write = prepared.lead
    lead = record_save(write)
    written = LeadRelated()
    entries = 0
    for change, item_write in prepared.items:
        if change.item is None:
            _create_line_item(lead, item_write, written)
            entries += 1
    for change, item_write in prepared.items:
        if change.item is not None and _update_line_item(lead, item_write):
            entries += 1
    _count_line_item_entries(lead, entries)
    if prepared.work_note:
        written.lead_notes.setdefault(lead.pk, []).append(journal_add(record=lead, text=prepared.work_note))
    # The reads' orders: items by creation time then number, work notes newest first.
    for items in written.line_items.values():
        items.sort(key=lambda item: (item.sys_created_on, item.number))
    for notes in written.lead_notes.values():
        notes.sort(key=lambda note: (note.sys_created_on, note.sys_id), reverse=True)
    return lead, written


def _create_line_item(lead: Lead, write: Write, written: LeadRelated) -> LeadLineItem:
    item = record_save(write)
    if write.work_note:
        written.item_notes[item.pk] = [write.note]
    entry = journal_add(record=lead, text=line_item_created_text(item))
    written.line_items.setdefault(lead.pk, []).append(item)
    written.lead_notes.setdefault(lead.pk, []).append(entry)
    return item


def _update_line_item(lead: Lead, write: Write) -> bool:
    """Save the change of an item; True when a journal entry was written on the lead."""
    item = record_save(write)
    changes = {name: (getattr(item, name), _previous(item, name, old)) for name, old in write.changed.items()}
    if changes:
        journal_add(record=lead, text=line_item_updated_text(item, changes))
    return bool(changes)


def _previous(item: LeadLineItem, name: str, old: Any) -> Any:
    """The value a field held, a reference as its record (the journal shows its name)."""
    model_field = item._meta.get_field(name)
    if model_field.is_relation and old is not None:
        return model_field.related_model._base_manager.filter(pk=old).first()
    return old


class GroupMemberRules(RecordRules):
    """A user is a member of a group once: adding them again is refused, naming ``user``."""

    def clean(self, record: GroupMember, *, creating: bool, changed: dict[str, Any]) -> list[FieldError]:
        if not (creating or "user" in changed or "group" in changed) or not (record.user_id and record.group_id):
            return []
        others = GroupMember.objects.filter(user_id=record.user_id, group_id=record.group_id).exclude(pk=record.pk)
        if others.exists():
            return [FieldError("user", "The user is already a member of this group.", UNIQUE)]
        return []
