"""The Lead API's JSON shape (docs/lead-api.md), as plain functions over loaded rows.

Plain functions rather than DRF serializers: a page of 100 leads with 5 line items each is 600
objects, and field-by-field serializer machinery would dominate the response time. They only
shape; everything they read is already loaded (``leads.selectors``), so they run no query.

Shape: references ``{"sys_id", "name"}`` (product offering adds ``code``) or ``null``; dates
``{"value": UTC, "display_value": caller's zone}`` or ``null``; work notes newest first as
``{"author": display name, "date": display value, "text"}``, an empty list as ``null`` (the
seed shows ``"work_notes": null``); ``sys_tags`` ``null`` when empty; numbers and booleans
native. ``sys_domain``/``sys_domain_path`` are left out: domain separation is off.

The keys are listed once, in the seed's order; how each is written follows from its field's
type in the registry.
"""

from collections.abc import Callable
from datetime import datetime, tzinfo
from decimal import Decimal
from functools import cache
from operator import attrgetter
from typing import Any

from csm_project.core.models import JournalEntry
from csm_project.core.records.datetimes import format_both, format_display
from csm_project.registry import FieldType, get_table
from leads.models import LEAD_TABLE, LINE_ITEM_TABLE, Lead, LeadLineItem, ProductOffering

LEAD_KEYS = (
    "short_description", "reason", "country", "closed_date", "city", "lead_source", "external_id",
    "industry", "sys_updated_on", "title", "sys_class_name", "number", "sys_id", "business_phone",
    "similar_lead", "sys_updated_by", "mobile_phone", "street", "sys_created_on", "contact", "company",
    "state", "first_name", "email", "consumer", "sys_created_by", "zip", "owner", "website", "lead_group",
    "sys_mod_count", "last_name", "other_reason", "middle_name", "sys_tags", "do_not_share", "lead_score",
    "stage", "do_not_email", "lead_type", "work_notes", "do_not_call", "lead_rating", "account",
    "external_system", "lead_line_items",
)  # fmt: skip

LINE_ITEM_KEYS = (
    "quantity", "product_offering", "sys_mod_count", "external_id", "sys_updated_on", "sys_tags", "lead",
    "number", "sys_id", "unit_of_measurement", "sys_updated_by", "sys_created_on", "work_notes",
    "sys_created_by", "external_system",
)  # fmt: skip


def date_json(value: datetime | None, zone: tzinfo) -> dict | None:
    if value is None:
        return None
    utc, display = format_both(value, zone)
    return {"value": utc, "display_value": display}


def number_json(value: Decimal | int | None) -> int | float | None:
    """A decimal as the JSON number clients expect: ``92``, not ``"92.00"``."""
    if value is None or isinstance(value, int):
        return value
    return int(value) if value == value.to_integral_value() else float(value)


def reference_json(record: Any, *, code: bool = False) -> dict | None:
    if record is None:
        return None
    data = {"sys_id": record.pk, "name": record.display_value}
    if code:
        data["code"] = record.code
    return data


def tags_json(value: str | None) -> list[str] | None:
    tags = [tag.strip() for tag in (value or "").split(",") if tag.strip()]
    return tags or None


def notes_json(entries: list[JournalEntry] | None, zone: tzinfo) -> list[dict] | None:
    if not entries:
        return None
    return [
        {
            "author": (entry.author.name or entry.author.user_name) if entry.author else entry.sys_created_by,
            "date": format_display(entry.sys_created_on, zone),
            "text": entry.value,
        }
        for entry in entries
    ]


def _converter(table: str, name: str) -> Callable[[Any, tzinfo], Any] | None:
    """How the value of a key that is a field of ``table`` is written, by the field's registry
    type; None for a value written as read."""
    spec = get_table(table).field(name)
    if spec is None:
        raise LookupError(f"{table} has no field {name}")
    if spec.type is FieldType.DATETIME:
        return date_json
    if spec.type is FieldType.DECIMAL:
        return lambda value, _zone: number_json(value)
    if spec.is_reference:
        code = spec.reference == ProductOffering.sys_table
        return lambda value, _zone: reference_json(value, code=code)
    if name == "sys_tags":
        return lambda value, _zone: tags_json(value)
    return None


class _Shape:
    """Writes a record as ``keys``: the fields' values read in one ``attrgetter`` call, those
    that need it converted, the ``extras`` (keys that are not fields) put in their places. A page
    of leads is a hundred records of dozens of keys: a function call per key cost a third more."""

    def __init__(self, table: str, keys: tuple[str, ...], extras: frozenset[str]) -> None:
        fields = [key for key in keys if key not in extras]
        self.keys = keys
        self.read = attrgetter(*fields)
        self.convert = [
            (position, convert) for position, key in enumerate(fields) if (convert := _converter(table, key))
        ]
        self.extras = [(position, key) for position, key in enumerate(keys) if key in extras]

    def __call__(self, record: Any, extras: dict[str, Any], zone: tzinfo) -> dict:
        values = list(self.read(record))
        for position, convert in self.convert:
            values[position] = convert(values[position], zone)
        for position, key in self.extras:
            values.insert(position, extras[key])
        return dict(zip(self.keys, values, strict=True))


@cache
def _shapes() -> tuple[_Shape, _Shape]:
    """The lead's and the line item's (read from the registry on first use); the extras are the
    keys that are not fields, written by the functions below."""
    return (
        _Shape(LEAD_TABLE, LEAD_KEYS, frozenset({"sys_class_name", "work_notes", "lead_line_items"})),
        _Shape(LINE_ITEM_TABLE, LINE_ITEM_KEYS, frozenset({"lead", "work_notes"})),
    )


def line_item_json(item: LeadLineItem, lead: Lead, notes: list[JournalEntry] | None, zone: tzinfo) -> dict:
    extras = {"lead": {"sys_id": lead.pk, "name": lead.number}, "work_notes": notes_json(notes, zone)}
    return _shapes()[1](item, extras, zone)


def lead_json(
    lead: Lead,
    *,
    line_items: list[dict] | None,
    notes: list[JournalEntry] | None,
    zone: tzinfo,
    sys_class_name: str,
) -> dict:
    """Every key of the seed's lead object, in the seed's order."""
    extras = {
        "sys_class_name": sys_class_name,
        "work_notes": notes_json(notes, zone),
        "lead_line_items": line_items if line_items is not None else [],
    }
    return _shapes()[0](lead, extras, zone)


def plain_json(value: Any, zone: tzinfo) -> Any:
    """A dot-walked field's value (``sysparm_fields=owner.user_name``): dates as date objects,
    decimals as numbers, the rest as read (a reference as its sys_id)."""
    if isinstance(value, datetime):
        return date_json(value, zone)
    if isinstance(value, Decimal):
        return number_json(value)
    return value
