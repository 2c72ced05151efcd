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

Callers validate first (``leads.processing``); these functions trust their input.
"""

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from csm_project.core.actor import current_actor_name
from csm_project.core.journal import journal_add
from leads.models import CLOSED_STAGES, LINE_ITEM_TABLE, Lead, LeadLineItem, ProductOffering, UnitOfMeasure

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


def _display(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (ProductOffering, UnitOfMeasure)):
        return value.name
    return str(value)


def _item_link(item: LeadLineItem) -> str:
    return (
        f"Lead Line Item [code]<a href='/{LINE_ITEM_TABLE}.do?sys_id={item.pk}'>{item.number}</a>[/code]"
    )


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
    if entries:
        Lead.objects.filter(pk=lead.pk).update(
            sys_mod_count=F("sys_mod_count") + entries,
            sys_updated_on=timezone.now(),
            sys_updated_by=current_actor_name(),
        )


def _create_line_item(lead: Lead, change: LineItemChange) -> LeadLineItem:
    item = LeadLineItem(lead=lead, **change.values)
    item.save()
    if change.work_note:
        journal_add(record=item, text=change.work_note)
    journal_add(record=lead, text=line_item_created_text(item))
    return item


def _update_line_item(lead: Lead, change: LineItemChange) -> bool:
    """Apply ``change`` to its item; True when a journal entry was written on the lead."""
    item = change.item
    changes = {
        name: (value, getattr(item, name))
        for name, value in change.values.items()
        if not _unchanged(item, name, value)
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


@transaction.atomic
def lead_create(*, values: dict[str, Any], line_items: list[LineItemChange], work_note: str | None) -> Lead:
    """Insert a lead (model field names -> values) with its line items and work note."""
    lead = Lead(**values)
    if lead.stage in CLOSED_STAGES and lead.closed_date is None:
        lead.closed_date = timezone.now()
    lead.save()
    for change in line_items:
        _create_line_item(lead, change)
    _count_line_item_entries(lead, len(line_items))
    if work_note:
        journal_add(record=lead, text=work_note)
    return lead


@transaction.atomic
def lead_update(
    *, lead: Lead, values: dict[str, Any], line_items: list[LineItemChange], work_note: str | None
) -> Lead:
    """Change the given fields of ``lead`` (only those that differ), then its line items.

    ``lead`` should be locked by the caller (``select_for_update``) when rules depend on its
    current state.
    """
    changed = {name: value for name, value in values.items() if not _unchanged(lead, name, value)}
    if "stage" in changed and changed["stage"] in CLOSED_STAGES and lead.stage not in CLOSED_STAGES:
        changed["closed_date"] = timezone.now()
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
