"""Reads of leads with everything the Lead API shows about them.

A page of leads costs a constant number of queries whatever its size (docs/lead-api.md, asserted by
the tests): the leads' own rows, then what is shown of their references (one query per kind in
use), their line items with the items' offerings and units, and the work notes of the leads and
of the line items with their authors (one query each). Those reads are ``PreparedQuery``s: their
SQL is built once per shape, which cost more CPU than the database spent answering it.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import QuerySet

from csm_project.core.models import JournalEntry, is_sys_id
from csm_project.core.records.journal import journal_of_tables
from csm_project.core.records.queries import apply_encoded_query
from csm_project.core.sql.prepared import PreparedQuery, attach_references, by_sys_ids, own_columns
from csm_project.registry import get_table
from leads.models import LEAD_TABLE, LINE_ITEM_TABLE, Lead, LeadLineItem, ProductOffering, UnitOfMeasure

# For ``lead_queryset`` (a lead with its references as whole objects, for dot-walks): the
# references it joins, and those it fetches by one query each (a contact is two tables,
# similar_lead a self-join; joining all six cost ~5 ms of planning a page on 100k leads).

JOINED_REFERENCES = ("owner", "account", "consumer", "lead_group")
PREFETCHED_REFERENCES = ("contact", "similar_lead")
LEAD_REFERENCES = (*JOINED_REFERENCES, *PREFETCHED_REFERENCES)
LINE_ITEM_REFERENCES = ("product_offering", "unit_of_measurement")


@dataclass
class LeadRelated:
    """What a set of leads carries besides its own row: line items and work notes by sys_id."""

    line_items: dict[str, list[LeadLineItem]] = field(default_factory=dict)
    lead_notes: dict[str, list[JournalEntry]] = field(default_factory=dict)
    item_notes: dict[str, list[JournalEntry]] = field(default_factory=dict)


# A page's line items (in the API's order) with what is shown of their references joined in
# (sys_id, display value and the offering's code; other columns load on first use): built once
# (per page size on SQLite), one object per distinct offering and unit.
_LINE_ITEMS = PreparedQuery(
    LeadLineItem,
    lambda lead_ids: (
        LeadLineItem.objects.filter(lead_id__any=lead_ids)
        .select_related(*LINE_ITEM_REFERENCES)
        .only(
            *own_columns(LeadLineItem),
            f"product_offering__{ProductOffering.sys_display_field}",
            "product_offering__code",
            f"unit_of_measurement__{UnitOfMeasure.sys_display_field}",
        )
        .order_by("lead_id", "sys_created_on", "number")
    ),
    "lead_ids",
)


def lead_queryset() -> QuerySet[Lead]:
    """Leads with their references loaded (a constant number of queries per page): the list
    pages this when ``sysparm_fields`` dot-walks through a reference, ``lead_page_queryset``
    otherwise."""
    return Lead.objects.select_related(*JOINED_REFERENCES).prefetch_related(*PREFETCHED_REFERENCES)


def lead_page_queryset() -> QuerySet[Lead]:
    """Leads with their own columns only, for a list to filter, order and page: ``lead_related``
    then reads what is shown of their references (sys_id and display value), one query per kind
    of reference in use. Joining the references into the page query made Django build SQL for
    every referenced table on every page, and built one object per row rather than per record.
    A dot-walk reads other columns of a reference: that list joins them (``lead_queryset``)."""
    return Lead.objects.all()


# The order a list of leads takes when the client asks for none: creation order, then sys_id
# (served by an index on PostgreSQL, leads/migrations/0002; ordering by number would sort the
# whole table on every page).
LEAD_LIST_ORDER = ("sys_created_on",)

# The list as integrations page through it (no sysparm_query, no dot-walk): the SQL the encoded
# query filter gives it, built once, with the page's offset and limit as bound parameters.
_LEADS_IN_LIST_ORDER = PreparedQuery(
    Lead,
    lambda: apply_encoded_query(
        lead_page_queryset(), "", table=get_table(LEAD_TABLE), default_ordering=LEAD_LIST_ORDER
    ),
    paged=True,
)


def leads_in_list_order(*, offset: int, limit: int) -> list[Lead]:
    """A page of all the leads in the list's default order (what ``lead_page_queryset`` with no
    encoded query gives), without building its SQL."""
    return _LEADS_IN_LIST_ORDER.run(offset=offset, limit=limit)


# What a page shows of each reference of a lead: its sys_id and display value.
_REFERENCES_SHOWN = {
    name: by_sys_ids(target, target.sys_display_field)
    for name, target in ((name, Lead._meta.get_field(name).related_model) for name in LEAD_REFERENCES)
}


# A lead by sys_id, its own columns: the SQL built once (a get is mostly that cost otherwise).
_LEAD_BY_ID = by_sys_ids(Lead)


def lead_get(*, sys_id: str) -> Lead | None:
    """The lead, or None for an unknown or malformed sys_id (never an error)."""
    if not is_sys_id(sys_id):
        return None
    found = _LEAD_BY_ID.run(sys_ids=[sys_id])  # its references are read by lead_related
    return found[0] if found else None


def lead_related(*, leads: list[Lead], line_items: bool = True, lead_notes: bool = True) -> LeadRelated:
    """Line items and work notes of ``leads``: the line items, their offerings and units (one
    query each), then the notes of the leads and of their line items together with their
    authors (one query each); none when not asked for. First, the references of the leads that
    were read without them (``lead_page_queryset``): one query per kind in use."""
    related = LeadRelated()
    ids = [lead.pk for lead in leads]
    if not ids:
        return related
    for name, targets in _REFERENCES_SHOWN.items():  # those not loaded with the leads
        attach_references(leads, name, targets)
    item_ids: list[str] = []
    if line_items:
        by_lead: dict[str, list[LeadLineItem]] = defaultdict(list)
        for item in _LINE_ITEMS.run(lead_ids=ids):
            by_lead[item.lead_id].append(item)
            item_ids.append(item.pk)
        related.line_items = by_lead
    notes = journal_of_tables(sys_ids_by_table={LEAD_TABLE: ids if lead_notes else (), LINE_ITEM_TABLE: item_ids})
    for entry_list in notes.values():
        table = entry_list[0].name
        target = related.lead_notes if table == LEAD_TABLE else related.item_notes
        target[entry_list[0].element_id] = entry_list
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
