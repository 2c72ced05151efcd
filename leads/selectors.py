"""Reads of leads with everything the Lead API shows about them.

A page of leads costs a constant number of queries whatever its size (docs/lead-api.md, asserted by
the tests): the leads with their references (one joined query, plus one per multi-table
reference in use), their line items with theirs (one query), and the work notes of the leads
and of the line items (one query each).
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import QuerySet

from csm_project.core.journal import journal_for
from csm_project.core.models import JournalEntry, is_sys_id
from leads.models import LEAD_TABLE, LINE_ITEM_TABLE, Lead, LeadLineItem, ProductOffering, UnitOfMeasure

# References joined into the page query, and those fetched by one query each for the page:
# a contact is two tables (multi-table inheritance from sys_user) and similar_lead a self-join;
# joining all six made PostgreSQL's planning alone cost ~5 ms a page (measured on 100k leads)
# against ~1 ms for the four joins plus a cheap query per non-empty prefetched reference.

JOINED_REFERENCES = ("owner", "account", "consumer", "lead_group")
PREFETCHED_REFERENCES = ("contact", "similar_lead")
LINE_ITEM_REFERENCES = ("product_offering", "unit_of_measurement")


@dataclass
class LeadRelated:
    """What a set of leads carries besides its own row: line items and work notes by sys_id."""

    line_items: dict[str, list[LeadLineItem]] = field(default_factory=dict)
    lead_notes: dict[str, list[JournalEntry]] = field(default_factory=dict)
    item_notes: dict[str, list[JournalEntry]] = field(default_factory=dict)


def lead_queryset() -> QuerySet[Lead]:
    """Leads with their references loaded (a constant number of queries per page); the list
    endpoint filters and pages this."""
    return Lead.objects.select_related(*JOINED_REFERENCES).prefetch_related(*PREFETCHED_REFERENCES)


def lead_get(*, sys_id: str) -> Lead | None:
    """The lead, or None for an unknown or malformed sys_id (never an error)."""
    if not is_sys_id(sys_id):
        return None
    return lead_queryset().filter(pk=sys_id).first()


def lead_related(*, leads: list[Lead], line_items: bool = True, lead_notes: bool = True) -> LeadRelated:
    """Line items and work notes of ``leads``: at most three queries, none when not asked for."""
    related = LeadRelated()
    ids = [lead.pk for lead in leads]
    if not ids:
        return related
    if lead_notes:
        related.lead_notes = journal_for(table=LEAD_TABLE, sys_ids=ids)
    if line_items:
        by_lead: dict[str, list[LeadLineItem]] = defaultdict(list)
        rows = (
            LeadLineItem.objects.filter(lead_id__in=ids)
            .select_related(*LINE_ITEM_REFERENCES)
            .order_by("lead_id", "sys_created_on", "number")
        )
        for item in rows:
            by_lead[item.lead_id].append(item)
        related.line_items = by_lead
        item_ids = [item.pk for items in by_lead.values() for item in items]
        related.item_notes = journal_for(table=LINE_ITEM_TABLE, sys_ids=item_ids)
    return related


def line_items_of(*, lead: Lead, sys_ids: list[str]) -> dict[str, LeadLineItem]:
    """The line items of ``lead`` among ``sys_ids`` (ids of other leads' items are left out)."""
    wanted = [value for value in sys_ids if is_sys_id(value)]
    if not wanted:
        return {}
    rows = LeadLineItem.objects.filter(lead=lead, pk__in=wanted).select_related(*LINE_ITEM_REFERENCES)
    return {item.pk: item for item in rows}


def product_offerings_by_id(*, sys_ids: list[str]) -> dict[str, ProductOffering]:
    wanted = [value for value in set(sys_ids) if is_sys_id(value)]
    if not wanted:
        return {}
    return {offering.pk: offering for offering in ProductOffering.objects.filter(pk__in=wanted)}


def units_by_id(*, sys_ids: list[str]) -> dict[str, UnitOfMeasure]:
    wanted = [value for value in set(sys_ids) if is_sys_id(value)]
    if not wanted:
        return {}
    return {unit.pk: unit for unit in UnitOfMeasure.objects.filter(pk__in=wanted)}
